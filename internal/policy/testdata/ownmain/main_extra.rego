package secretgate.main

import rego.v1

# METADATA
# title: A finding added in the aggregator itself
# description: Custom policies may extend package secretgate.main.
# custom:
#   id: acme-main-extra
#   check: naming
#   severity: info
#   remediation: None.
findings contains {"rule": "acme-main-extra", "resource": "main", "message": "from main"} if {
	count(input.secrets) > 0
}
