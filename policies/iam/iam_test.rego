package secretgate.rules.iam_test

import rego.v1

import data.secretgate.rules.iam

config := {
	"environments": {
		"prod": {"max_rotation_days": 90, "warn_days": 14, "grace_hours": 24, "require_rotation": true, "production": true},
		"staging": {"max_rotation_days": 120, "warn_days": 14, "grace_hours": 24, "require_rotation": false, "production": false},
		"dev": {"max_rotation_days": 0, "warn_days": 0, "grace_hours": 24, "require_rotation": false, "production": false},
	},
	"environment_order": ["prod", "staging", "dev"],
	"naming": {"pattern": "{env}/{service}/{type}", "regex": ""},
}

arn_prefix := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:"

secret_arn(name) := concat("", [arn_prefix, name])

allow(actions, resources) := {"effect": "Allow", "action": actions, "not_action": null, "resource": resources, "not_resource": null}

deny_stmt(actions, resources) := {"effect": "Deny", "action": actions, "not_action": null, "resource": resources, "not_resource": null}

with_condition(st, c) := object.union(st, {"condition": c})

# policy(id, statements) is a normalised inline policy; statement i is on
# line 10 + i of iam/<id>.json.
policy(id, stmts) := {
	"id": concat("", ["iam/", id, ".json"]),
	"name": id,
	"kind": "standalone",
	"role_ids": [],
	"source": "iam-json",
	"file": concat("", ["iam/", id, ".json"]),
	"line": 1,
	"document": {"version": "2012-10-17", "statement": [object.union(st, {"index": i, "file": concat("", ["iam/", id, ".json"]), "line": 10 + i}) |
		some i, st in stmts
	]},
}

role(name, env, policies) := {
	"id": concat("", ["arn:aws:iam::123456789012:role/", name]),
	"name": name,
	"environment": env,
	"policy_ids": [p.id | some p in policies],
	"source": "iam-json",
	"file": "iam/roles.json",
	"line": 3,
}

findings(policies, roles) := fs if {
	fs := iam.deny with input as {"now": "2026-11-26T12:00:00Z", "config": config, "policies": policies, "roles": roles, "secrets": []}
}

policy_findings(stmts) := findings([policy("p", stmts)], [])

one(fs, rule) := f if {
	matches := [x | some x in fs; x.rule == rule]
	count(matches) == 1
	f := matches[0]
}

rules(fs) := {f.rule | some f in fs}

of_rule(fs, rule) := {f | some f in fs; f.rule == rule}

# Real-world shaped documents ------------------------------------------------

# Like the AWS managed policy SecretsManagerReadWrite.
secrets_manager_read_write := [
	allow(
		[
			"secretsmanager:*", "cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet",
			"cloudformation:DescribeStackResource", "cloudformation:DescribeStacks", "cloudformation:ExecuteChangeSet",
			"ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "kms:DescribeKey",
			"kms:ListAliases", "kms:ListKeys", "lambda:ListFunctions", "rds:DescribeDBClusters",
			"rds:DescribeDBInstances", "redshift:DescribeClusters", "tag:GetResources",
		],
		["*"],
	),
	allow(
		["lambda:AddPermission", "lambda:CreateFunction", "lambda:GetFunction", "lambda:InvokeFunction", "lambda:UpdateFunctionConfiguration"],
		["arn:aws:lambda:*:*:function:SecretsManager*"],
	),
	allow(["serverlessrepo:CreateCloudFormationChangeSet", "serverlessrepo:GetApplication"], ["arn:aws:serverlessrepo:*:*:applications/SecretsManager*"]),
	allow(["s3:GetObject"], ["arn:aws:s3:::awsserverlessrepo-changesets*", "arn:aws:s3:::secrets-manager-rotation-apps-*/*"]),
]

# A well-scoped reader of the prod bybit secrets.
prod_bybit_reader := [
	object.union(allow(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], [secret_arn("prod/bybit/*")]), {"sid": "ReadBybit"}),
	with_condition(allow(["kms:Decrypt"], ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]), {"StringEquals": {"kms:viaservice": ["secretsmanager.eu-west-1.amazonaws.com"]}}),
]

test_well_scoped_reader_has_no_findings if {
	p := policy("prod-bybit-read", prod_bybit_reader)
	count(findings([p], [role("prod-bybit", "prod", [p])])) == 0
}

