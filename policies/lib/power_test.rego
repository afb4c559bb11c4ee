package secretgate.lib.power_test

import rego.v1

import data.secretgate.lib.power

cfg := {"environments": {
	"prod": {"production": true},
	"dev": {"production": false},
}}

stmt(actions, resources) := {"effect": "Allow", "action": actions, "not_action": null, "resource": resources, "not_resource": null}

pol(name, stmts) := {"id": name, "name": name, "kind": "inline", "document": {"statement": stmts}}

role(arns) := {"id": "r", "name": "deploy", "policy_ids": [], "attached_arns": arns}

class_of(arns, pols) := c if {
	c := power.role_power(role(arns), pols).class with input as {"config": cfg}
}

test_managed_policies_by_name if {
	class_of(["arn:aws:iam::aws:policy/AdministratorAccess"], []) == "admin"
	class_of(["arn:aws:iam::aws:policy/PowerUserAccess"], []) == "privilege-escalation"
	class_of(["arn:aws:iam::aws:policy/IAMFullAccess"], []) == "privilege-escalation"
	class_of(["arn:aws:iam::aws:policy/SecretsManagerReadWrite"], []) == "secret-write"
	class_of(["arn:aws:iam::aws:policy/AmazonS3FullAccess"], []) == "write"
	class_of(["arn:aws:iam::aws:policy/ReadOnlyAccess"], []) == "read-only"
	class_of(["arn:aws-us-gov:iam::aws:policy/service-role/AdministratorAccess"], []) == "admin"
}

test_unknown_managed_policy if {
	class_of(["arn:aws:iam::aws:policy/AmazonSomethingNew"], []) == "unknown"
	class_of(["arn:aws:iam::123456789012:policy/team-deploy"], []) == "unknown"

	# a known document wins over the attachment's name
	p := object.union(pol("team-deploy", [stmt(["s3:GetObject"], ["*"])]), {"arn": "arn:aws:iam::123456789012:policy/team-deploy"})
	class_of(["arn:aws:iam::123456789012:policy/team-deploy"], [p]) == "read-only"
}

test_strongest_wins if {
	class_of(["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"], []) == "admin"
	class_of(["arn:aws:iam::aws:policy/Unknown1"], [pol("p", [stmt(["iam:PassRole"], ["*"])])]) == "privilege-escalation"
}

test_no_permissions if class_of([], []) == "none"

test_documents if {
	class_of([], [pol("p", [stmt(["*"], ["*"])])]) == "admin"
	class_of([], [pol("p", [stmt(["iam:*"], ["*"])])]) == "privilege-escalation"
	class_of([], [pol("p", [stmt(["iam:PassRole"], ["*"])])]) == "privilege-escalation"
	class_of([], [pol("p", [stmt(["iam:PassRole"], ["arn:aws:iam::123456789012:role/lambda-exec"])])]) == "read-only"
	class_of([], [pol("p", [stmt(["secretsmanager:DeleteSecret"], ["arn:aws:secretsmanager:eu-west-1:1:secret:dev/x-*"])])]) == "secret-write"
	class_of([], [pol("p", [stmt(["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:eu-west-1:1:secret:prod/app/*"])])]) == "prod-secret-read"
	class_of([], [pol("p", [stmt(["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:eu-west-1:1:secret:dev/app/*"])])]) == "read-only"
	class_of([], [pol("p", [stmt(["secretsmanager:GetSecretValue"], ["*"])])]) == "prod-secret-read"
	class_of([], [pol("p", [stmt(["s3:PutObject"], ["*"])])]) == "write"
	class_of([], [pol("p", [stmt(["s3:GetObject", "s3:ListBucket"], ["*"])])]) == "read-only"
	na := {"effect": "Allow", "action": null, "not_action": ["iam:*", "organizations:*"], "resource": ["*"], "not_resource": null}
	class_of([], [pol("p", [na])]) == "privilege-escalation"
}

test_deny_grants_nothing if {
	d := object.union(stmt(["*"], ["*"]), {"effect": "Deny"})
	class_of([], [pol("p", [d])]) == "none"

	# An Allow beside a Deny it does not touch keeps its class; one the
	# Deny covers entirely leaves nothing.
	keep := object.union(stmt(["s3:DeleteObject"], ["*"]), {"effect": "Deny"})
	class_of([], [pol("p", [keep, stmt(["s3:GetObject"], ["*"])])]) == "read-only"
	class_of([], [pol("p", [d, stmt(["s3:GetObject"], ["*"])])]) == "none"
}

