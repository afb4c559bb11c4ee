package secretgate.rules.iam_test

import rego.v1

# IAM words honour Deny and Conditions (issue 13, item 7): what an
# unconditional Deny of the same policy removes is never claimed, a
# conditional Deny is named as a limit, and an Allow's conditions are said.

# The ABAC policy of the IAM tutorial "Define permissions to access AWS
# resources based on tags" (access-same-project-team), used by the Secrets
# Manager guide "Control access to secrets using attribute-based access
# control", normalised (condition keys lower-cased).
abac_statements := [
	with_condition(object.union(allow(["secretsmanager:*"], ["*"]), {"sid": "AllActionsSecretsManagerSameProjectSameTeam"}), {
		"StringEquals": {
			"aws:resourcetag/access-project": ["${aws:PrincipalTag/access-project}"],
			"aws:resourcetag/access-team": ["${aws:PrincipalTag/access-team}"],
			"aws:resourcetag/cost-center": ["${aws:PrincipalTag/cost-center}"],
		},
		"ForAllValues:StringEquals": {"aws:tagkeys": ["access-project", "access-team", "cost-center", "Name", "OwnedBy"]},
		"StringEqualsIfExists": {
			"aws:requesttag/access-project": ["${aws:PrincipalTag/access-project}"],
			"aws:requesttag/access-team": ["${aws:PrincipalTag/access-team}"],
			"aws:requesttag/cost-center": ["${aws:PrincipalTag/cost-center}"],
		},
	}),
	object.union(allow(["secretsmanager:GetRandomPassword", "secretsmanager:ListSecrets"], ["*"]), {"sid": "AllResourcesSecretsManagerNoTags"}),
	with_condition(
		object.union(allow(["secretsmanager:Describe*", "secretsmanager:Get*", "secretsmanager:List*"], ["*"]), {"sid": "ReadSecretsManagerSameTeam"}),
		{"StringEquals": {"aws:resourcetag/access-team": ["${aws:PrincipalTag/access-team}"]}},
	),
	with_condition(
		object.union(deny_stmt(["secretsmanager:UntagResource"], ["*"]), {"sid": "DenyUntagSecretsManagerReservedTags"}),
		{"ForAnyValue:StringLike": {"aws:tagkeys": ["access-*"]}},
	),
	object.union(deny_stmt(["secretsmanager:*Policy"], ["*"]), {"sid": "DenyPermissionsManagement"}),
]

test_abac_tutorial_policy_words if {
	fs := policy_findings(abac_statements)
	rules(fs) == {"iam-secretsmanager-wildcard"}
	f := one(fs, "iam-secretsmanager-wildcard")
	f.message == "Policy p statement 0 (Sid AllActionsSecretsManagerSameProjectSameTeam) allows secretsmanager:* on *, only secrets tagged access-project, access-team and cost-center equal to the caller's tags of the same name, and only when its condition on aws:RequestTag/access-project, aws:RequestTag/access-team, aws:RequestTag/cost-center, aws:TagKeys holds: reading, overwriting and deleting those secrets and switching off their rotation, but not re-sharing them. Statement 3 (Sid DenyUntagSecretsManagerReservedTags) denies secretsmanager:UntagResource on * when its condition on aws:TagKeys holds; statement 4 (Sid DenyPermissionsManagement) denies secretsmanager:*Policy on *."
	not contains(f.message, "re-sharing those")
}