test_secrets_manager_read_write_like_document if {
	fs := policy_findings(secrets_manager_read_write)
	rules(fs) == {"iam-secretsmanager-wildcard", "iam-secret-read-wildcard-resource"}
	one(fs, "iam-secretsmanager-wildcard").key == "iam/p.json#0"
	one(fs, "iam-secret-read-wildcard-resource").message == "Policy p statement 0 allows secretsmanager:GetSecretValue (through secretsmanager:*) on *: it can read the value of every secret in the account, in every environment."
}

# iam-wildcard-action ----------------------------------------------------------

test_wildcard_action_on_everything if {
	f := one(policy_findings([allow(["*"], ["*"])]), "iam-wildcard-action")
	f.message == `Policy p statement 0 allows every AWS action (Action "*") on *: full administrator access, including reading every secret and granting itself any permission.`
	f.resource == "p"
	f.file == "iam/p.json"
	f.line == 10
	f.key == "iam/p.json#0"
	not f.severity
}

test_wildcard_action_on_one_resource if {
	f := one(policy_findings([allow(["*"], ["arn:aws:s3:::bucket/*"])]), "iam-wildcard-action")
	f.message == `Policy p statement 0 allows every AWS action (Action "*") on arn:aws:s3:::bucket/*.`
}

test_wildcard_action_star_colon_star if {
	rules(policy_findings([allow(["*:*"], ["*"])])) == {"iam-wildcard-action"}
}

test_wildcard_action_reported_alone if {
	# the critical finding says it all; no derived secret, kms or escalation findings
	rules(policy_findings([allow(["*"], ["*"])])) == {"iam-wildcard-action"}
}

test_wildcard_action_in_deny_is_fine if {
	count(policy_findings([deny_stmt(["*"], ["*"])])) == 0
}

test_statement_label_uses_sid if {
	f := one(policy_findings([object.union(allow(["*"], ["*"]), {"sid": "Admin"})]), "iam-wildcard-action")
	startswith(f.message, "Policy p statement 0 (Sid Admin) allows every AWS action")
}

# iam-secretsmanager-wildcard --------------------------------------------------

test_secretsmanager_wildcard_scoped_still_reported if {
	f := one(policy_findings([allow(["secretsmanager:*"], [secret_arn("prod/bybit/*")])]), "iam-secretsmanager-wildcard")
	f.message == "Policy p statement 0 allows secretsmanager:* on arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/*: reading, overwriting, deleting and re-sharing those secrets and switching off their rotation."
}

test_secretsmanager_wildcard_case_insensitive if {
	rules(policy_findings([allow(["SecretsManager:*"], [secret_arn("prod/bybit/*")])])) == {"iam-secretsmanager-wildcard"}
}

test_secretsmanager_prefix_wildcard_is_not_service_wildcard if {
	count(policy_findings([allow(["secretsmanager:Describe*", "secretsmanager:List*"], ["*"])])) == 0
}

# iam-not-action-allow -----------------------------------------------------------

test_not_action_allow if {
	st := {"effect": "Allow", "action": null, "not_action": ["iam:*", "organizations:*", "account:*"], "resource": ["*"], "not_resource": null}
	fs := policy_findings([st])
	f := one(fs, "iam-not-action-allow")
	f.message == "Policy p statement 0 allows every action except iam:*, organizations:*, account:* (NotAction) on *, including any action AWS adds later."

	# like PowerUserAccess: it also reads every secret and decrypts with every key
	one(fs, "iam-secret-read-wildcard-resource").message == "Policy p statement 0 allows secretsmanager:GetSecretValue (through NotAction) on *: it can read the value of every secret in the account, in every environment."
	"iam-kms-decrypt-unscoped" in rules(fs)
}

test_not_action_escalation_through_not_action if {
	st := {"effect": "Allow", "action": null, "not_action": ["iam:*"], "resource": ["*"], "not_resource": null}
	f := one(policy_findings([st]), "iam-privilege-escalation")
	f.message == "Policy p statement 0 allows privilege-escalation actions: lambda:UpdateFunctionCode (through NotAction), sts:AssumeRole (through NotAction) on every role."
}

