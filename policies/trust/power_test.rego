# Verdicts by blast radius: the severity of a trust finding is who can
# assume the role (the exposure) combined with what the role can do (its
# power, data.secretgate.lib.power); docs/trust.md has the matrix.
package secretgate.rules.trust_power_test

import rego.v1

import data.secretgate.rules.trust

provider := "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"

k(claim) := concat("", ["token.actions.githubusercontent.com:", claim])

aud_ok := {k("aud"): ["sts.amazonaws.com"]}

config := {
	"environments": {
		"prod": {"max_rotation_days": 90, "production": true},
		"dev": {"max_rotation_days": 0, "production": false},
	},
	"github": {
		"organizations": [],
		"repositories": ["acme/payments"],
		"audience": "sts.amazonaws.com",
		"issuers": ["token.actions.githubusercontent.com"],
	},
	"waivers": [],
}

gh_stmt(cond) := {
	"sid": "",
	"effect": "Allow",
	"principal": {"Federated": [provider]},
	"action": ["sts:AssumeRoleWithWebIdentity"],
	"condition": cond,
	"index": 0,
	"file": "iam/deploy-trust.json",
	"line": 4,
}

sub_like(vals) := {"StringEquals": aud_ok, "StringLike": {k("sub"): vals}}

sub_eq(vals) := {"StringEquals": object.union(aud_ok, {k("sub"): vals})}

admin := "arn:aws:iam::aws:policy/AdministratorAccess"

role(name, env, cond, arns, ids) := {
	"id": concat("", ["arn:aws:iam::123456789012:role/", name]),
	"name": name,
	"environment": env,
	"trust": {"version": "2012-10-17", "statement": [gh_stmt(cond)]},
	"policy_ids": ids,
	"attached_arns": arns,
	"source": "iam-json",
	"file": "iam/deploy-trust.json",
	"line": 1,
}

policy(id, actions, resources) := {
	"id": id,
	"name": id,
	"kind": "inline",
	"role_ids": [],
	"document": {"statement": [{"effect": "Allow", "action": actions, "not_action": null, "resource": resources, "not_resource": null, "index": 0}]},
}

run(roles, policies) := fs if {
	fs := trust.deny with input as {"config": config, "roles": roles, "policies": policies}
}

run_gh(roles, gh) := fs if {
	fs := trust.deny with input as {"config": object.union(config, {"github": object.union(config.github, gh)}), "roles": roles, "policies": []}
}

by_rule(fs) := {f.rule: f | some f in fs}

# --- 1. power raises severity; the message says both -------------------------------

test_admin_role_open_to_pull_requests_critical if {
	f := by_rule(run([role("deploy", "", sub_like(["repo:acme/payments:*"]), [admin], [])], []))["trust-oidc-prod-pull-request"]
	not f.severity # the rule's default: critical
	contains(f.message, "Any pull request of acme/payments can assume deploy, which has AdministratorAccess.")
}

test_terraform_apply_role_open_to_every_ref if {
	fs := run([role("terraform-apply", "dev", sub_like(["repo:acme/payments:ref:*", "repo:acme/payments:pull_request"]), [], ["tf"])], [policy("tf", ["iam:*"], ["*"])])
	f := by_rule(fs)["trust-oidc-prod-pull-request"]
	not f.severity # critical
	contains(f.message, "which can escalate its own privileges (policy tf allows iam:CreatePolicyVersion)")
}

test_secret_writer_any_branch_medium if {
	fs := run([role("rotate", "dev", sub_like(["repo:acme/payments:ref:refs/heads/*"]), [], ["w"])], [policy("w", ["secretsmanager:PutSecretValue"], ["*"])])
	f := by_rule(fs)["trust-oidc-prod-unpinned"]
	f.severity == "medium"
	contains(f.message, "Any branch of acme/payments can assume rotate, which can write and delete secrets (policy w allows secretsmanager:PutSecretValue).")
}

test_read_only_role_unchanged if {
	count(run([role("plan", "dev", sub_like(["repo:acme/payments:*"]), ["arn:aws:iam::aws:policy/ReadOnlyAccess"], [])], [])) == 0
}

