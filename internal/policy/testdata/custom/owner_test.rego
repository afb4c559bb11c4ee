package secretgate.rules.naming.acme_test

import rego.v1

import data.secretgate.rules.naming.acme

test_owner_missing if {
	some f in acme.deny with input as {"secrets": [{"name": "prod/a/api", "tags": {}, "file": "x", "line": 1}]}
	f.rule == "acme-secret-owner"
}

test_owner_present if {
	count(acme.deny) == 0 with input as {"secrets": [{"name": "prod/a/api", "tags": {"owner": "t"}, "file": "x", "line": 1}]}
}