test_not_action_deny_is_fine if {
	st := {"effect": "Deny", "action": null, "not_action": ["secretsmanager:GetSecretValue"], "resource": ["*"], "not_resource": null}
	count(policy_findings([st])) == 0
}

# iam-secret-read-wildcard-resource --------------------------------------------------

test_get_secret_value_on_star if {
	f := one(policy_findings([allow(["secretsmanager:GetSecretValue"], ["*"])]), "iam-secret-read-wildcard-resource")
	f.message == "Policy p statement 0 allows secretsmanager:GetSecretValue on *: it can read the value of every secret in the account, in every environment."
	f.key == "iam/p.json#0"
}

test_get_wildcard_on_star if {
	f := one(policy_findings([allow(["secretsmanager:Get*"], ["*"])]), "iam-secret-read-wildcard-resource")
	contains(f.message, "allows secretsmanager:GetSecretValue (through secretsmanager:Get*) on *")
}

test_get_secret_value_on_every_secret_arn if {
	rules(policy_findings([allow(["secretsmanager:GetSecretValue"], [secret_arn("*")])])) == {"iam-secret-read-wildcard-resource"}
	rules(policy_findings([allow(["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:*:*:secret:*"])])) == {"iam-secret-read-wildcard-resource"}
}

test_get_secret_value_scoped_is_fine if {
	count(policy_findings([allow(["secretsmanager:GetSecretValue"], [secret_arn("prod/bybit/*")])])) == 0
}

test_describe_on_star_is_fine if {
	count(policy_findings([allow(["secretsmanager:DescribeSecret", "secretsmanager:ListSecrets"], ["*"])])) == 0
}

test_get_secret_value_narrowed_by_tag_condition if {
	st := with_condition(allow(["secretsmanager:GetSecretValue"], ["*"]), {"StringEquals": {"secretsmanager:resourcetag/environment": ["prod"]}})
	count(policy_findings([st])) == 0
}

test_get_secret_value_tag_condition_wildcard_value_not_narrowing if {
	st := with_condition(allow(["secretsmanager:GetSecretValue"], ["*"]), {"StringLike": {"secretsmanager:resourcetag/environment": ["*"]}})
	rules(policy_findings([st])) == {"iam-secret-read-wildcard-resource"}
}

test_get_secret_value_if_exists_condition_not_narrowing if {
	st := with_condition(allow(["secretsmanager:GetSecretValue"], ["*"]), {"StringEqualsIfExists": {"aws:resourcetag/environment": ["prod"]}})
	rules(policy_findings([st])) == {"iam-secret-read-wildcard-resource"}
}

test_get_secret_value_with_not_resource if {
	st := {"effect": "Allow", "action": ["secretsmanager:GetSecretValue"], "not_action": null, "resource": null, "not_resource": [secret_arn("prod/*")]}
	f := one(policy_findings([st]), "iam-secret-read-wildcard-resource")
	contains(f.message, "on every resource except arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/* (NotResource)")
}

test_not_resource_excluding_every_secret_is_fine if {
	st := {"effect": "Allow", "action": ["secretsmanager:GetSecretValue", "s3:GetObject"], "not_action": null, "resource": null, "not_resource": ["arn:aws:secretsmanager:*:*:secret:*"]}
	count(policy_findings([st])) == 0
}

test_get_secret_value_in_deny_is_fine if {
	count(policy_findings([deny_stmt(["secretsmanager:GetSecretValue"], ["*"])])) == 0
}

# iam-kms-decrypt-unscoped -----------------------------------------------------------

test_kms_decrypt_on_star if {
	f := one(policy_findings([allow(["kms:Decrypt"], ["*"])]), "iam-kms-decrypt-unscoped")
	f.message == "Policy p statement 0 allows kms:Decrypt on * without a kms:ViaService condition: it can decrypt data under every KMS key in the account, not only through Secrets Manager."
}

test_kms_decrypt_on_every_key_arn if {
	rules(policy_findings([allow(["kms:Decrypt"], ["arn:aws:kms:eu-west-1:123456789012:key/*"])])) == {"iam-kms-decrypt-unscoped"}
}

test_kms_wildcard_action_on_star if {
	f := one(policy_findings([allow(["kms:*"], ["*"])]), "iam-kms-decrypt-unscoped")
	contains(f.message, "kms:Decrypt (through kms:*)")
}

