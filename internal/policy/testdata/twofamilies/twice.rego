# METADATA
# title: Every secret, once per family
# description: Two packages emit the very same finding objects; a set holds each once.
# custom:
#   id: acme-twice
#   check: naming
#   severity: info
#   remediation: None.
package secretgate.rules.acmeone

import rego.v1

deny contains {"rule": "acme-twice", "resource": s.name, "message": "twice"} if {
	some s in input.secrets
}
