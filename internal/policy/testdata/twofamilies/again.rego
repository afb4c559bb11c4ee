package secretgate.rules.acmetwo

import rego.v1

# METADATA
# title: Every secret, once per family (again)
# description: Emits what acmeone emits, plus one finding of its own.
# custom:
#   id: acme-twice-own
#   check: naming
#   severity: info
#   remediation: None.
# METADATA
# custom:
#   id: acme-twice-again
#   check: naming
deny contains f if {
	some s in input.secrets
	f := {"rule": "acme-twice", "resource": s.name, "message": "twice"}
}

deny contains {"rule": "acme-twice-own", "resource": "x", "message": "own"} if {
	count(input.secrets) > 0
}