# Prowler's admin-check fixtures: a NotAction that leaves IAM in is admin,
# as the class says; NotResource "*" leaves nothing; a NotResource that
# excludes one resource still covers every other.
test_not_action_and_not_resource if {
	na := {"effect": "Allow", "action": null, "not_action": ["s3:*"], "resource": ["*"], "not_resource": null}
	class_of([], [pol("p", [na])]) == "admin"
	nr_all := {"effect": "Allow", "action": ["*"], "not_action": null, "resource": null, "not_resource": ["*"]}
	class_of([], [pol("p", [nr_all])]) == "none"
	nr_one := {"effect": "Allow", "action": ["*"], "not_action": null, "resource": null, "not_resource": ["prowler:resource"]}
	class_of([], [pol("p", [nr_one])]) == "admin"

	# PowerUserAccess's NotAction leaves IAM out: escalation, not admin
	pu := {"effect": "Allow", "action": null, "not_action": ["iam:*", "organizations:*"], "resource": ["*"], "not_resource": null}
	class_of([], [pol("p", [pu])]) == "privilege-escalation"
}

# AWS IAM guide: managing one's own access keys gives no new permission;
# the same action on another user does (act as that user).
test_own_credentials_are_not_escalation if {
	own := "arn:aws:iam::*:user/${aws:username}"
	class_of([], [pol("p", [stmt(["iam:CreateAccessKey", "iam:GetUser"], [own])])]) == "write"
	class_of([], [pol("p", [stmt(["iam:*AccessKey*"], [own])])]) == "write"
	class_of([], [pol("p", [stmt(["iam:CreateAccessKey"], ["arn:aws:iam::*:user/division_abc/Richard"])])]) == "privilege-escalation"
	class_of([], [pol("p", [stmt(["iam:CreateAccessKey"], [own, "arn:aws:iam::*:user/admin"])])]) == "privilege-escalation"
}

# Verbs beyond put/create/delete that change resources are writes
# (aws-cloudformation-templates: a VPC peering accepter role).
test_other_write_verbs if {
	every a in ["ec2:AcceptVpcPeeringConnection", "ec2:AuthorizeSecurityGroupIngress", "ec2:RebootInstances", "dynamodb:BatchWriteItem", "kms:RevokeGrant", "codecommit:GitPush", "codecommit:MergePullRequestBySquash"] {
		class_of([], [pol("p", [stmt([a], ["*"])])]) == "write"
	}
	class_of([], [pol("p", [stmt(["dynamodb:BatchGetItem", "ec2:DescribeInstances"], ["*"])])]) == "read-only"
}

test_words if {
	power.words(power.role_power(role(["arn:aws:iam::aws:policy/AdministratorAccess"]), [])) == "which has AdministratorAccess" with input as {"config": cfg}
	power.words(power.role_power(role([]), [pol("deploy", [stmt(["iam:PassRole"], ["*"])])])) == "which can escalate its own privileges (policy deploy allows iam:PassRole on every role)" with input as {"config": cfg}
}

# Deny ------------------------------------------------------------------------

deny_stmt(actions, resources) := object.union(stmt(actions, resources), {"effect": "Deny"})

admin_role := role([])

