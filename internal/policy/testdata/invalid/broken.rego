package secretgate.rules.naming.broken

import rego.v1

deny contains {"rule": "y"} if {
	some s in input.secrets
	s.name ==
}