test_kms_decrypt_with_via_service_is_fine if {
	st := with_condition(allow(["kms:Decrypt"], ["*"]), {"StringEquals": {"kms:viaservice": ["secretsmanager.eu-west-1.amazonaws.com"]}})
	count(policy_findings([st])) == 0
}

test_kms_decrypt_with_encryption_context_is_fine if {
	st := with_condition(allow(["kms:Decrypt"], ["*"]), {"StringLike": {"kms:encryptioncontext:secretarn": [secret_arn("prod/*")]}})
	count(policy_findings([st])) == 0
}

test_kms_decrypt_with_negated_via_service_is_unscoped if {
	st := with_condition(allow(["kms:Decrypt"], ["*"]), {"StringNotEquals": {"kms:viaservice": ["s3.eu-west-1.amazonaws.com"]}})
	rules(policy_findings([st])) == {"iam-kms-decrypt-unscoped"}
}

test_kms_decrypt_with_if_exists_via_service_is_unscoped if {
	# IfExists passes when the key is absent: direct kms:Decrypt calls
	st := with_condition(allow(["kms:Decrypt"], ["*"]), {"StringEqualsIfExists": {"kms:viaservice": ["secretsmanager.eu-west-1.amazonaws.com"]}})
	rules(policy_findings([st])) == {"iam-kms-decrypt-unscoped"}
}

test_kms_decrypt_null_condition if {
	# Null "false": kms:ViaService must be present, i.e. called through a service
	present := with_condition(allow(["kms:Decrypt"], ["*"]), {"Null": {"kms:viaservice": ["false"]}})
	count(policy_findings([present])) == 0

	# Null "true": only direct calls, the opposite of scoping
	absent := with_condition(allow(["kms:Decrypt"], ["*"]), {"Null": {"kms:viaservice": ["true"]}})
	rules(policy_findings([absent])) == {"iam-kms-decrypt-unscoped"}
}

test_kms_decrypt_on_key_arn_is_fine if {
	count(policy_findings([allow(["kms:Decrypt"], ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])])) == 0
}

# iam-privilege-escalation -----------------------------------------------------------

test_pass_role_on_star if {
	f := one(policy_findings([allow(["iam:PassRole"], ["*"])]), "iam-privilege-escalation")
	f.message == "Policy p statement 0 allows privilege-escalation actions: iam:PassRole on every role."
	f.key == "iam/p.json#0"
}

test_pass_role_on_every_role_of_account if {
	rules(policy_findings([allow(["iam:PassRole"], ["arn:aws:iam::123456789012:role/*"])])) == {"iam-privilege-escalation"}
}

test_pass_role_on_one_role_is_fine if {
	count(policy_findings([allow(["iam:PassRole"], ["arn:aws:iam::123456789012:role/rotation-lambda"])])) == 0
}

test_iam_wildcard_lists_escalations if {
	f := one(policy_findings([allow(["iam:*"], ["*"])]), "iam-privilege-escalation")
	f.message == "Policy p statement 0 allows privilege-escalation actions: iam:PassRole (through iam:*) on every role, iam:CreatePolicyVersion (through iam:*), iam:SetDefaultPolicyVersion (through iam:*), iam:PutRolePolicy (through iam:*), iam:AttachRolePolicy (through iam:*) and 9 more."
}

test_iam_put_wildcard if {
	f := one(policy_findings([allow(["iam:Put*"], ["*"])]), "iam-privilege-escalation")
	f.message == "Policy p statement 0 allows privilege-escalation actions: iam:PutRolePolicy (through iam:Put*), iam:PutUserPolicy (through iam:Put*), iam:PutGroupPolicy (through iam:Put*)."
}

test_each_escalation_action_alone if {
	every a in [
		"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:PutRolePolicy", "iam:AttachRolePolicy",
		"iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:UpdateAssumeRolePolicy",
		"iam:CreateLoginProfile", "iam:UpdateLoginProfile", "lambda:UpdateFunctionCode",
	] {
		f := one(policy_findings([allow([a], ["arn:aws:iam::123456789012:role/app"])]), "iam-privilege-escalation")
		f.message == sprintf("Policy p statement 0 allows privilege-escalation actions: %s.", [a])
	}
}

