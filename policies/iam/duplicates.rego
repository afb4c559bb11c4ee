# Permission policies whose JSON repeats a key: IAM reads only the last
# occurrence; the earlier ones (an Action list, a Condition block) have no
# effect. The normalised document holds what IAM reads.
package secretgate.rules.iam.duplicates

import rego.v1

policies := [p | some p in object.get(input, "policies", []); is_object(p)]

# METADATA
# title: Policy repeats a key; IAM ignores all but the last
# description: |
#   A JSON object in the policy has the same key twice. IAM keeps the last
#   one and silently drops the others: an Action list or a Condition block
#   written first does nothing, so the policy grants something other than
#   what its source reads. secretgate judges the policy as IAM reads it.
# custom:
#   id: iam-duplicate-key
#   check: iam
#   severity: medium
#   remediation: Merge the repeated keys into one (one Condition operator block, one Action list).
deny contains {
	"rule": "iam-duplicate-key",
	"resource": name_of(p),
	"message": message(p, d),
	"file": object.get(p.document, "file", object.get(p, "file", "")),
	"line": d.line,
	"key": sprintf("%s@%d", [d.path, d.statement]),
} if {
	some p in policies
	some d in object.get(object.get(p, "document", {}), "duplicates", [])
}

name_of(p) := p.name if {
	is_string(p.name)
	p.name != ""
} else := object.get(p, "id", "")

where(d) := "the document" if d.statement < 0

else := sprintf("statement %d", [d.statement])

lost(d) := sprintf(" The ignored block held %s, which therefore constrains nothing.", [concat(", ", d.dropped)]) if {
	count(object.get(d, "dropped", [])) > 0
} else := ""

message(p, d) := sprintf(
	"Policy %s has %s twice in %s (line %d; line %d is the one IAM uses).%s",
	[name_of(p), d.path, where(d), d.line, d.kept_line, lost(d)],
)
