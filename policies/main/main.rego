# METADATA
# title: secretgate aggregator
# description: |
#   Collects the findings of every rule package below secretgate.rules,
#   applies the configured waivers, and reports waivers that have expired.
#   findings is every finding of a run; the Go engine evaluates the same
#   as family_findings(family) per family, in parallel, expired_waivers
#   and broad_waivers.
package secretgate.main

import rego.v1

# deny_docs[family] holds what the rules of one check family produced, one
# set per rule package. A rule emits objects of the form
#   {"rule": id, "resource": …, "message": …, "file": …, "line": …,
#    "key": optional fingerprint discriminator,
#    "severity": optional override of the rule's metadata severity,
#    "remediation": optional fix text of this finding, instead of the
#      rule's metadata remediation (an example fitted to the resource)}
# from a rule named deny in a package secretgate.rules.<family>. Rules may
# also live one package deeper, secretgate.rules.<family>.<name>, so that
# teams can keep their own rules beside the built-in ones.
#
# The Go engine evaluates family_findings one family at a time, the
# families in parallel; findings below is the same, all in one query, for
# opa eval and for custom policies that extend package secretgate.main.
deny_docs[family] contains as_set(d) if {
	d := data.secretgate.rules[family].deny
}

deny_docs[family] contains as_set(d) if {
	d := data.secretgate.rules[family][_].deny
}

# as_set(d) is a deny document as a set: deny rules are sets, but a rule
# written as an object or array still contributes its values.
as_set(d) := d if {
	is_set(d)
} else := {f | some f in d}

# family_findings(family) is what the rules of family found, with the
# configured waivers applied.
family_findings(family) := judged(docs) if {
	docs := deny_docs[family]
} else := set()

findings contains f if {
	some family, docs in deny_docs
	some f in judged(docs)
}

now_ns := time.parse_rfc3339_ns(input.now)

waiver_expired(w) if {
	w.expires != ""
	time.parse_rfc3339_ns(w.expires) < now_ns
}

# active_waivers groups the unexpired waivers by the rule they name ("*"
# for every rule), so each finding looks at its own rule's waivers only.
active_waivers[rule] := ws if {
	some w in input.config.waivers
	rule := w.rule
	ws := [x | some x in input.config.waivers; x.rule == rule; not waiver_expired(x)]
	count(ws) > 0
}

# judged(docs) is what the deny documents docs become once the waivers
# apply. Without any active waiver, the common case, the findings pass
# through as the rules produced them ("waived" defaults to false): a
# family's one deny document is returned as it is, which is cheaper than
# building the same set again (10,000 findings). A "finding" without a
# rule field is never dropped here: it passes through, and the engine
# rejects it as a policy error naming the package that produced it.
judged(docs) := d if {
	count(active_waivers) == 0
	count(docs) == 1
	some d in docs
} else := {f |
	some d in docs
	some f in d
} if {
	count(active_waivers) == 0
} else := {g |
	aw := active_waivers
	candidates := candidate_waivers
	everything := object.get(aw, "*", [])
	some d in docs
	some f in d
	g := judged_finding(f, aw, candidates, everything)
}

# A "finding" without a rule field cannot be waived: it passes through so
# that the engine reports it.
judged_finding(f, _, _, _) := f if {
	not has_rule(f)
}

has_rule(f) if {
	_ = f.rule
}

# Without waivers for a finding's rule, and no "*" waiver, the finding
# passes through as the rule produced it.
judged_finding(f, aw, _, _) := f if {
	not aw["*"]
	not aw[f.rule]
}

# A finding whose rule has active waivers, or any finding when a "*" waiver
# is active, carries the first of those waivers (its rule's first, in
# configuration order) whose resource pattern matches it, if any.
judged_finding(f, _, candidates, everything) := object.union(f, waiver_fields(matches)) if {
	ws := object.get(candidates, f.rule, everything)
	count(ws) > 0
	matches := [x | some x in ws; glob.match(x.resource, ["/"], f.resource)]
}

# candidate_waivers maps each rule with active waivers to its own waivers
# followed by the "*" ones; other rules' findings have only the "*" ones.
candidate_waivers := {rule: array.concat(ws, object.get(active_waivers, "*", [])) |
	some rule, ws in active_waivers
}

# waiver_fields(matches) marks a finding as waived by the first matching
# waiver ({} when none matches).
waiver_fields(matches) := {"waived": true, "waiver_reason": w.reason, "waiver_owner": w.owner} if {
	w := matches[0]
} else := {}

findings contains f if {
	some f in expired_waivers
}

# expired_waivers is empty when a custom rule with the id
# config-waiver-expired replaces the built-in one below.
default expired_waivers := set()

# METADATA
# title: A waiver has expired
# description: |
#   Waivers are temporary by design. An expired waiver no longer hides its
#   findings, and the expiry itself is reported so that someone decides
#   again: fix the cause, or renew the waiver with a new date and reason.
# custom:
#   id: config-waiver-expired
#   check: config
#   severity: medium
#   remediation: Fix the waived findings, or set a new expiry date with a fresh reason in .secretgate.yml.
expired_waivers := {{
	"rule": "config-waiver-expired",
	"resource": sprintf("%s %s", [w.rule, w.resource]),
	"message": sprintf("The waiver for rule %s on %q (owner %s) expired on %s; its findings are reported again.", [w.rule, w.resource, w.owner, w.expires]),
	"file": w.file,
	"line": w.line,
	"waived": false,
} |
	some w in input.config.waivers
	waiver_expired(w)
}

