# METADATA
# title: secretgate aggregator
# description: |
#   Collects the findings of every rule package below secretgate.rules,
#   applies the configured waivers, and reports waivers that have expired.
#   The Go engine evaluates data.secretgate.main.findings once per run.
package secretgate.main

import rego.v1

# denies holds what every rule produced, one set per rule package. A rule
# emits objects of the form
#   {"rule": id, "resource": …, "message": …, "file": …, "line": …,
#    "key": optional fingerprint discriminator,
#    "severity": optional override of the rule's metadata severity}
# from a rule named deny in a package secretgate.rules.<family>. Rules may
# also live one package deeper, secretgate.rules.<family>.<name>, so that
# teams can keep their own rules beside the built-in ones.
#
# (The findings rules below iterate these sets directly: merging them into
# one set first would cost a copy and a sort of some 10,000 findings.)
denies := family_denies | nested_denies

family_denies := {as_set(d) |
	some family
	d := data.secretgate.rules[family].deny
}

nested_denies := {as_set(d) |
	some family, name
	d := data.secretgate.rules[family][name].deny
}

# as_set(d) is a deny document as a set: deny rules are sets, but a rule
# written as an object or array still contributes its values.
as_set(d) := d if {
	is_set(d)
} else := {f | some f in d}

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

# Without waivers for a finding's rule, the finding passes through as the
# rule produced it; "waived" defaults to false. (A "finding" without a rule
# field is dropped.) Without any active waiver, the common case, that is
# all there is to do.
findings contains f if {
	count(active_waivers) == 0
	some d in denies
	some f in d
	_ = f.rule
}

findings contains f if {
	aw := active_waivers
	count(aw) > 0
	not aw["*"]
	some d in denies
	some f in d
	not aw[f.rule]
}

# A finding whose rule has active waivers, or any finding when a "*" waiver
# is active, carries the first of those waivers (its rule's first, in
# configuration order) whose resource pattern matches it, if any.
findings contains object.union(f, waiver_fields(matches)) if {
	count(active_waivers) > 0
	candidates := candidate_waivers
	everything := object.get(active_waivers, "*", [])
	some d in denies
	some f in d
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
findings contains {
	"rule": "config-waiver-expired",
	"resource": sprintf("%s %s", [w.rule, w.resource]),
	"message": sprintf("The waiver for rule %s on %q (owner %s) expired on %s; its findings are reported again.", [w.rule, w.resource, w.owner, w.expires]),
	"file": w.file,
	"line": w.line,
	"waived": false,
} if {
	some w in input.config.waivers
	waiver_expired(w)
}