deny_cases := [
	{
		"name": "Deny iam:* leaves sts:AssumeRole on every role",
		"pols": [pol("admin", [stmt(["*"], ["*"])]), pol("no-iam", [deny_stmt(["iam:*"], ["*"])])],
		"arns": [], "class": "privilege-escalation",
		"via": "policy admin allows sts:AssumeRole on every role, after the Deny statements of policy no-iam",
	},
	{
		"name": "Deny iam:* and sts:* leaves secret writes",
		"pols": [pol("admin", [stmt(["*"], ["*"]), deny_stmt(["iam:*", "sts:*"], ["*"])])],
		"arns": [], "class": "secret-write",
		"via": "policy admin allows secretsmanager:PutSecretValue, after the Deny statements of policy admin",
	},
	{
		"name": "a Deny the role can delete (it keeps iam:PutRolePolicy) lowers nothing",
		"pols": [pol("admin", [stmt(["*"], ["*"])]), pol("no-s3", [deny_stmt(["s3:*", "secretsmanager:*"], ["*"])])],
		"arns": [], "class": "admin", "via": "policy admin allows every action on every resource",
	},
	{
		"name": "a conditional Deny lowers nothing",
		"pols": [pol("admin", [stmt(["*"], ["*"]), object.union(deny_stmt(["iam:*", "sts:*"], ["*"]), {"condition": {"Bool": {"aws:multifactorauthpresent": ["false"]}}})])],
		"arns": [], "class": "admin", "via": "policy admin allows every action on every resource",
	},
	{
		"name": "a Deny on fewer resources than the Allow lowers nothing",
		"pols": [pol("admin", [stmt(["*"], ["*"]), deny_stmt(["iam:*", "sts:*"], ["arn:aws:iam::123456789012:role/deploy"])])],
		"arns": [], "class": "admin", "via": "policy admin allows every action on every resource",
	},
	{
		"name": "a Deny beside AdministratorAccess is subtracted from it",
		"pols": [pol("guard", [deny_stmt(["iam:*", "sts:*"], ["*"])])],
		"arns": ["arn:aws:iam::aws:policy/AdministratorAccess"], "class": "secret-write",
		"via": "AdministratorAccess allows secretsmanager:PutSecretValue, after the Deny statements of policy guard",
	},
	{
		"name": "an unknown managed policy might undo the Deny",
		"pols": [pol("admin", [stmt(["*"], ["*"]), deny_stmt(["iam:*", "sts:*"], ["*"])])],
		"arns": ["arn:aws:iam::123456789012:policy/team"], "class": "admin", "via": "policy admin allows every action on every resource",
	},
	{
		"name": "a Deny of secretsmanager:* leaves SecretsManagerReadWrite its CloudFormation change sets",
		"pols": [pol("guard", [deny_stmt(["secretsmanager:*"], ["*"])])],
		"arns": ["arn:aws:iam::aws:policy/SecretsManagerReadWrite"], "class": "write",
		"via": "SecretsManagerReadWrite allows cloudformation:CreateChangeSet, after the Deny statements of policy guard",
	},
	{
		# prowler iam_inline_policy_allows_privilege_escalation test: sts:*
		# allowed, then denied, and everything else denied too.
		"name": "a Deny that takes everything away leaves nothing",
		"pols": [pol("sts", [stmt(["sts:*"], ["*"]), deny_stmt(["sts:*"], ["*"])])],
		"arns": [], "class": "none", "via": "policy sts, after the Deny statements of policy sts",
	},
	{
		# wellcometrust/terraform-modules iam/prebuilt/assumable_roles/developer:
		# Allow *, Deny of destructive S3/DynamoDB/RDS actions, iam:* less
		# user and group management: it can still rewrite its own policies.
		"name": "wellcometrust developer role stays admin",
		"pols": [
			pol("developer_go_hog_wild", [stmt(["*"], ["*"])]),
			pol("developer_restrict_destructive_actions", [deny_stmt(["s3:DeleteBucket*", "s3:PutBucket*", "s3:PutEncryptionConfiguration", "s3:PutInventoryConfiguration", "s3:PutLifecycleConfiguration", "s3:PutMetricsConfiguration", "s3:PutReplicationConfiguration", "dynamodb:DeleteTable", "rds:DeleteDB*"], ["*"])]),
			pol("developer_iam_user_group_deny", [stmt(["iam:*"], ["*"]), deny_stmt(["iam:*User*", "iam:*Group*"], ["*"])]),
		],
		"arns": [], "class": "admin", "via": "policy developer_go_hog_wild allows every action on every resource",
	},
]

test_deny_lowers_power_only_when_it_binds if {
	every c in deny_cases {
		p := power.role_power(role(c.arns), c.pols) with input as {"config": cfg}
		p.class == c.class
		p.via == c.via
	}
}

test_words_after_deny if {
	p := power.role_power(admin_role, deny_cases[0].pols) with input as {"config": cfg}
	power.words(p) == "which can escalate its own privileges (policy admin allows sts:AssumeRole on every role, after the Deny statements of policy no-iam)"
}

# Resource ------------------------------------------------------------------

# An action counts for a class only on resources that can be of its
# service: "*" on two S3 ARNs writes S3 objects, nothing more (IAM, STS and
# Secrets Manager actions do nothing on a bucket).
test_actions_count_only_on_resources_of_their_service if {
	s3 := ["arn:aws:s3:::acme-artifacts", "arn:aws:s3:::acme-artifacts/*"]
	class_of([], [pol("p", [stmt(["*"], s3)])]) == "write"
	class_of([], [pol("p", [stmt(["iam:*", "secretsmanager:*"], s3)])]) == "write"
	class_of([], [pol("p", [stmt(["iam:CreatePolicyVersion"], ["arn:aws:s3:::acme-artifacts/*"])])]) == "write"
	class_of([], [pol("p", [stmt(["secretsmanager:DeleteSecret"], ["arn:aws:s3:::acme-artifacts/*"])])]) == "write"

	# IAM actions on IAM ARNs, or on patterns whose service part may be iam
	class_of([], [pol("p", [stmt(["*"], ["arn:aws:iam::123456789012:policy/deploy"])])]) == "privilege-escalation"
	class_of([], [pol("p", [stmt(["*"], ["arn:aws:i*"])])]) == "privilege-escalation"
	class_of([], [pol("p", [stmt(["*"], ["arn:*:iam::*:role/x"])])]) == "privilege-escalation"
	class_of([], [pol("p", [stmt(["*"], ["arn:aws:*:*:*:*"])])]) == "privilege-escalation"
	class_of([], [pol("p", [stmt(["*"], ["arn:aws:secretsmanager:*:*:secret:dev/*"])])]) == "secret-write"

	# admin needs every resource: NotResource that leaves IAM out is not
	# admin and no escalation, but secrets are left
	no_iam := {"effect": "Allow", "action": ["*"], "not_action": null, "resource": null, "not_resource": ["arn:aws:iam::*:*"]}
	class_of([], [pol("p", [no_iam])]) == "secret-write"
	no_iam_role := {"effect": "Allow", "action": ["*"], "not_action": null, "resource": null, "not_resource": ["arn:aws:iam::*:role/admin"]}
	class_of([], [pol("p", [no_iam_role])]) == "admin"
}

