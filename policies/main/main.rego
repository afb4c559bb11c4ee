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
#    "severity": optional override of the rule's metadata severity}
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
# title: A waiver waives every rule or every resource
# description: |
#   A waiver should name one rule and the resources it really applies to.
#   A waiver for rule "*" hides every rule's findings on its resources,
#   and one for resource "*" or "**" hides every finding of its rule, on
#   resources nobody has looked at yet. The finding is never waived, not
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

# A waiver is too broad when it names every rule ("*") or every resource
# ("*", "**", any pattern of stars only).
too_broad(w) if every_rule(w)

too_broad(w) if every_resource(w)

every_rule(w) if w.rule == "*"

every_resource(w) if regex.match(`^\*+$`, w.resource)

breadth(w) := "every finding of every rule" if {
	every_rule(w)
	every_resource(w)
} else := "every rule's findings there" if {
	every_rule(w)
} else := "every finding of that rule"
