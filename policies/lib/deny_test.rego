package secretgate.lib.deny_test

import rego.v1

import data.secretgate.lib.deny

allow(actions, resources) := {"effect": "Allow", "action": actions, "not_action": null, "resource": resources, "not_resource": null}

deny_stmt(i, actions, resources) := {"effect": "Deny", "action": actions, "not_action": null, "resource": resources, "not_resource": null, "index": i}

# The ABAC policy of the IAM tutorial "Define permissions to access AWS
# resources based on tags" (access-same-project-team), normalised as
# internal/iampolicy does (condition keys lower-cased).
abac := [
	{
		"sid": "AllActionsSecretsManagerSameProjectSameTeam", "index": 0,
		"effect": "Allow", "action": ["secretsmanager:*"], "not_action": null, "resource": ["*"], "not_resource": null,
		"condition": {
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
		},
	},
	{
		"sid": "AllResourcesSecretsManagerNoTags", "index": 1,
		"effect": "Allow", "action": ["secretsmanager:GetRandomPassword", "secretsmanager:ListSecrets"], "not_action": null, "resource": ["*"], "not_resource": null,
	},
	{
		"sid": "ReadSecretsManagerSameTeam", "index": 2,
		"effect": "Allow", "action": ["secretsmanager:Describe*", "secretsmanager:Get*", "secretsmanager:List*"], "not_action": null, "resource": ["*"], "not_resource": null,
		"condition": {"StringEquals": {"aws:resourcetag/access-team": ["${aws:PrincipalTag/access-team}"]}},
	},
	{
		"sid": "DenyUntagSecretsManagerReservedTags", "index": 3,
		"effect": "Deny", "action": ["secretsmanager:UntagResource"], "not_action": null, "resource": ["*"], "not_resource": null,
		"condition": {"ForAnyValue:StringLike": {"aws:tagkeys": ["access-*"]}},
	},
	{
		"sid": "DenyPermissionsManagement", "index": 4,
		"effect": "Deny", "action": ["secretsmanager:*Policy"], "not_action": null, "resource": ["*"], "not_resource": null,
	},
]

test_covers if {
	every c in [
		["*", "*"], ["*", "s3:GetObject"], ["s3:*", "s3:Get*"], ["secretsmanager:*policy", "secretsmanager:putresourcepolicy"],
		["arn:aws:secretsmanager:*:*:secret:prod/*", "arn:aws:secretsmanager:eu-west-1:1:secret:prod/app/*"],
		["a*c", "a*c"], ["a*", "a?"],
	] {
		deny.covers(c[0], c[1])
	}
	every c in [
		["s3:Get*", "s3:*"], ["a?c", "a*c"], ["arn:aws:secretsmanager:*:*:secret:prod/*", "*"],
		["s3:GetObject", "s3:Get*"], ["iam:*User*", "iam:PutRolePolicy"],
	] {
		not deny.covers(c[0], c[1])
	}
}

test_may_overlap if {
	deny.may_overlap("s3:get*", "s3:*object")
	deny.may_overlap("iam:*", "*")
	not deny.may_overlap("s3:get*", "iam:*")
	not deny.may_overlap("s3:getobject", "s3:putobject")
}

test_unconditional_deny_removes_covered_actions if {
	denies := deny.denies_in(abac)
	st := abac[0]
	deny.removed(denies, "secretsmanager:PutResourcePolicy", st)
	deny.removed(denies, "secretsmanager:DeleteResourcePolicy", st)
	not deny.removed(denies, "secretsmanager:DeleteSecret", st)

	# the conditional Deny of UntagResource removes nothing
	not deny.removed(denies, "secretsmanager:UntagResource", st)
	not deny.fully_removed(denies, st)
}