test_escalation_action_case_insensitive if {
	rules(policy_findings([allow(["IAM:createpolicyversion"], ["*"])])) == {"iam-privilege-escalation"}
}

test_create_access_key_for_self_is_fine if {
	count(policy_findings([allow(["iam:CreateAccessKey"], ["arn:aws:iam::123456789012:user/${aws:username}"])])) == 0
}

test_lambda_create_function_alone_is_fine if {
	count(policy_findings([allow(["lambda:CreateFunction"], ["*"])])) == 0
}

test_lambda_create_function_with_pass_role if {
	fs := policy_findings([
		allow(["lambda:CreateFunction"], ["*"]),
		allow(["iam:PassRole"], ["arn:aws:iam::123456789012:role/lambda-exec"]),
	])
	f := one(fs, "iam-privilege-escalation")
	f.message == "Policy p statement 0 allows privilege-escalation actions: lambda:CreateFunction with iam:PassRole."
}

test_assume_role_on_star if {
	f := one(policy_findings([allow(["sts:AssumeRole"], ["*"])]), "iam-privilege-escalation")
	f.message == "Policy p statement 0 allows privilege-escalation actions: sts:AssumeRole on every role."
}

test_assume_role_on_named_role_is_fine if {
	count(policy_findings([allow(["sts:AssumeRole"], ["arn:aws:iam::210987654321:role/deploy"])])) == 0
}

test_escalation_in_deny_is_fine if {
	count(policy_findings([deny_stmt(["iam:*", "sts:AssumeRole"], ["*"])])) == 0
}

# iam-secret-read-other-environment ------------------------------------------------

test_dev_role_reading_prod_is_critical if {
	p := policy("dev-secrets", [allow(["secretsmanager:GetSecretValue"], [secret_arn("prod/bybit/*")])])
	f := one(findings([p], [role("dev-ci", "dev", [p])]), "iam-secret-read-other-environment")
	f.message == "Role dev-ci in dev can read prod secrets: policy dev-secrets statement 0 allows secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/*."
	f.severity == "critical"
	f.resource == "dev-ci"
	f.key == "iam/dev-secrets.json#0#prod"
	f.file == "iam/dev-secrets.json"
	f.line == 10
}

test_role_reading_own_environment_is_fine if {
	p := policy("dev-secrets", [allow(["secretsmanager:GetSecretValue"], [secret_arn("dev/*")])])
	count(findings([p], [role("dev-ci", "dev", [p])])) == 0
}

test_role_reading_every_secret_names_each_environment if {
	p := policy("dev-secrets", [allow(["secretsmanager:GetSecretValue"], [secret_arn("*")])])
	fs := of_rule(findings([p], [role("dev-ci", "dev", [p])]), "iam-secret-read-other-environment")
	{[f.key, f.severity] | some f in fs} == {["iam/dev-secrets.json#0#prod", "critical"], ["iam/dev-secrets.json#0#staging", "high"]}
}

test_wildcard_in_environment_segment if {
	p := policy("dev-secrets", [allow(["secretsmanager:GetSecretValue"], [secret_arn("*/bybit/*")])])
	fs := of_rule(findings([p], [role("dev-ci", "dev", [p])]), "iam-secret-read-other-environment")
	{f.key | some f in fs} == {"iam/dev-secrets.json#0#prod", "iam/dev-secrets.json#0#staging"}
}

test_question_mark_in_environment_segment if {
	p := policy("dev-secrets", [allow(["secretsmanager:GetSecretValue"], [secret_arn("pro?/bybit/*")])])
	f := one(findings([p], [role("dev-ci", "dev", [p])]), "iam-secret-read-other-environment")
	f.key == "iam/dev-secrets.json#0#prod"
}

test_prod_role_reading_dev_is_medium if {
	p := policy("prod-secrets", [allow(["secretsmanager:GetSecretValue"], [secret_arn("prod/*"), secret_arn("dev/bybit/api-AbCdEf")])])
	f := one(findings([p], [role("prod-app", "prod", [p])]), "iam-secret-read-other-environment")
	f.severity == "medium"
	f.message == "Role prod-app in prod can read dev secrets: policy prod-secrets statement 0 allows secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:123456789012:secret:dev/bybit/api-AbCdEf."
}

