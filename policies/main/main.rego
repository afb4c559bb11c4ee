# METADATA
# title: secretgate aggregator
# description: |
#   Collects the findings of every rule package below secretgate.rules,
#   applies the configured waivers, and reports waivers that have expired.
#   The Go engine evaluates data.secretgate.main.findings once per run.
package secretgate.main

import rego.v1

# raw holds what every rule produced. A rule emits objects of the form
#   {"rule": id, "resource": …, "message": …, "file": …, "line": …,
#    "key": optional fingerprint discriminator,
#    "severity": optional override of the rule's metadata severity}
# from a rule named deny in a package secretgate.rules.<family>. Rules may
# also live one package deeper, secretgate.rules.<family>.<name>, so that
# teams can keep their own rules beside the built-in ones.
#
# The deny sets are merged with one union() call: copying some 10,000
# findings element by element in Rego costs far more.
raw := union(family_denies | nested_denies)

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
# rule produced it; "waived" defaults to false. Without any active waiver
# (the common case) every finding passes through unexamined.
findings contains f if {
	count(active_waivers) == 0
	some f in raw
}

findings contains f if {
	count(active_waivers) > 0
	some f in raw
	not active_waivers[f.rule]
	not active_waivers["*"]
}

findings contains object.union(f, waiver_fields(f)) if {
	count(active_waivers) > 0
	some f in raw
	some rule in [f.rule, "*"]
	active_waivers[rule]
}

waiver_fields(f) := {"waived": true, "waiver_reason": w.reason, "waiver_owner": w.owner} if {
	ws := [x | some rule in [f.rule, "*"]; some x in active_waivers[rule]; glob.match(x.resource, ["/"], f.resource)]
	w := ws[0]
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