test_deny_on_fewer_resources_removes_nothing if {
	d := deny_stmt(1, ["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:*:*:secret:prod/*"])
	not deny.removed([d], "secretsmanager:GetSecretValue", allow(["secretsmanager:GetSecretValue"], ["*"]))
	deny.removed([d], "secretsmanager:GetSecretValue", allow(["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:eu-west-1:1:secret:prod/app-*"]))
}

test_not_action_and_not_resource_denies if {
	# Deny NotAction s3:* on *: every action but S3's is removed
	d := {"effect": "Deny", "action": null, "not_action": ["s3:*"], "resource": ["*"], "not_resource": null, "index": 1}
	deny.removed([d], "iam:PassRole", allow(["*"], ["*"]))
	not deny.removed([d], "s3:GetObject", allow(["*"], ["*"]))
	not deny.removed([d], "*", allow(["*"], ["*"]))

	# Deny on NotResource: covers what cannot match the exception only
	nr := {"effect": "Deny", "action": ["secretsmanager:GetSecretValue"], "not_action": null, "resource": null, "not_resource": ["arn:aws:s3:::logs/*"], "index": 1}
	deny.removed([nr], "secretsmanager:GetSecretValue", allow(["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:*:*:secret:prod/*"]))
	not deny.removed([nr], "secretsmanager:GetSecretValue", allow(["secretsmanager:GetSecretValue"], ["*"]))

	# an exception that may overlap (the check is conservative) removes nothing
	nr2 := object.union(nr, {"not_resource": ["arn:aws:secretsmanager:*:*:secret:dev/*"]})
	not deny.removed([nr2], "secretsmanager:GetSecretValue", allow(["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:*:*:secret:dev/app"]))
}

test_fully_removed if {
	deny.fully_removed([deny_stmt(1, ["*"], ["*"])], allow(["s3:*", "iam:PassRole"], ["arn:aws:s3:::b/*"]))
	deny.fully_removed([deny_stmt(1, ["s3:*"], ["*"])], allow(["s3:Get*", "s3:PutObject"], ["*"]))
	not deny.fully_removed([deny_stmt(1, ["s3:*"], ["*"])], allow(["s3:Get*", "sqs:SendMessage"], ["*"]))
	not deny.fully_removed([], allow(["s3:Get*"], ["*"]))
	not deny.fully_removed([object.union(deny_stmt(1, ["*"], ["*"]), {"condition": {"Bool": {"aws:securetransport": ["false"]}}})], allow(["s3:Get*"], ["*"]))
}

test_notes if {
	denies := deny.denies_in(abac)
	deny.notes(denies, abac[0]) == " Statement 3 (Sid DenyUntagSecretsManagerReservedTags) denies secretsmanager:UntagResource on * when its condition on aws:TagKeys holds; statement 4 (Sid DenyPermissionsManagement) denies secretsmanager:*Policy on *."

	# nothing a Deny takes from GetRandomPassword and ListSecrets
	deny.notes(denies, abac[1]) == ""
	deny.notes(denies, abac[2]) == " Statement 4 (Sid DenyPermissionsManagement) denies secretsmanager:*Policy on *."
}

test_limits if {
	deny.limits(abac[0], "secrets") == ", only secrets tagged access-project, access-team and cost-center equal to the caller's tags of the same name, and only when its condition on aws:RequestTag/access-project, aws:RequestTag/access-team, aws:RequestTag/cost-center, aws:TagKeys holds"
	deny.limits(abac[2], "secrets") == ", only secrets tagged access-team equal to the caller's tag"
	deny.limits(abac[1], "secrets") == ""
	lit := {"StringEquals": {"secretsmanager:resourcetag/environment": ["dev", "staging"]}, "StringLike": {"aws:resourcetag/project": ["${aws:PrincipalTag/team}"]}, "IpAddress": {"aws:sourceip": ["10.0.0.0/8"]}}
	deny.limits({"condition": lit}, "secrets") == ", only secrets tagged environment equal to dev or staging and project equal to the caller's team tag, and only when its condition on aws:SourceIp holds"
}
