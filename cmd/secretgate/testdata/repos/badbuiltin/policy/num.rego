# METADATA
# title: Secret names are numbers
# description: A deliberately broken rule, to_number fails on a name.
# custom:
#   id: acme-number
#   check: naming
#   remediation: none
package secretgate.rules.naming.acme

import rego.v1

deny contains {"rule": "acme-number", "resource": s.name} if {
	some s in input.secrets
	to_number(s.name) > 0
}
