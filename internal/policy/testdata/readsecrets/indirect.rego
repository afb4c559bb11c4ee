# METADATA
# title: Secrets read without naming input.secrets
# description: |
#   Reads the secrets through a variable bound to the whole input, through
#   object.get on the input and through a function of another package: an
#   engine that judges this family without the secrets finds nothing here.
# custom:
#   id: acme-indirect
#   check: iam
#   severity: info
#   remediation: None.
package secretgate.rules.acmeindirect

import rego.v1

import data.acme.helpers

deny contains {"rule": "acme-indirect", "resource": n, "message": "via an alias"} if {
	doc := input
	some s in doc.secrets
	n := s.name
}

deny contains {"rule": "acme-indirect", "resource": sprintf("%d secrets", [count(object.get(input, "secrets", []))]), "message": "via object.get"}

deny contains {"rule": "acme-indirect", "resource": n, "message": "via a function"} if {
	some n in helpers.names(1)
}