# The fix's example comes from the role's own environment: a prod role is
# never told to scope itself to dev/*.
test_fix_example_is_the_roles_own_environment if {
	p := policy("prod-secrets", [allow(["secretsmanager:GetSecretValue"], [secret_arn("prod/*"), secret_arn("dev/bybit/api-AbCdEf")])])
	f := one(findings([p], [role("prod-app", "prod", [p])]), "iam-secret-read-other-environment")
	contains(f.remediation, "secret:prod/*")
	not contains(f.remediation, "dev/")
	contains(f.remediation, "secretsmanager:ResourceTag/environment = prod")
	startswith(f.remediation, "Scope the statement to the role's own environment (prod)")

	q := policy("dev-secrets", [allow(["secretsmanager:GetSecretValue"], [secret_arn("prod/bybit/*")])])
	g := one(findings([q], [role("dev-ci", "dev", [q])]), "iam-secret-read-other-environment")
	contains(g.remediation, "secret:dev/*")
	not contains(g.remediation, "prod")
}

# The wildcard-resource fix names the policy's own environment when it is
# known, and no environment otherwise.
test_wildcard_resource_fix_names_the_policys_environment if {
	p := object.union(policy("dev-all", [allow(["secretsmanager:GetSecretValue"], ["*"])]), {"environment": "dev"})
	f := one(findings([p], []), "iam-secret-read-wildcard-resource")
	contains(f.remediation, "secret:dev/*")
	not contains(f.remediation, "prod")

	q := policy("all", [allow(["secretsmanager:GetSecretValue"], ["*"])])
	g := one(findings([q], []), "iam-secret-read-wildcard-resource")
	contains(g.remediation, "secret:<env>/<service>/*")
}

# Under a naming pattern with the environment second, the example puts it
# there.
test_fix_example_follows_the_naming_pattern if {
	p := policy("stg", [allow(["secretsmanager:GetSecretValue"], [secret_arn("*")])])
	cfg := object.union(config, {"naming": {"pattern": "{service}/{env}/{type}", "regex": ""}})
	fs := iam.deny with input as {"now": "2026-11-26T12:00:00Z", "config": cfg, "policies": [p], "roles": [role("staging-app", "staging", [p])], "secrets": []}
	some f in fs
	f.rule == "iam-secret-read-other-environment"
	contains(f.remediation, "secret:*/staging/*")
}

test_staging_role_reading_dev_is_high if {
	p := policy("stg", [allow(["secretsmanager:GetSecretValue"], [secret_arn("dev/*")])])
	one(findings([p], [role("staging-app", "staging", [p])]), "iam-secret-read-other-environment").severity == "high"
}

test_tag_condition_scopes_star_to_own_environment if {
	st := with_condition(allow(["secretsmanager:GetSecretValue"], ["*"]), {"StringEquals": {"secretsmanager:resourcetag/environment": ["dev"]}})
	p := policy("dev-by-tag", [st])
	count(findings([p], [role("dev-ci", "dev", [p])])) == 0
}

test_tag_condition_naming_another_environment if {
	st := with_condition(allow(["secretsmanager:GetSecretValue"], ["*"]), {"StringEquals": {"aws:resourcetag/environment": ["dev", "prod"]}})
	p := policy("dev-by-tag", [st])
	fs := of_rule(findings([p], [role("dev-ci", "dev", [p])]), "iam-secret-read-other-environment")
	{f.key | some f in fs} == {"iam/dev-by-tag.json#0#prod"}
}

test_tag_condition_if_exists_does_not_scope if {
	st := with_condition(allow(["secretsmanager:GetSecretValue"], ["*"]), {"StringEqualsIfExists": {"secretsmanager:resourcetag/environment": ["dev"]}})
	p := policy("dev-by-tag", [st])
	count(of_rule(findings([p], [role("dev-ci", "dev", [p])]), "iam-secret-read-other-environment")) == 2
}

test_deny_in_another_policy_lifts_environment if {
	reader := policy("reader", [allow(["secretsmanager:GetSecretValue"], [secret_arn("*")])])
	guard := policy("guard", [deny_stmt(["secretsmanager:*"], [secret_arn("prod/*")])])
	fs := of_rule(findings([reader, guard], [role("dev-ci", "dev", [reader, guard])]), "iam-secret-read-other-environment")
	{f.key | some f in fs} == {"iam/reader.json#0#staging"}
}

