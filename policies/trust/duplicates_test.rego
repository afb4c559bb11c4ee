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

# Condition written twice: the ignored one held sub and aud, the kept one
# only aud (issue 13): the message says the sub pin was lost, high.
test_repeated_condition_names_what_was_lost if {
	d := {"statement": 0, "path": "Condition", "line": 2, "kept_line": 3, "dropped": ["token.actions.githubusercontent.com:sub"]}
	some f in duplicates.deny with input as {"roles": [role([d])]}
	f.severity == "high"
	f.message == "Role deploy's trust policy has Condition twice in statement 0 (line 2; line 3 is the one IAM uses). The ignored Condition held token.actions.githubusercontent.com:sub, which therefore constrains nothing."
	f.remediation == "Merge the repeated Condition objects into one that holds every operator block (one StringEquals object holding both the aud and the sub keys), then check the role's trust again."
}

# A condition key repeated inside one operator block: the message quotes
# what IAM ignores and what it reads, and the fix is about that key.
test_repeated_condition_key_quotes_the_values if {
	key := "token.actions.githubusercontent.com:sub"
	d := {
		"statement": 0, "path": concat("", ["Condition.StringLike.", key]), "line": 3, "kept_line": 3,
		"values": ["repo:acme/app:ref:refs/heads/main"], "kept_values": ["repo:acme/*"],
	}
	some f in duplicates.deny with input as {"roles": [role([d])]}
	f.severity == "high"
	f.message == `Role deploy's trust policy has Condition.StringLike.token.actions.githubusercontent.com:sub twice in statement 0 (both on line 3; IAM uses the last). IAM reads "repo:acme/*" and ignores "repo:acme/app:ref:refs/heads/main".`
	f.remediation == `Write token.actions.githubusercontent.com:sub once in the StringLike block, with the values you mean in one list (["a", "b"]); IAM reads only the last occurrence ("repo:acme/*"). Then check the role's trust again.`
}
