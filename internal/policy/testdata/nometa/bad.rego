package secretgate.rules.naming.nometa

import rego.v1

deny contains {"rule": "x"} if {
	some s in input.secrets
	s.name == "x"
}