test_conditional_deny_does_not_lift if {
	reader := policy("reader", [allow(["secretsmanager:GetSecretValue"], [secret_arn("*")])])
	guard := policy("guard", [with_condition(deny_stmt(["secretsmanager:GetSecretValue"], [secret_arn("prod/*")]), {"Bool": {"aws:viaawsservice": ["false"]}})])
	fs := of_rule(findings([reader, guard], [role("dev-ci", "dev", [reader, guard])]), "iam-secret-read-other-environment")
	count(fs) == 2
}

test_not_resource_excluding_prod if {
	st := {"effect": "Allow", "action": ["secretsmanager:GetSecretValue"], "not_action": null, "resource": null, "not_resource": [secret_arn("prod/*")]}
	p := policy("not-prod", [st])
	f := one(findings([p], [role("dev-ci", "dev", [p])]), "iam-secret-read-other-environment")
	f.key == "iam/not-prod.json#0#staging"
	contains(f.message, "on every secret except arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/* (NotResource)")
}

test_get_wildcard_reaches_other_environment if {
	p := policy("reader", [allow(["secretsmanager:Get*", "secretsmanager:Describe*"], [secret_arn("staging/*")])])
	f := one(findings([p], [role("dev-ci", "dev", [p])]), "iam-secret-read-other-environment")
	contains(f.message, "allows secretsmanager:GetSecretValue (through secretsmanager:Get*) on arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/*")
}

test_describe_only_on_other_environment_is_fine if {
	p := policy("reader", [allow(["secretsmanager:DescribeSecret"], [secret_arn("prod/*")])])
	count(findings([p], [role("dev-ci", "dev", [p])])) == 0
}

test_non_secret_resource_is_fine if {
	p := policy("reader", [allow(["secretsmanager:GetSecretValue"], ["arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db"])])
	count(findings([p], [role("dev-ci", "dev", [p])])) == 0
}

test_role_without_environment_not_judged if {
	p := policy("reader", [allow(["secretsmanager:GetSecretValue"], [secret_arn("prod/*")])])
	count(findings([p], [role("shared", "", [p])])) == 0
}

test_only_policies_of_the_role_count if {
	mine := policy("mine", [allow(["secretsmanager:GetSecretValue"], [secret_arn("dev/*")])])
	other := object.union(policy("other", [allow(["secretsmanager:GetSecretValue"], [secret_arn("prod/*")])]), {"role_ids": ["arn:aws:iam::123456789012:role/prod-app"]})
	fs := findings([mine, other], [role("dev-ci", "dev", [mine]), role("prod-app", "prod", [other])])
	count(fs) == 0
}

test_policy_shared_by_roles_judged_per_role if {
	p := object.union(policy("shared", [allow(["secretsmanager:GetSecretValue"], [secret_arn("prod/*")])]), {"role_ids": ["a", "b"]})
	fs := of_rule(findings([p], [role("dev-a", "dev", [p]), role("staging-b", "staging", [p]), role("prod-c", "prod", [p])]), "iam-secret-read-other-environment")
	{[f.resource, f.severity] | some f in fs} == {["dev-a", "critical"], ["staging-b", "critical"]}
}

test_standalone_policy_with_environment if {
	p := object.union(policy("dev-reader", [allow(["secretsmanager:GetSecretValue"], [secret_arn("prod/bybit/api-AbCdEf")])]), {"environment": "dev"})
	f := one(findings([p], []), "iam-secret-read-other-environment")
	f.message == "Policy dev-reader in dev can read prod secrets: statement 0 allows secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/api-AbCdEf."
	f.resource == "dev-reader"
	f.severity == "critical"
}

test_policy_environment_ignored_when_used_by_a_role if {
	p := object.union(policy("dev-reader", [allow(["secretsmanager:GetSecretValue"], [secret_arn("prod/*")])]), {"environment": "dev", "role_ids": ["arn:aws:iam::123456789012:role/x"]})
	count(findings([p], [])) == 0
}

test_statement_location_falls_back_to_policy if {
	p := {
		"id": "inv#policy/reader",
		"name": "reader",
		"kind": "managed",
		"role_ids": [],
		"file": "inventory.json",
		"line": 44,
		"document": {"statement": [object.union(allow(["secretsmanager:GetSecretValue"], ["*"]), {"index": 0, "file": "", "line": 0})]},
	}
	f := one(findings([p], []), "iam-secret-read-wildcard-resource")
	f.file == "inventory.json"
	f.line == 44
}