# Unknown power fails closed: a non-production role whose attached managed
# policy secretgate cannot read, open to pull requests or any branch, is
# reported at medium, naming the policy.
test_unknown_power_open_to_pull_requests_medium if {
	fs := by_rule(run([role("plan", "dev", sub_like(["repo:acme/payments:*"]), ["arn:aws:iam::123456789012:policy/elsewhere"], [])], []))
	f := fs["trust-oidc-prod-pull-request"]
	f.severity == "medium"
	contains(f.message, "Any pull request of acme/payments can assume plan, whose power is unknown: managed policy arn:aws:iam::123456789012:policy/elsewhere is neither in the repository nor in secretgate's table of AWS managed policies.")
	count(fs) == 1
}

test_unknown_power_any_branch_medium if {
	fs := run([role("plan", "dev", sub_like(["repo:acme/payments:ref:refs/heads/*"]), ["arn:aws:iam::123456789012:policy/elsewhere"], [])], [])
	f := by_rule(fs)["trust-oidc-prod-unpinned"]
	f.severity == "medium"
	contains(f.message, "whose power is unknown: managed policy arn:aws:iam::123456789012:policy/elsewhere")
	not by_rule(fs)["trust-oidc-prod-pull-request"]
}

# Pinned to main, an unknown-power role is no finding.
test_unknown_power_pinned_silent if {
	count(run([role("plan", "dev", sub_eq(["repo:acme/payments:ref:refs/heads/main"]), ["arn:aws:iam::123456789012:policy/elsewhere"], [])], [])) == 0
}

test_whole_org_admin_critical if {
	f := by_rule(run([role("deploy", "dev", sub_like(["repo:acme/*"]), [admin], [])], []))["trust-oidc-whole-org"]
	f.severity == "critical"
	contains(f.message, "Any repository of the acme organisation can assume deploy, which has AdministratorAccess.")
}

test_power_never_lowers_production_severity if {
	f := by_rule(run([role("deploy", "prod", sub_like(["repo:acme/payments:*"]), ["arn:aws:iam::aws:policy/ReadOnlyAccess"], [])], []))["trust-oidc-prod-pull-request"]
	not f.severity
	f2 := by_rule(run([role("deploy", "prod", sub_like(["repo:acme/*"]), [], [])], []))["trust-oidc-whole-org"]
	f2.severity == "critical"
}

test_prod_admin_any_branch_stays_high_with_both_in_message if {
	f := by_rule(run([role("deploy", "prod", sub_like(["repo:acme/payments:ref:refs/heads/*"]), [admin], [])], []))["trust-oidc-prod-unpinned"]
	not f.severity
	contains(f.message, "It is a production role (environment prod)")
	contains(f.message, "which has AdministratorAccess")
}

test_policy_found_through_role_ids if {
	p := object.union(policy("w", ["secretsmanager:DeleteSecret"], ["*"]), {"role_ids": ["arn:aws:iam::123456789012:role/rotate"]})
	f := by_rule(run([role("rotate", "dev", sub_like(["repo:acme/payments:*"]), [], [])], [p]))["trust-oidc-prod-pull-request"]
	f.severity == "high"
}

# --- 2. missing aud: severity by power ----------------------------------------------