test_words_name_the_resource_of_a_wildcard_write if {
	p := power.role_power(role([]), [pol("artifacts", [stmt(["*"], ["arn:aws:s3:::acme-artifacts", "arn:aws:s3:::acme-artifacts/*"])])]) with input as {"config": cfg}
	power.words(p) == "which can change resources other than IAM and secrets (policy artifacts allows * on arn:aws:s3:::acme-artifacts)"
}

# A resource that is not an ARN (a documentation placeholder, an unresolved
# Terraform reference) may be of any service.
test_non_arn_resources_may_be_of_any_service if {
	class_of([], [pol("p", [stmt(["secretsmanager:PutSecretValue"], ["SecretARN"])])]) == "secret-write"
	class_of([], [pol("p", [stmt(["iam:PutRolePolicy"], ["${aws_iam_role.deploy.arn}"])])]) == "privilege-escalation"
}

# Production secrets --------------------------------------------------------

dev_tag := {"StringEquals": {"aws:resourcetag/environment": ["dev"]}}

dev_reader := object.union(stmt(["secretsmanager:GetSecretValue"], ["*"]), {"condition": dev_tag})

# An unconditional Deny of the production secrets (secret:prod/*, as the
# naming pattern {env}/{service}/{type} places them) takes prod-secret-read
# from an Allow on every secret; a Deny of one region, or of other names,
# does not.
test_deny_of_production_secrets_removes_prod_secret_read if {
	prod_deny := deny_stmt(["secretsmanager:*"], ["arn:aws:secretsmanager:*:*:secret:prod/*"])
	class_of([], [pol("dev", [dev_reader, prod_deny])]) == "read-only"
	class_of([], [pol("dev", [stmt(["secretsmanager:GetSecretValue"], ["*"]), deny_stmt(["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:*:*:secret:prod/*"])])]) == "read-only"
	class_of([], [pol("dev", [stmt(["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:eu-west-1:1:secret:*"]), prod_deny])]) == "read-only"

	# not covering: one region only, another environment, a conditional Deny
	class_of([], [pol("dev", [dev_reader, deny_stmt(["secretsmanager:*"], ["arn:aws:secretsmanager:eu-west-1:1:secret:prod/*"])])]) == "prod-secret-read"
	class_of([], [pol("dev", [dev_reader, deny_stmt(["secretsmanager:*"], ["arn:aws:secretsmanager:*:*:secret:staging/*"])])]) == "prod-secret-read"
	cond_deny := object.union(prod_deny, {"condition": {"Bool": {"aws:multifactorauthpresent": ["false"]}}})
	class_of([], [pol("dev", [dev_reader, cond_deny])]) == "prod-secret-read"

	# a role that might undo the Deny (an unknown managed policy might
	# grant iam:PutRolePolicy) keeps it
	class_of(["arn:aws:iam::123456789012:policy/team"], [pol("dev", [dev_reader, prod_deny])]) == "prod-secret-read"
}

# An Allow with a Condition grants its class only if the condition allows:
# the words say "may", and name the condition.
test_conditional_allow_words if {
	p := power.role_power(role([]), [pol("dev", [dev_reader])]) with input as {"config": cfg}
	p.class == "prod-secret-read"
	power.words(p) == "which may read production secrets, if its conditions allow (policy dev allows secretsmanager:GetSecretValue on *; its condition on aws:ResourceTag/environment decides)"

	# an unconditional statement of the same class wins: stated as fact
	q := power.role_power(role([]), [pol("dev", [dev_reader]), pol("prod", [stmt(["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:eu-west-1:1:secret:prod/app/*"])])]) with input as {"config": cfg}
	power.words(q) == "which can read production secrets (policy prod allows secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:1:secret:prod/app/*)"
}
