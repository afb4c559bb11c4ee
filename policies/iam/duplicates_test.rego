package secretgate.rules.iam.duplicates_test

import rego.v1

import data.secretgate.rules.iam.duplicates

test_repeated_condition_block if {
	d := {"statement": 1, "path": "Condition.StringEquals", "line": 20, "kept_line": 24, "dropped": ["aws:resourcetag/env"]}
	p := {"id": "p", "name": "read-prod", "file": "p.json", "document": {"statement": [], "file": "p.json", "duplicates": [d]}}
	some f in duplicates.deny with input as {"policies": [p]}
	f.rule == "iam-duplicate-key"
	f.line == 20
	f.message == "Policy read-prod has Condition.StringEquals twice in statement 1 (line 20; line 24 is the one IAM uses). The ignored block held aws:resourcetag/env, which therefore constrains nothing."
}

test_no_duplicates_no_finding if {
	count(duplicates.deny) == 0 with input as {"policies": [{"id": "p", "document": {"statement": []}}]}
}
