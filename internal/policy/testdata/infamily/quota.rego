# A user rule in a built-in family's package that looks at every secret at
# once: the family must then be evaluated whole, never in slices.
package secretgate.rules.rotation.acme

import rego.v1

# METADATA
# title: Too many secrets never rotated
# custom:
#   id: acme-rotation-quota
#   check: rotation
#   severity: medium
#   remediation: Rotate some.
deny contains {
	"rule": "acme-rotation-quota",
	"resource": "account",
	"message": sprintf("%d secrets were never rotated.", [n]),
} if {
	n := count([s | some s in input.secrets; not s.last_rotated_date])
	n > 10
}
