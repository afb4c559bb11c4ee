package secretgate.rules.trust.duplicates_test

import rego.v1

import data.secretgate.rules.trust.duplicates

role(dups) := {
	"id": "trust.json#deploy", "name": "deploy", "file": "trust.json", "line": 1,
	"trust": {"version": "2012-10-17", "statement": [], "file": "trust.json", "line": 1, "duplicates": dups},
}

test_dropped_sub_pin_is_high if {
	d := {"statement": 0, "path": "Condition.StringEquals", "line": 9, "kept_line": 14, "dropped": ["token.actions.githubusercontent.com:sub"]}
	some f in duplicates.deny with input as {"roles": [role([d])]}
	f.rule == "trust-duplicate-key"
	f.severity == "high"
	f.line == 9
	f.message == "Role deploy's trust policy has Condition.StringEquals twice in statement 0 (line 9; line 14 is the one IAM uses). The ignored block held token.actions.githubusercontent.com:sub, which therefore constrains nothing."
}

test_repeated_action_is_low if {
	d := {"statement": 0, "path": "Action", "line": 6, "kept_line": 7}
	some f in duplicates.deny with input as {"roles": [role([d])]}
	f.severity == "low"
	contains(f.message, "has Action twice in statement 0")
}

test_no_duplicates_no_finding if {
	count(duplicates.deny) == 0 with input as {"roles": [role([])]}
	count(duplicates.deny) == 0 with input as {"roles": [{"name": "x", "trust": null}]}
}