test_missing_optional_fields_tolerated if {
	# hand-written input without not_action / not_resource keys
	p := {"id": "x", "name": "x", "document": {"statement": [{"effect": "Allow", "action": ["secretsmanager:GetSecretValue"], "resource": [secret_arn("prod/*")], "index": 0}]}}
	r := {"id": "r", "name": "dev-ci", "environment": "dev", "policy_ids": ["x"]}
	f := one(findings([p], [r]), "iam-secret-read-other-environment")
	f.severity == "critical"
}

test_admin_statement_in_dev_role_reaches_prod if {
	p := policy("admin", [allow(["*"], ["*"])])
	fs := findings([p], [role("dev-ci", "dev", [p])])
	one(fs, "iam-wildcard-action").key == "iam/admin.json#0"
	{[f.key, f.severity] | some f in of_rule(fs, "iam-secret-read-other-environment")} == {["iam/admin.json#0#prod", "critical"], ["iam/admin.json#0#staging", "high"]}
}

# iam-broad-managed-policy -----------------------------------------------------------

test_attached_administrator_access if {
	r := object.union(role("ops", "prod", []), {"attached_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]})
	f := one(findings([], [r]), "iam-broad-managed-policy")
	f.severity == "critical"
	f.message == "Role ops has the AWS managed policy AdministratorAccess attached, which grants every action on every resource."
	f.key == "arn:aws:iam::aws:policy/AdministratorAccess"
	f.file == "iam/roles.json"
}

test_attached_secrets_manager_read_write if {
	r := object.union(role("ci", "dev", []), {"attached_arns": ["arn:aws:iam::aws:policy/SecretsManagerReadWrite", "arn:aws:iam::aws:policy/ReadOnlyAccess"]})
	f := one(findings([], [r]), "iam-broad-managed-policy")
	f.severity == "high"
	contains(f.message, "SecretsManagerReadWrite")
}

test_attached_known_managed_policy_judged_by_document if {
	known := object.union(policy("AdministratorAccess", [allow(["*"], ["*"])]), {"arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
	r := object.union(role("ops", "prod", [known]), {"attached_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]})
	fs := findings([known], [r])
	not "iam-broad-managed-policy" in rules(fs)
	"iam-wildcard-action" in rules(fs)
}

test_customer_managed_policy_with_same_name_not_flagged if {
	r := object.union(role("ops", "prod", []), {"attached_arns": ["arn:aws:iam::123456789012:policy/AdministratorAccess"]})
	count(findings([], [r])) == 0
}

# AdministratorAccess with an inline Deny of iam:* and sts:* (which the
# role cannot undo: IAM is denied): the words say what is left, never
# "every action on every resource", and the severity follows it.
test_attached_administrator_access_less_unconditional_deny if {
	guard := policy("guard", [deny_stmt(["iam:*", "sts:*"], ["*"])])
	r := object.union(role("ops", "dev", [guard]), {"attached_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]})
	f := one(findings([guard], [r]), "iam-broad-managed-policy")
	not contains(f.message, "every action on every resource")
	f.message == "Role ops has the AWS managed policy AdministratorAccess attached; the unconditional Deny statements of policy guard take part of it away, and what is left can write and delete secrets (AdministratorAccess allows secretsmanager:PutSecretValue)."
	f.severity == "high"
}

# A Deny the role can undo (s3:* only: iam:PutRolePolicy is left) or one
# with a condition changes nothing.
test_attached_administrator_access_undoable_deny_changes_nothing if {
	every stmts in [
		[deny_stmt(["s3:*"], ["*"])],
		[with_condition(deny_stmt(["iam:*", "sts:*"], ["*"]), {"Bool": {"aws:MultiFactorAuthPresent": ["false"]}})],
	] {
		guard := policy("guard", stmts)
		r := object.union(role("ops", "dev", [guard]), {"attached_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]})
		f := one(findings([guard], [r]), "iam-broad-managed-policy")
		f.message == "Role ops has the AWS managed policy AdministratorAccess attached, which grants every action on every resource."
		f.severity == "critical"
	}
}
