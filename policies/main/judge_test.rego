package secretgate.main_test

import rego.v1

import data.secretgate.main

judge_input(judge) := {"now": "2026-11-26T12:00:00Z", "config": {"waivers": []}, "judge": judge}

test_no_judge_no_finding if {
	count(main.judge_changes) == 0 with input as {"now": "2026-11-26T12:00:00Z", "config": {"waivers": []}}
}

test_unchanged_judge_no_finding if {
	count(main.judge_changes) == 0 with input as judge_input({"base": "abc", "changed": []})
}

test_changed_judge_is_reported_with_its_effect if {
	fs := main.judge_changes with input as judge_input({
		"base": "0123456789ab",
		"changed": [".secretgate.yml", ".gitleaksignore"],
		"effect": "With the change's own judge the run would pass instead of fail.",
	})
	count(fs) == 1
	some f in fs
	f.rule == "config-judge-changed"
	f.resource == ".secretgate.yml, .gitleaksignore"
	f.file == ".secretgate.yml"
	f.severity == "high"
	f.waived == false
	f.message == "This change edits the files that judge it (.secretgate.yml, .gitleaksignore); they were read from the base, commit 0123456789ab, instead. With the change's own judge the run would pass instead of fail."
}

test_severity_from_the_base_configuration if {
	fs := main.judge_changes with input as judge_input({"base": "abc", "changed": ["policy/x.rego"], "severity": "medium"})
	some f in fs
	f.severity == "medium"
}

# A waiver in the base configuration does not hide the judge change.
test_judge_change_is_never_waived if {
	w := {"rule": "*", "resource": "**", "reason": "r", "owner": "o", "expires": "", "file": ".secretgate.yml", "line": 1}
	fs := main.findings with data.secretgate.rules as {} with input as {
		"now": "2026-11-26T12:00:00Z",
		"config": {"waivers": [w]},
		"judge": {"base": "abc", "changed": [".secretgate.yml"]},
	}
	some f in fs
	f.rule == "config-judge-changed"
	f.waived == false
}
