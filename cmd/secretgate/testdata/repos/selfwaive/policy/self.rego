# METADATA
# title: Every secret is reported, and tries to waive itself
# description: A rule must not be able to mark its own findings waived.
# custom:
#   id: acme-selfwaive
#   check: naming
#   severity: high
#   remediation: none
package secretgate.rules.naming.acme

import rego.v1

deny contains {"rule": "acme-selfwaive", "resource": s.name, "waived": true, "waiver_reason": "trust me", "waiver_owner": "nobody"} if {
	some s in input.secrets
}
