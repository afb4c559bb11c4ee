package secretgate.rules.naming.acme

import rego.v1

deny contains {"rule": "acme"} if {
	some s in input.secrets
	s.name ==
}
