# Trust policies whose JSON repeats a key: IAM reads only the last
# occurrence, so what the earlier one says (often a sub pin) has no effect.
# The normalised document already holds what IAM reads; this rule says
# what was lost.
package secretgate.rules.trust.duplicates

import rego.v1

roles := [r | some r in object.get(input, "roles", []); is_object(r)]

# METADATA
# title: Trust policy repeats a key; IAM ignores all but the last
# description: |
#   A JSON object in the trust policy has the same key twice. IAM keeps the
#   last one and silently drops the others, so a condition written first —
#   typically the sub pin — constrains nothing, and the role is wider than
#   its source reads. secretgate judges the role as IAM reads it.
# custom:
#   id: trust-duplicate-key
#   check: trust
#   severity: high
#   remediation: Merge the repeated blocks into one (one StringEquals object holding both the aud and the sub keys), then check the role's trust again.
deny contains object.union(
	{
		"rule": "trust-duplicate-key",
		"resource": name_of(role),
		"message": message(role, d),
		"file": object.get(role.trust, "file", object.get(role, "file", "")),
		"line": d.line,
		"key": sprintf("%s@%d", [d.path, d.statement]),
		"severity": severity(d),
	},
	fix(d),
) if {
	some role in roles
	is_object(role.trust)
	some d in object.get(role.trust, "duplicates", [])
}

name_of(role) := role.name if {
	is_string(role.name)
	role.name != ""
} else := object.get(role, "id", "")

where(d) := "the document" if d.statement < 0

else := sprintf("statement %d", [d.statement])

lost(d) := sprintf(" The ignored %s held %s, which therefore constrains nothing.", [block_word(d), concat(", ", d.dropped)]) if {
	count(object.get(d, "dropped", [])) > 0
} else := sprintf(" IAM reads %s and ignores %s.", [quoted(d.kept_values), quoted(d.values)]) if {
	count(object.get(d, "values", [])) > 0
} else := ""

block_word(d) := "Condition" if d.path == "Condition"

else := "block"

quoted(vals) := concat(", ", [sprintf("%q", [v]) | some v in vals]) if count(vals) > 0

else := "no value"

# lines(d): where the two occurrences are.
lines(d) := sprintf("both on line %d; IAM uses the last", [d.line]) if d.line == d.kept_line

else := sprintf("line %d; line %d is the one IAM uses", [d.line, d.kept_line])

message(role, d) := sprintf(
	"Role %s's trust policy has %s twice in %s (%s).%s",
	[name_of(role), d.path, where(d), lines(d), lost(d)],
)

# fix(d): the fix text for what is repeated, when the rule's own (merge
# two operator blocks) does not fit.
fix(d) := {"remediation": "Merge the repeated Condition objects into one that holds every operator block (one StringEquals object holding both the aud and the sub keys), then check the role's trust again."} if {
	d.path == "Condition"
} else := {"remediation": sprintf("Write %s once in the %s block, with the values you mean in one list ([\"a\", \"b\"]); IAM reads only the last occurrence (%s). Then check the role's trust again.", [key, op, quoted(object.get(d, "kept_values", []))])} if {
	[[_, op, key]] := regex.find_all_string_submatch_n(`^Condition\.([^.]+)\.(.+)$`, d.path, 1)
} else := {}

# A dropped block that held a subject or audience condition widens who
# can assume the role: high. Any other repeat is a latent surprise: low.
severity(d) := "high" if {
	some k in object.get(d, "dropped", [])
	some suffix in [":sub", ":aud"]
	endswith(k, suffix)
} else := "high" if {
	some suffix in [":sub", ":aud"]
	endswith(lower(d.path), suffix)
} else := "low"