test_aud_missing_high_for_powerful_role if {
	f := by_rule(run([role("deploy", "dev", {"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}}, [admin], [])], []))["trust-oidc-aud-missing"]
	f.severity == "high"
	contains(f.message, "which has AdministratorAccess")
	g := by_rule(run([role("deploy", "dev", {"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}}, [], [])], []))["trust-oidc-aud-missing"]
	not g.severity
}

# --- 3. a custom audience pinned with StringEquals ---------------------------------

test_custom_audience_pinned_is_not_a_mismatch if {
	cond := {"StringEquals": {k("aud"): ["https://github.com/acme"], k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}}
	count(run([role("deploy", "prod", cond, [admin], [])], [])) == 0
	cond2 := {"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}, "StringLike": {k("aud"): ["sts.amazonaws.com", "my-audience"]}}
	count(run([role("deploy", "prod", cond2, [], [])], [])) == 0
}

test_audience_pattern_still_a_mismatch if {
	cond := {"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}, "StringLike": {k("aud"): ["sts.*"]}}
	f := by_rule(run([role("deploy", "prod", cond, [], [])], []))["trust-oidc-aud-mismatch"]
	contains(f.message, "accepts the audience \"sts.*\"")
}

# --- 4. any environment admits pull requests unless environments are protected ----

test_any_environment_admits_pull_requests_for_powerful_role if {
	f := by_rule(run([role("deploy", "dev", sub_like(["repo:acme/payments:environment:*"]), [admin], [])], []))["trust-oidc-prod-pull-request"]
	not f.severity # critical
	contains(f.message, "environments are created on first use")
	contains(f.message, "Any pull request of acme/payments can assume deploy, which has AdministratorAccess.")
}

test_any_environment_of_production_role_admits_pull_requests if {
	f := by_rule(run([role("deploy", "prod", sub_like(["repo:acme/payments:environment:*"]), [], [])], []))["trust-oidc-prod-pull-request"]
	contains(f.message, "It is a production role (environment prod)")
}

test_protected_environments_keep_pull_requests_out if {
	fs := run_gh([role("deploy", "dev", sub_like(["repo:acme/payments:environment:release-*"]), [admin], [])], {"protected_environments": ["prod", "release-*"]})
	count(fs) == 0
	gs := run_gh([role("deploy", "dev", sub_like(["repo:acme/payments:environment:*"]), [admin], [])], {"protected_environments": ["prod", "release-*"]})
	{f.rule | some f in gs} == {"trust-oidc-prod-pull-request"}
	hs := run_gh([role("deploy", "prod", sub_like(["repo:acme/payments:environment:*-deploy"]), [admin], [])], {"protected_environments": ["*-deploy"]})
	{f.rule | some f in hs} == {"trust-oidc-prod-unpinned"}
}

# A pattern of wildcards only protects nothing: a pull-request job can name
# a new environment, which GitHub creates unprotected on first use. The
# configuration loader rejects it; the rules ignore it too (issue 13).
test_protected_environments_matching_everything_are_ignored if {
	every p in ["*", "?*", "**"] {
		fs := run_gh([role("deploy", "prod", sub_like(["repo:acme/payments:environment:*"]), [admin], [])], {"protected_environments": [p]})
		"trust-oidc-prod-pull-request" in {f.rule | some f in fs}
	}
}

test_read_only_role_any_environment_unchanged if {
	count(run([role("plan", "dev", sub_like(["repo:acme/payments:environment:*"]), ["arn:aws:iam::aws:policy/ReadOnlyAccess"], [])], [])) == 0
}

# --- 5. trust-oidc-whole-org honours github.organizations ----------------------------

listed := {"organizations": ["acme"], "repositories": []}

test_whole_org_of_listed_organisation_fine_for_ordinary_roles if {
	count(run_gh([role("deploy-dev", "dev", sub_like(["repo:acme/*"]), [], [])], listed)) == 0
	count(run_gh([role("deploy", "", sub_like(["repo:acme/*"]), [], [])], listed)) == 0
	count(run_gh([role("deploy", "", sub_like(["repo:acme@123/*"]), [], [])], {"organizations": ["acme@123"], "repositories": []})) == 0
}

test_whole_org_of_listed_organisation_still_reported_for_production_and_powerful_roles if {
	f := by_rule(run_gh([role("deploy", "prod", sub_like(["repo:acme/*"]), [], [])], listed))["trust-oidc-whole-org"]
	f.severity == "critical"
	g := by_rule(run_gh([role("deploy", "dev", sub_like(["repo:acme/*"]), [admin], [])], listed))["trust-oidc-whole-org"]
	g.severity == "critical"
}

test_owner_of_a_listed_repository_is_not_a_listed_organisation if {
	f := by_rule(run([role("deploy", "dev", sub_like(["repo:acme/*"]), [], [])], []))["trust-oidc-whole-org"]
	not f.severity
}

# --- 6. subjects parsed strictly; a role nobody can assume is broken ---------------

broken(fs) := [f | some f in fs; f.rule == "trust-oidc-subject-malformed"]

test_empty_repo_subject_is_broken_not_whole_org if {
	fs := run([role("deploy", "prod", sub_eq(["repo:"]), [admin], [])], [])
	{f.rule | some f in fs} == {"trust-oidc-subject-malformed"}
	f := broken(fs)[0]
	not f.severity # the rule's default: low
	f.message == "Role deploy can be assumed by no GitHub Actions workflow. In statement 0, StringEquals token.actions.githubusercontent.com:sub \"repo:\" is not a subject GitHub issues (the owner/repository part is empty), so no workflow can assume the role through it."
}

test_malformed_subjects if {
	every v in [
		"repo:/payments:ref:refs/heads/main",
		"repo:acme/:ref:refs/heads/main",
		"repo:acme:ref:refs/heads/main",
		" repo:acme/payments:ref:refs/heads/main",
		"repo:acme/payments:ref:refs/heads/main ",
		"repo: acme/payments:ref:refs/heads/main",
		"Repo:acme/payments:ref:refs/heads/main",
		"repo:acme/payments:ref:refs/Heads/main",
		"repo:acme/payments:Pull_Request",
		"repo:acme/payments:environment:",
		"repo:acme/payments:ref:refs/heads/",
		"invalid", # Checkov's fixture: no claim:value pair, in any template
		"repo:saidsef/terraform-aws-github-oidc:main", # a branch written without ref:refs/heads/
		"REPO:ACME/PAYMENTS:MAIN",
	] {
		fs := run([role("deploy", "prod", sub_eq([v]), [], [])], [])
		{f.rule | some f in fs} == {"trust-oidc-subject-malformed"}
	}
}

test_malformed_pattern_prefix if {
	fs := run([role("deploy", "dev", sub_like(["repo: acme/*"]), [], [])], [])
	{f.rule | some f in fs} == {"trust-oidc-subject-malformed"}
}

test_malformed_value_next_to_a_good_one if {
	fs := run([role("deploy", "prod", sub_eq(["repo:acme/payments:ref:refs/heads/main", "Repo:acme/payments:ref:refs/heads/main"]), [], [])], [])
	f := broken(fs)[0]
	count(fs) == 1
	contains(f.message, "the value never matches")
	startswith(f.message, "Role deploy can be assumed by only branch main of acme/payments. ")
}

test_well_formed_subjects_untouched if {
	every v in [
		"repo:acme/payments:ref:refs/heads/main",
		"repo:acme@123/payments@456:environment:prod",
		"repo:acme/payments:environment:Production US",
	] {
		count(run([role("deploy", "prod", sub_eq([v]), [], [])], [])) == 0
	}
	count(run([role("deploy", "prod", {"StringEquals": aud_ok, "StringEqualsIgnoreCase": {k("sub"): ["REPO:ACME/PAYMENTS:REF:REFS/HEADS/MAIN"]}}, [], [])], [])) == 0
}

# A value secretgate could not resolve (a CloudFormation parameter without
# a value) is unknown, judged the loosest way: any organisation, not a
# malformed subject.
test_unresolved_values_are_not_malformed if {
	fs := run([role("deploy", "prod", sub_like(["${AllowedSubjects}"]), [], [])], [])
	{f.rule | some f in fs} == {"trust-oidc-any-org"}
	gs := run([role("deploy", "prod", sub_like(["repo:acme/app:${Branch}"]), [], [])], [])
	count(broken(gs)) == 0
}

test_any_org_pattern_repo_star_star if {
	fs := run([role("deploy", "dev", sub_like(["repo:*:*"]), [], [])], [])
	{f.rule | some f in fs} == {"trust-oidc-any-org"}
}

# --- the attacker simulation's findings follow the same matrix ----------------------

test_attacker_finding_raised_by_power if {
	fs := trust.deny with input as {"config": config, "roles": [role("deploy", "dev", sub_like(["repo:acme/*"]), [admin], [])], "policies": []}
		with trust.covered_groups as set()
	some f in fs
	f.rule == "trust-oidc-attacker-subject"
	f.key == "statement 0 token.actions.githubusercontent.com attacker other_repo"
	f.severity == "critical"
	contains(f.message, "can assume deploy, which has AdministratorAccess.")
}

# --- power honours Deny (issue 13, item 7) ----------------------------------------

deny_policy(id, actions) := {
	"id": id,
	"name": id,
	"kind": "inline",
	"role_ids": [],
	"document": {"statement": [{"effect": "Deny", "action": actions, "not_action": null, "resource": ["*"], "not_resource": null, "index": 0}]},
}

test_admin_cut_by_unconditional_deny_is_judged_by_what_is_left if {
	fs := run([role("deploy", "dev", sub_like(["repo:acme/payments:*"]), [admin], ["guard"])], [deny_policy("guard", ["iam:*", "sts:*"])])
	f := by_rule(fs)["trust-oidc-prod-pull-request"]
	contains(f.message, "Any pull request of acme/payments can assume deploy, which can write and delete secrets (AdministratorAccess allows secretsmanager:PutSecretValue, after the Deny statements of policy guard).")
	not contains(f.message, "which has AdministratorAccess")
}

test_admin_with_a_deny_it_can_remove_stays_admin if {
	fs := run([role("deploy", "dev", sub_like(["repo:acme/payments:*"]), [admin], ["guard"])], [deny_policy("guard", ["s3:*"])])
	f := by_rule(fs)["trust-oidc-prod-pull-request"]
	contains(f.message, "which has AdministratorAccess.")
}

# Issue 13, first bullet: a dev-named role with AdministratorAccess that any
# branch or pull request of two repositories can assume is critical, and
# the message names both repositories and the power.
test_admin_role_of_two_repositories_open_to_pull_requests if {
	fs := run_gh([role("deploy", "dev", sub_like(["repo:acme/payments:*", "repo:acme/web:*"]), [admin], [])], {"repositories": ["acme/payments", "acme/web"]})
	f := by_rule(fs)["trust-oidc-prod-pull-request"]
	not f.severity # critical
	contains(f.message, "Any pull request of acme/payments or acme/web can assume deploy, which has AdministratorAccess.")
}

# Environments all protected by github.protected_environments: the role is
# pinned to environments, just not to one. The message says so (not "must
# pin it to a branch, a tag or a GitHub environment") and what to pin; a
# production role without power is medium (reviewed branches only), an
# admin one follows the matrix (any branch or tag: high).
test_any_protected_environment_wording if {
	fs := run_gh([role("deployer", "dev", sub_like(["repo:acme/payments:environment:*-deploy"]), [admin], [])], {"protected_environments": ["*-deploy"]})
	f := by_rule(fs)["trust-oidc-prod-unpinned"]
	not contains(f.message, "must pin it to a branch, a tag or a GitHub environment")
	contains(f.message, "Statement 0 admits any environment matching *-deploy, all protected by github.protected_environments; pin the one the role deploys to")
	contains(f.message, "which has AdministratorAccess.")
	not f.severity # high, the default
	gs := run_gh([role("deploy", "prod", sub_like(["repo:acme/payments:environment:*-deploy"]), [], [])], {"protected_environments": ["*-deploy"]})
	g := by_rule(gs)["trust-oidc-prod-unpinned"]
	g.severity == "medium"
	contains(g.message, "It is a production role (environment prod); statement 0 admits any environment matching *-deploy")
}

# --- power counts an action only on resources of its service ----------------------

# "*" on one bucket writes S3 objects; it cannot touch IAM or secrets, so a
# pull-request role holding it is not reported as escalating (critical).
test_wildcard_on_a_bucket_is_write_not_escalation if {
	pol := policy("artifacts", ["*"], ["arn:aws:s3:::acme-artifacts", "arn:aws:s3:::acme-artifacts/*"])
	fs := run([role("upload", "dev", sub_like(["repo:acme/payments:*"]), [], ["artifacts"])], [pol])
	every f in fs {
		not contains(f.message, "escalate")
	}
	not by_rule(fs)["trust-oidc-prod-pull-request"]
}

# --- a Deny of the production secrets, and a conditional Allow -----------------------

dev_reader_policy(stmts) := {"id": "dev-read", "name": "dev-read", "kind": "inline", "role_ids": [], "document": {"statement": stmts}}

dev_read_stmt := {"effect": "Allow", "action": ["secretsmanager:GetSecretValue"], "not_action": null, "resource": ["*"], "not_resource": null, "index": 0, "condition": {"StringEquals": {"aws:resourcetag/environment": ["dev"]}}}

prod_deny_stmt := {"effect": "Deny", "action": ["secretsmanager:*"], "not_action": null, "resource": ["arn:aws:secretsmanager:*:*:secret:prod/*"], "not_resource": null, "index": 1}

test_deny_of_production_secrets_is_not_reported_as_reading_them if {
	fs := run([role("dev-ci", "dev", sub_like(["repo:acme/payments:*"]), [], ["dev-read"])], [dev_reader_policy([dev_read_stmt, prod_deny_stmt])])
	every f in fs {
		not contains(f.message, "production secrets")
	}
}

test_conditional_allow_says_may if {
	fs := run([role("dev-ci", "dev", sub_like(["repo:acme/payments:*"]), [], ["dev-read"])], [dev_reader_policy([dev_read_stmt])])
	f := by_rule(fs)["trust-oidc-prod-pull-request"]
	contains(f.message, "Any pull request of acme/payments can assume dev-ci, which may read production secrets, if its conditions allow (policy dev-read allows secretsmanager:GetSecretValue on *; its condition on aws:ResourceTag/environment decides).")
}

test_unknown_power_any_environment_medium if {
	fs := run([role("plan", "dev", sub_like(["repo:acme/payments:environment:*"]), ["arn:aws:iam::123456789012:policy/elsewhere"], [])], [])
	f := by_rule(fs)["trust-oidc-prod-pull-request"]
	f.severity == "medium"
	contains(f.message, "whose power is unknown")
}
