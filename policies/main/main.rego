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
# from a rule named deny in a package secretgate.rules.<family>.
raw contains object.union(f, {"family": family}) if {
	some family
	some f in data.secretgate.rules[family].deny
}

# Rules may also live one package deeper, secretgate.rules.<family>.<name>,
# so that teams can keep their own rules beside the built-in ones.
raw contains object.union(f, {"family": family}) if {
	some family, name
	some f in data.secretgate.rules[family][name].deny
}

now_ns := time.parse_rfc3339_ns(input.now)

waiver_expired(w) if {
	w.expires != ""
	time.parse_rfc3339_ns(w.expires) < now_ns
}

waiver_applies(w, f) if {
	not waiver_expired(w)
	w.rule in {f.rule, "*"}
	glob.match(w.resource, ["/"], f.resource)
}

matching_waivers(f) := [w | some w in input.config.waivers; waiver_applies(w, f)]

findings contains object.union(f, {"waived": true, "waiver_reason": ws[0].reason, "waiver_owner": ws[0].owner}) if {
	some f in raw
	ws := matching_waivers(f)
	count(ws) > 0
}

findings contains object.union(f, {"waived": false}) if {
	some f in raw
	count(matching_waivers(f)) == 0
}

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
	"family": "config",
	"waived": false,
} if {
	some w in input.config.waivers
	waiver_expired(w)
}
