package secretgate.main_test

import rego.v1

import data.secretgate.main

now := "2026-11-26T12:00:00Z"

a1 := {"rule": "rule-a", "resource": "prod/bybit/api", "message": "a1", "file": "f", "line": 1}

a2 := {"rule": "rule-a", "resource": "dev/bybit/api", "message": "a2", "file": "f", "line": 2}

b1 := {"rule": "rule-b", "resource": "prod/db/password", "message": "b1", "file": "f", "line": 3}

# Findings of a family package and of a nested package.
rules := {
	"fam": {
		"deny": {a1, a2},
		"team": {"deny": {b1}},
	},
	"other": {"deny": {b1}},
}

findings(waivers) := fs if {
	fs := main.findings with data.secretgate.rules as rules with input as {"now": now, "config": {"waivers": waivers}}
}

waiver(rule, resource, expires) := {"rule": rule, "resource": resource, "reason": concat(" ", ["why", rule]), "owner": "me", "expires": expires, "file": ".secretgate.yml", "line": 4}

waived(f, w) := object.union(f, {"waived": true, "waiver_reason": w.reason, "waiver_owner": w.owner})

test_without_waivers_findings_pass_through if {
	findings([]) == {a1, a2, b1}
}

test_waiver_for_one_rule if {
	w := waiver("rule-a", "prod/**", "")
	findings([w]) == {waived(a1, w), a2, b1}
}

test_star_waiver_applies_to_every_rule_after_the_rules_own if {
	own := waiver("rule-a", "**", "2027-01-01T00:00:00Z")
	star := waiver("*", "prod/**", "")
	fs := findings([star, own])
	{f | some f in fs; not startswith(f.rule, "config-")} == {waived(a1, own), waived(a2, own), waived(b1, star)}
}

test_expired_waiver_is_reported_not_applied if {
	w := waiver("rule-b", "**", "2026-01-01T00:00:00Z")
	fs := findings([w])
	{a1, a2, b1} & fs == {a1, a2, b1}
	expired := [f | some f in fs; f.rule == "config-waiver-expired"]
	count(expired) == 1
	expired[0].resource == "rule-b **"
	expired[0].waived == false
	count(fs) == 4
}

# A family with one deny document passes it through as it is.
test_family_findings_one_document if {
	fs := main.family_findings("other") with data.secretgate.rules as rules with input as {"now": now, "config": {"waivers": []}}
	fs == {b1}
}

# A finding without a rule field, or one that is not an object, is never
# dropped (the engine rejects it, naming the package): with or without
# waivers, in one or several deny documents.
norule := {"resource": "x", "message": "no rule"}

bad := {"solo": {"deny": {a1, norule, "not a finding"}}, "two": {"deny": {norule}, "team": {"deny": {"not a finding"}}}}

test_findings_without_rule_pass_through if {
	every waivers in [[], [waiver("rule-a", "prod/**", "")], [waiver("*", "nothing/**", "")]] {
		fs := main.family_findings("solo") with data.secretgate.rules as bad with input as {"now": now, "config": {"waivers": waivers}}
		{norule, "not a finding"} & fs == {norule, "not a finding"}
		two := main.family_findings("two") with data.secretgate.rules as bad with input as {"now": now, "config": {"waivers": waivers}}
		two == {norule, "not a finding"}
	}
}

# A waiver for every rule, or for every resource, is reported (high), and
# that finding is never waived, not even by the waiver it is about.
broad(waivers) := [f | some f in findings(waivers); f.rule == "config-waiver-too-broad"]

test_waiver_for_every_rule_is_too_broad if {
	w := waiver("*", "prod/**", "")
	fs := broad([w])
	count(fs) == 1
	fs[0].resource == "* prod/**"
	fs[0].file == ".secretgate.yml"
	fs[0].line == 4
	fs[0].waived == false
}

test_waiver_for_every_resource_is_too_broad if {
	every resource in ["*", "**", "***", "?**", "{**}", "**?", "*{,/**}", "?*", "{*,x}", "[!/]**", "*/**", "**/*", "**/**", "?*/**", "*/*{,/**}"] {
		count(broad([waiver("rule-a", resource, "")])) == 1
	}
}

test_blanket_waiver_does_not_waive_its_own_finding if {
	w := waiver("*", "**", "2027-01-01T00:00:00Z")
	fs := findings([w])
	{waived(a1, w), waived(a2, w), waived(b1, w)} & fs == {waived(a1, w), waived(a2, w), waived(b1, w)}
	some f in fs
	f.rule == "config-waiver-too-broad"
	f.resource == "* **"
	f.waived == false
	count(fs) == 4
}

test_narrow_waivers_are_not_too_broad if {
	every w in [
		waiver("rule-a", "prod/**", ""),
		waiver("rule-a", "prod/bybit/api", ""),
		waiver("rule-a", "**/api", ""),
		waiver("rule-a", "?", ""),
		waiver("rule-a", "[a-z]*", ""),
		waiver("rule-a", "{deploy,README.md}", ""),
		waiver("rule-a", "*/*/*", ""),
		waiver("rule-a", "src/**", ""),
		waiver("rule-a", "*/bybit/*", ""),
	] {
		count(broad([w])) == 0
	}
}

secrets(names) := [{"name": n} | some n in names]

broad_in(w, extra) := [f | some f in main.findings with data.secretgate.rules as rules with input as object.union({"now": now, "config": {"waivers": [w]}}, extra); f.rule == "config-waiver-too-broad"]

# A waiver that matches most of the resources its rule judges in the run
# switches the rule off: too broad, by what it matches.
test_waiver_matching_most_of_the_run_is_too_broad if {
	extra := {"secrets": secrets(["prod/a/api", "prod/b/api", "prod/c/api", "prod/d/api", "dev/e/api"])}
	fs := broad_in(waiver("rotation-overdue", "prod/**", ""), extra)
	count(fs) == 1
	fs[0].message == `The waiver for rule rotation-overdue on "prod/**" (owner me) waives the findings of that rule on 4 of the run's 5 resources it judges; its findings are hidden on resources nobody has judged.`
}

test_waiver_matching_a_few_of_the_run_is_narrow if {
	extra := {"secrets": secrets(["prod/a/api", "prod/b/api", "dev/c/api", "dev/d/api", "dev/e/api"])}
	count(broad_in(waiver("rotation-overdue", "prod/**", ""), extra)) == 0

	# Fewer than five resources: no proportion is meaningful.
	count(broad_in(waiver("rotation-overdue", "prod/**", ""), {"secrets": secrets(["prod/a/api"])})) == 0
}

# The family comes from the rule id: a leaks waiver is measured on the
# leaked files, not on the secrets.
test_waiver_breadth_by_the_rules_family if {
	extra := {
		"secrets": secrets(["prod/a/api", "prod/b/api", "prod/c/api", "prod/d/api", "prod/e/api"]),
		"leaks": [{"file": "src/a.go"}, {"file": "src/b.go"}, {"file": "src/c.go"}, {"file": "src/d.go"}, {"file": "test/e.go"}],
	}
	count(broad_in(waiver("leaks-secret", "prod/**", ""), extra)) == 0
	count(broad_in(waiver("leaks-secret", "src/**", ""), extra)) == 1
}

# An expired blanket waiver waives nothing: it is reported as expired only.
test_expired_blanket_waiver_is_only_expired if {
	fs := findings([waiver("*", "**", "2026-01-01T00:00:00Z")])
	count([f | some f in fs; f.rule == "config-waiver-too-broad"]) == 0
	count([f | some f in fs; f.rule == "config-waiver-expired"]) == 1
}
