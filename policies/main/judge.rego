package secretgate.main

import rego.v1

findings contains f if {
	some f in judge_changes
}

# judge_changes is empty when a custom rule with the id
# config-judge-changed replaces the built-in one below.
default judge_changes := set()

# METADATA
# title: The change under review edits its own judge
# description: |
#   In a pull request (and any run over a range BASE..HEAD) the files that
#   judge the change — the configuration with its waivers and fail_on, the
#   Rego policy directories and the cloudformation_parameters file it
#   names, .gitleaks.toml and .gitleaksignore — are read from BASE, so that the change cannot choose its own judge. A
#   change that edits them is reported here, with what its own judge would
#   have done differently: the findings it would hide or waive, the
#   threshold it would lower, the verdict it would turn. The base's judge
#   was used; merging the change is how a maintainer approves the new one.
#   The severity is high unless the base configuration sets judge_changes.
# custom:
#   id: config-judge-changed
#   check: config
#   severity: high
#   remediation: Review the judge change on its own; if it is right, a maintainer approves it by merging, and runs on the default branch use it from then on. If the change only edits a judge file by the way, move that edit to a pull request of its own.
judge_changes := {{
	"rule": "config-judge-changed",
	"resource": concat(", ", input.judge.changed),
	"message": sprintf("This change edits the files that judge it (%s); they were read from the base, commit %s, instead.%s", [concat(", ", input.judge.changed), input.judge.base, judge_effect]),
	"file": input.judge.changed[0],
	"severity": object.get(input.judge, "severity", "high"),
	"waived": false,
} |
	count(input.judge.changed) > 0
}

# judge_effect is what the change's own judge would have done, as the
# run measured it by judging the change twice (empty when not measured).
judge_effect := concat("", [" ", input.judge.effect]) if {
	input.judge.effect != ""
} else := ""