# Each case: the statements of one policy, the rule, and what its message
# must (want) and must not (never) contain; rule null: no finding of the
# rules named in absent.
word_cases := [
	{
		"name": "Allow * less an unconditional Deny of iam:* is not full administrator access",
		"stmts": [allow(["*"], ["*"]), deny_stmt(["iam:*"], ["*"])],
		"rule": "iam-wildcard-action",
		"want": [`allows every AWS action (Action "*") on *: every action but the denied ones, including reading every secret.`, "Statement 1 denies iam:* on *."],
		"never": ["full administrator access", "granting itself"],
	},
	{
		"name": "a Deny of other actions still leaves reading and granting, but not 'full'",
		"stmts": [allow(["*"], ["*"]), deny_stmt(["s3:DeleteBucket*", "dynamodb:DeleteTable"], ["*"])],
		"rule": "iam-wildcard-action",
		"want": ["including reading every secret and granting itself any permission", "Statement 1 denies s3:DeleteBucket*, dynamodb:DeleteTable on *."],
		"never": ["full administrator access"],
	},
	{
		"name": "a conditional Deny of everything is a limit, not a removal",
		"stmts": [allow(["*"], ["*"]), with_condition(deny_stmt(["*"], ["*"]), {"Bool": {"aws:multifactorauthpresent": ["false"]}})],
		"rule": "iam-wildcard-action",
		"want": ["full administrator access, including reading every secret and granting itself any permission.", "Statement 1 denies * on * when its condition on aws:MultiFactorAuthPresent holds."],
		"never": [],
	},
	{
		"name": "a Deny of the secret-policy actions removes re-sharing only",
		"stmts": [allow(["secretsmanager:*"], [secret_arn("dev/*")]), deny_stmt(["secretsmanager:PutResourcePolicy"], ["*"])],
		"rule": "iam-secretsmanager-wildcard",
		"want": ["reading, overwriting and deleting those secrets and switching off their rotation, but not re-sharing them. Statement 1 denies secretsmanager:PutResourcePolicy on *."],
		"never": ["re-sharing those"],
	},
	{
		"name": "a Deny of reading and rotation on every secret",
		"stmts": [allow(["secretsmanager:*"], ["*"]), deny_stmt(["secretsmanager:GetSecretValue", "secretsmanager:CancelRotateSecret"], ["*"])],
		"rule": "iam-secretsmanager-wildcard",
		"want": [": overwriting, deleting and re-sharing those secrets, but not reading them or switching off their rotation."],
		"never": ["reading, "],
	},
	{
		"name": "a Deny on fewer secrets than the Allow removes nothing, and is named",
		"stmts": [allow(["secretsmanager:GetSecretValue"], ["*"]), deny_stmt(["secretsmanager:GetSecretValue"], [secret_arn("prod/*")])],
		"rule": "iam-secret-read-wildcard-resource",
		"want": ["in every environment except where statement 1 denies it (on arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/*). Statement 1 denies secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/*."],
		"never": [],
	},
	{
		"name": "a non-secret condition on a read of every secret is named",
		"stmts": [with_condition(allow(["secretsmanager:GetSecretValue"], ["*"]), {"StringEquals": {"aws:sourcevpce": ["vpce-1a2b3c4d"]}})],
		"rule": "iam-secret-read-wildcard-resource",
		"want": ["on *, and only when its condition on aws:SourceVpce holds: it can read"],
		"never": [],
	},
	{
		"name": "escalation actions a Deny removes are not listed",
		"stmts": [allow(["iam:PassRole", "iam:PutRolePolicy"], ["*"]), deny_stmt(["iam:Put*"], ["*"])],
		"rule": "iam-privilege-escalation",
		"want": ["allows privilege-escalation actions: iam:PassRole on every role. Statement 1 denies iam:Put* on *."],
		"never": ["PutRolePolicy,", "iam:PutRolePolicy."],
	},
	{
		"name": "NotAction Allow with a Deny NotAction",
		"stmts": [{"effect": "Allow", "action": null, "not_action": ["iam:*"], "resource": ["*"], "not_resource": null}, {"effect": "Deny", "action": null, "not_action": ["s3:*", "ec2:*"], "resource": ["*"], "not_resource": null}],
		"rule": "iam-not-action-allow",
		"want": ["including any action AWS adds later. Statement 1 denies every action except s3:*, ec2:* on *."],
		"never": [],
	},
]

test_words_honour_deny_and_conditions if {
	every c in word_cases {
		f := one(policy_findings(c.stmts), c.rule)
		every w in c.want {
			contains(f.message, w)
		}
		every n in c.never {
			not contains(f.message, n)
		}
	}
}

# What an unconditional Deny removes entirely is not reported at all.
removed_cases := [
	{"stmts": [allow(["secretsmanager:GetSecretValue"], ["*"]), deny_stmt(["secretsmanager:Get*"], ["*"])], "absent": "iam-secret-read-wildcard-resource"},
	{"stmts": [allow(["kms:Decrypt"], ["*"]), deny_stmt(["kms:*"], ["*"])], "absent": "iam-kms-decrypt-unscoped"},
	{"stmts": [allow(["iam:PassRole"], ["*"]), deny_stmt(["iam:PassRole"], ["*"])], "absent": "iam-privilege-escalation"},
	{"stmts": [allow(["secretsmanager:*"], ["*"]), deny_stmt(["secretsmanager:*"], ["*"])], "absent": "iam-secretsmanager-wildcard"},
	{"stmts": [allow(["*"], ["*"]), deny_stmt(["*"], ["*"])], "absent": "iam-wildcard-action"},
	{"stmts": [{"effect": "Allow", "action": null, "not_action": ["iam:*"], "resource": ["*"], "not_resource": null}, deny_stmt(["*"], ["*"])], "absent": "iam-not-action-allow"},
]

test_what_a_deny_removes_is_not_reported if {
	every c in removed_cases {
		not c.absent in rules(policy_findings(c.stmts))
	}
}

# A conditional Deny, or one on fewer resources, removes nothing: the
# finding stays.
kept_cases := [
	{"stmts": [allow(["secretsmanager:GetSecretValue"], ["*"]), with_condition(deny_stmt(["secretsmanager:GetSecretValue"], ["*"]), {"StringNotEquals": {"aws:sourcevpce": ["vpce-1"]}})], "rule": "iam-secret-read-wildcard-resource"},
	{"stmts": [allow(["kms:Decrypt"], ["*"]), deny_stmt(["kms:Decrypt"], ["arn:aws:kms:eu-west-1:123456789012:key/k1"])], "rule": "iam-kms-decrypt-unscoped"},
	{"stmts": [allow(["iam:PassRole"], ["*"]), deny_stmt(["iam:PassRole"], ["arn:aws:iam::123456789012:role/admin"])], "rule": "iam-privilege-escalation"},
]

test_what_a_deny_only_limits_is_still_reported if {
	every c in kept_cases {
		c.rule in rules(policy_findings(c.stmts))
	}
}