findings contains f if {
	some f in broad_waivers
}

# broad_waivers is empty when a custom rule with the id
# config-waiver-too-broad replaces the built-in one below.
default broad_waivers := set()

# METADATA
# title: A waiver waives every rule, every resource or most of them
# description: |
#   A waiver should name one rule and the resources it really applies to.
#   A waiver for rule "*" hides every rule's findings on its resources,
#   and one whose resource pattern matches every resource ("*", "**", and
#   any pattern that matches the same, such as "?**" or "{**}") hides every
#   finding of its rule, on resources nobody has looked at yet. Breadth is
#   judged by what the pattern matches: one that matches three quarters or
#   more of the resources its rule judges in the run (five or more) is too
#   broad as well — it switches the rule off. The finding is never waived, not
#   even by the waiver it is about. Expired waivers waive nothing and are
#   reported as expired instead.
# custom:
#   id: config-waiver-too-broad
#   check: config
#   severity: high
#   remediation: Name the one rule the waiver is for, and the resources (a path, a name, a narrow glob) it applies to; write one waiver per rule.
broad_waivers := {{
	"rule": "config-waiver-too-broad",
	"resource": sprintf("%s %s", [w.rule, w.resource]),
	"message": sprintf("The waiver for rule %s on %q (owner %s) waives %s; its findings are hidden on resources nobody has judged.", [w.rule, w.resource, w.owner, breadth(w)]),
	"file": w.file,
	"line": w.line,
	"waived": false,
} |
	some w in input.config.waivers
	not waiver_expired(w)
	too_broad(w)
}

# A waiver is too broad when it names every rule ("*"), when its resource
# pattern matches every resource — judged by what it matches, not by how it
# is spelt: "*", "**", "?**", "{**}", "*{,/**}" alike — or when it matches
# most of the resources of the run its rule judges.
too_broad(w) if every_rule(w)

too_broad(w) if every_resource(w)

too_broad(w) if most_resources(w)

every_rule(w) if w.rule == "*"

# A pattern that matches every probe of a set matches a resource of any
# shape: one matching every one-segment probe is as wide as "*" (every
# role, policy and top-level file name), one matching every probe with a
# slash as "*/**" (every secret name, every file in a directory).
every_resource(w) if {
	every p in resource_probes {
		glob.match(w.resource, ["/"], p)
	}
}

every_resource(w) if {
	every p in path_probes {
		glob.match(w.resource, ["/"], p)
	}
}

# resource_probes are one-segment resources of the shapes findings name:
# role and policy names, secret names, file names, ARNs without a slash.
resource_probes := [
	"a", "Z", "0", "-", "_", ".", "~", "é", "x y",
	"deploy", "github-actions-prod", "Deploy.Role_1",
	"README.md", ".secretgate.yml",
	"arn:aws:iam::123456789012:root",
]

# path_probes are resources with a slash: secret names of every depth,
# files in directories, ARNs with a path.
path_probes := [
	"prod/bybit/api", "dev/x", "a/b/c/d/e/f", "Z/0",
	"src/app.py", ".github/workflows/ci.yml", "docs/README.md",
	"x y/é", "-/_",
	"arn:aws:iam::123456789012:role/deploy",
	"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db/password-AbCdEf",
]

# most_resources holds for a waiver that matches at least three quarters
# of the resources (five or more) of the run its rule judges: a waiver is
# for exceptions, and one that covers most of a family switches it off.
most_resources(w) if {
	not every_resource(w)
	n := count(run_resources(w))
	n >= 5
	4 * count(matched_resources(w)) >= 3 * n
}

matched_resources(w) := {r | some r in run_resources(w); glob.match(w.resource, ["/"], r)}

# run_resources(w) are the names findings of w's rule can carry, by the
# family its id starts with (naming-, rotation-, …); every name for a rule
# of no known family.
run_resources(w) := resources_of(split(w.rule, "-")[0])

resources_of(family) := {s.name | some s in input.secrets} if {
	family in {"naming", "rotation"}
} else := {c.secret | some c in input.credentials} if {
	family == "resolve"
} else := {r.name | some r in input.roles} if {
	family == "trust"
} else := {p.name | some p in input.policies} | {r.name | some r in input.roles} if {
	family == "iam"
} else := {l.file | some l in input.leaks} if {
	family == "leaks"
} else := (({s.name | some s in input.secrets} | {r.name | some r in input.roles}) | {p.name | some p in input.policies}) | {l.file | some l in input.leaks}

breadth(w) := "every finding of every rule" if {
	every_rule(w)
	every_resource(w)
} else := "every rule's findings there" if {
	every_rule(w)
} else := "every finding of that rule" if {
	every_resource(w)
} else := sprintf("the findings of that rule on %d of the run's %d resources it judges", [count(matched_resources(w)), count(run_resources(w))])
