package secretgate.rules.trust_test

import rego.v1

import data.secretgate.rules.trust

provider := "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"

k(claim) := concat("", ["token.actions.githubusercontent.com:", claim])

aud_ok := {k("aud"): ["sts.amazonaws.com"]}

config := {
	"environments": {
		"prod": {"max_rotation_days": 90, "production": true},
		"staging": {"max_rotation_days": 120, "production": false},
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
	"not_action": null,
	"resource": null,
	"not_resource": null,
	"condition": cond,
	"index": 0,
	"file": "iam/deploy-trust.json",
	"line": 4,
}

# the common shape: aud pinned, sub under op
sub_cond(op, vals) := object.union({"StringEquals": aud_ok}, {op: object.union(object.get({"StringEquals": aud_ok}, op, {}), {k("sub"): vals})})

role(name, env, stmts) := {
	"id": concat("", ["arn:aws:iam::123456789012:role/", name]),
	"name": name,
	"environment": env,
	"trust": {"version": "2012-10-17", "statement": stmts, "file": "iam/deploy-trust.json", "line": 1},
	"policy_ids": [],
	"source": "iam-json",
	"file": "iam/deploy-trust.json",
	"line": 1,
}

run(roles) := fs if {
	fs := trust.deny with input as {"config": config, "roles": roles}
}

run_cfg(roles, gh) := fs if {
	fs := trust.deny with input as {"config": object.union(config, {"github": gh}), "roles": roles}
}

one(env, cond) := run([role("deploy", env, [gh_stmt(cond)])])

ids(fs) := {f.rule | some f in fs}

only(fs) := f if {
	count(fs) == 1
	some f in fs
}

# --- good trust policies: no findings ------------------------------------------

test_good_prod_branch if count(one("prod", sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main"]))) == 0

test_good_prod_environment if count(one("prod", sub_cond("StringEquals", ["repo:acme/payments:environment:prod"]))) == 0

test_good_prod_release_tags if count(one("prod", sub_cond("StringLike", ["repo:acme/payments:ref:refs/tags/v*"]))) == 0

test_good_prod_immutable_subject if count(one("prod", sub_cond("StringEquals", ["repo:acme@123/payments@456:ref:refs/heads/main"]))) == 0

test_good_prod_for_any_value_sub if {
	cond := {"StringEquals": aud_ok, "ForAnyValue:StringLike": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}}
	count(one("prod", cond)) == 0
}

test_aws_docs_example_dev_role if count(one("dev", sub_cond("StringLike", ["repo:acme/payments:*"]))) == 0

test_pull_requests_fine_for_staging if count(one("staging", sub_cond("StringEquals", ["repo:acme/payments:pull_request"]))) == 0

test_extra_tag_session_action_fine if {
	s := object.union(gh_stmt(sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main"])), {"action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]})
	count(run([role("deploy", "prod", [s])])) == 0
}

test_role_without_trust if count(run([{"id": "x", "name": "x", "environment": "dev", "trust": null}])) == 0

test_other_identity_provider_ignored if {
	s := object.union(gh_stmt({}), {"principal": {"Federated": ["arn:aws:iam::123456789012:oidc-provider/gitlab.com"]}})
	count(run([role("deploy", "prod", [s])])) == 0
}

# --- sub ---------------------------------------------------------------------------

test_sub_missing_critical if {
	f := only(one("dev", {"StringEquals": aud_ok}))
	f.rule == "trust-oidc-sub-missing"
	not f.severity
	f.message == "Role deploy can be assumed by any repository in any organisation. Statement 0 trusts GitHub's OIDC provider token.actions.githubusercontent.com with no condition on token.actions.githubusercontent.com:sub, so a workflow in any repository can obtain the role's credentials."
	f.file == "iam/deploy-trust.json"
	f.line == 4
	f.resource == "deploy"
	f.key == "statement 0 token.actions.githubusercontent.com"
}

test_no_condition_at_all if {
	fs := one("dev", null)
	ids(fs) == {"trust-oidc-sub-missing", "trust-oidc-aud-missing"}
}

test_sub_missing_but_pinned_by_other_claims_low if {
	cond := {"StringEquals": object.union(aud_ok, {k("repository"): ["acme/payments"], k("ref"): ["refs/heads/main"]})}
	f := only(one("prod", cond))
	f.rule == "trust-oidc-sub-missing"
	f.severity == "low"
	startswith(f.message, "Role deploy can be assumed by only branch main of acme/payments. ")
}

test_sub_star_any_org if {
	f := only(one("dev", sub_cond("StringLike", ["*"])))
	f.rule == "trust-oidc-any-org"
	f.message == "Role deploy can be assumed by any repository in any organisation. The conditions on sub in statement 0 (StringLike \"*\") do not pin an organisation: anyone can create a repository whose workflows match."
}

test_every_value_judged if {
	f := only(one("prod", sub_cond("StringLike", ["repo:acme/payments:ref:refs/heads/main", "*"])))
	f.rule == "trust-oidc-any-org"
	startswith(f.message, "Role deploy can be assumed by any repository in any organisation. ")
}

test_org_wildcard_any_org if {
	f := only(one("dev", sub_cond("StringLike", ["repo:acme-*/payments:*"])))
	f.rule == "trust-oidc-any-org"
	startswith(f.message, "Role deploy can be assumed by any branch, tag or pull request of any repository named payments in any organisation matching acme-*. ")
}

test_star_under_string_equals_not_open if {
	fs := one("prod", sub_cond("StringEquals", ["repo:acme/*"]))
	ids(fs) == {"trust-oidc-literal-wildcard"}
	f := only(fs)
	f.message == "Role deploy can be assumed by no GitHub Actions workflow. In statement 0, StringEquals compares token.actions.githubusercontent.com:sub literally, so \"repo:acme/*\" matches only a value containing a literal \"*\" or \"?\", which GitHub never sends."
}

test_literal_star_next_to_good_value if {
	fs := one("prod", sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main", "repo:acme/*"]))
	ids(fs) == {"trust-oidc-literal-wildcard"}
	startswith(only(fs).message, "Role deploy can be assumed by only branch main of acme/payments. ")
}

test_whole_org_dev_high if {
	f := only(one("dev", sub_cond("StringLike", ["repo:acme/*"])))
	f.rule == "trust-oidc-whole-org"
	not f.severity
	f.message == "Role deploy can be assumed by any repository of the acme organisation. Statement 0 pins the organisation but not the repository: every repository in it, including new ones, can obtain the role's credentials."
}

test_whole_org_prod_critical if {
	f := only(one("prod", sub_cond("StringLike", ["repo:acme/*"])))
	f.rule == "trust-oidc-whole-org"
	f.severity == "critical"
	endswith(f.message, " It is a production role (environment prod).")
}

test_whole_org_narrowed_by_repository_claim if {
	cond := {"StringEquals": object.union(aud_ok, {k("repository"): ["acme/payments"]}), "StringLike": {k("sub"): ["repo:acme/*"]}}
	count(one("dev", cond)) == 0
}

test_wide_sub_narrowed_by_owner_id if {
	cond := {"StringEquals": object.union(aud_ok, {k("repository_owner_id"): ["123"]}), "StringLike": {k("sub"): ["*"]}}
	f := only(run_cfg([role("deploy", "prod", [gh_stmt(cond)])], {"organizations": ["acme@123"], "repositories": []}))
	f.rule == "trust-oidc-whole-org"
	count(run_cfg([role("deploy", "dev", [gh_stmt(cond)])], {"organizations": ["acme@123"], "repositories": []})) == 0
	startswith(f.message, "Role deploy can be assumed by any repository of the organisation with id 123. ")
}

test_untrusted_repository if {
	f := only(one("dev", sub_cond("StringEquals", ["repo:evil/payments:ref:refs/heads/main"])))
	f.rule == "trust-oidc-untrusted-repo"
	f.message == "Role deploy can be assumed by only branch main of evil/payments. Statement 0 trusts evil/payments, which github.repositories and github.organizations do not list."
}

test_untrusted_organisation_as_a_whole if {
	f := only(one("dev", sub_cond("StringLike", ["repo:evil/*"])))
	f.rule == "trust-oidc-untrusted-repo"
	contains(f.message, "Statement 0 trusts the evil organisation, which")
}

test_listed_organisation_allows_repositories if {
	fs := run_cfg([role("deploy", "prod", [gh_stmt(sub_cond("StringEquals", ["repo:acme/other:ref:refs/heads/main"]))])], {"organizations": ["acme"], "repositories": []})
	count(fs) == 0
}

test_no_allowlist_judges_width_only if {
	fs := run_cfg([role("deploy", "prod", [gh_stmt(sub_cond("StringEquals", ["repo:evil/x:ref:refs/heads/main"]))])], {"organizations": [], "repositories": []})
	count(fs) == 0
}

test_immutable_ids_pin_org if {
	fs := one("prod", sub_cond("StringLike", ["repo:*@123/*@456:ref:refs/heads/main"]))
	count(fs) == 0
}

# --- production pinning ---------------------------------------------------------

test_prod_aws_docs_example_pull_requests if {
	f := only(one("prod", sub_cond("StringLike", ["repo:acme/payments:*"])))
	f.rule == "trust-oidc-prod-pull-request"
	f.message == "Role deploy can be assumed by any branch, tag or pull request of acme/payments. It is a production role (environment prod), and statement 0 admits pull request runs, which execute code nobody has reviewed yet."
}

test_prod_pull_request_subject if {
	f := only(one("prod", sub_cond("StringEquals", ["repo:acme/payments:pull_request"])))
	f.rule == "trust-oidc-prod-pull-request"
	startswith(f.message, "Role deploy can be assumed by pull requests of acme/payments. ")
}

test_prod_event_name_pull_request if {
	cond := {"StringEquals": object.union(aud_ok, {k("event_name"): ["pull_request"]}), "StringLike": {k("sub"): ["repo:acme/payments:*"]}}
	ids(one("prod", cond)) == {"trust-oidc-prod-pull-request"}
}

test_prod_any_branch_high if {
	f := only(one("prod", sub_cond("StringLike", ["repo:acme/payments:ref:refs/heads/*"])))
	f.rule == "trust-oidc-prod-unpinned"
	not f.severity
	f.message == "Role deploy can be assumed by any branch of acme/payments. It is a production role (environment prod); statement 0 must pin it to a branch, a tag or a GitHub environment."
}

test_prod_branch_pattern_medium if {
	f := only(one("prod", sub_cond("StringLike", ["repo:acme/payments:ref:refs/heads/release/*"])))
	f.rule == "trust-oidc-prod-unpinned"
	f.severity == "medium"
}

# A pull-request job that names an environment gets its subject, and
# environments are created on first use: any environment admits pull
# requests unless github.protected_environments covers it.
test_prod_any_environment if {
	f := only(one("prod", sub_cond("StringLike", ["repo:acme/payments:environment:*"])))
	f.rule == "trust-oidc-prod-pull-request"
	startswith(f.message, "Role deploy can be assumed by any environment of acme/payments. ")
}

test_prod_any_tag if {
	f := only(one("prod", sub_cond("StringLike", ["repo:acme/payments:ref:refs/tags/*"])))
	f.rule == "trust-oidc-prod-unpinned"
	startswith(f.message, "Role deploy can be assumed by any tag of acme/payments. ")
}

test_prod_wide_sub_with_environment_claim if {
	cond := {"StringEquals": object.union(aud_ok, {k("environment"): ["prod"]}), "StringLike": {k("sub"): ["repo:acme/payments:*"]}}
	count(one("prod", cond)) == 0
}

test_prod_wide_sub_with_ref_claim if {
	cond := {"StringEquals": object.union(aud_ok, {k("ref"): ["refs/heads/main"]}), "StringLike": {k("sub"): ["repo:acme/payments:*"]}}
	count(one("prod", cond)) == 0
}

test_prod_one_good_one_pull_request_value if {
	f := only(one("prod", sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main", "repo:acme/payments:pull_request"])))
	f.rule == "trust-oidc-prod-pull-request"
	startswith(f.message, "Role deploy can be assumed by branch main of acme/payments or pull requests of acme/payments. ")
}

test_prod_job_workflow_ref_is_not_a_pin if {
	cond := {"StringEquals": object.union(aud_ok, {k("job_workflow_ref"): ["acme/workflows/.github/workflows/deploy.yml@refs/heads/main"]}), "StringLike": {k("sub"): ["repo:acme/payments:ref:*"]}}
	f := only(one("prod", cond))
	f.rule == "trust-oidc-prod-unpinned"
	startswith(f.message, "Role deploy can be assumed by any branch or tag of acme/payments (running workflow acme/workflows/.github/workflows/deploy.yml@refs/heads/main). ")
}

# --- aud ---------------------------------------------------------------------------

test_aud_missing if {
	f := only(one("prod", {"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}}))
	f.rule == "trust-oidc-aud-missing"
	f.message == "Role deploy can be assumed by only branch main of acme/payments. Statement 0 does not require the audience sts.amazonaws.com: no StringEquals condition on token.actions.githubusercontent.com:aud."
}

# A pinned custom audience is as specific as sts.amazonaws.com: the IAM OIDC
# provider's client-id list decides which audiences exist.
test_aud_other_pinned_value_fine if {
	cond := {"StringEquals": {k("aud"): ["api://AzureADTokenExchange"], k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}}
	count(one("prod", cond)) == 0
}

test_aud_extra_wildcard_value if {
	cond := {"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}, "StringLike": {k("aud"): ["sts.amazonaws.com", "*"]}}
	f := only(one("prod", cond))
	f.rule == "trust-oidc-aud-mismatch"
	contains(f.message, "accepts the audience \"*\";")
}

test_aud_string_like_without_wildcard_ok if {
	cond := {"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}, "StringLike": {k("aud"): ["sts.amazonaws.com"]}}
	count(one("prod", cond)) == 0
}

# aud is in every AssumeRoleWithWebIdentity request, so IfExists (or
# ForAllValues, as terraform-aws-iam writes it) still pins it: the operator
# is reported, the audience is not missing.
test_aud_if_exists_pins_as_aud_is_always_present if {
	cond := {"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}, "StringEqualsIfExists": {k("aud"): ["sts.amazonaws.com"]}}
	fs := one("prod", cond)
	ids(fs) == {"trust-oidc-condition-hole"}
}

test_aud_configured_audience if {
	cond := {"StringEquals": {k("aud"): ["https://github.com/acme"], k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}}
	gh := object.union(config.github, {"audience": "https://github.com/acme"})
	count(run_cfg([role("deploy", "prod", [gh_stmt(cond)])], gh)) == 0
	count(one("prod", cond)) == 0
}

# --- actions -------------------------------------------------------------------------

test_action_wildcard if {
	s := object.union(gh_stmt(sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main"])), {"action": ["sts:*"]})
	f := only(run([role("deploy", "prod", [s])]))
	f.rule == "trust-oidc-action-wildcard"
	endswith(f.message, "Statement 0 grants sts:* to GitHub's OIDC provider; only sts:AssumeRoleWithWebIdentity is needed.")
}

test_action_star_and_not_action if {
	s1 := object.union(gh_stmt(sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main"])), {"action": ["*"]})
	ids(run([role("deploy", "prod", [s1])])) == {"trust-oidc-action-wildcard"}
	s2 := object.union(gh_stmt(sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main"])), {"action": null, "not_action": ["iam:*"]})
	ids(run([role("deploy", "prod", [s2])])) == {"trust-oidc-action-wildcard"}
}

test_assume_role_with_federated_principal if {
	s := object.union(gh_stmt(sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main"])), {"action": ["sts:AssumeRole"]})
	f := only(run([role("deploy", "prod", [s])]))
	f.rule == "trust-oidc-action-not-web-identity"
	f.message == "Role deploy can be assumed by no GitHub Actions workflow. Statement 0 trusts GitHub's OIDC provider token.actions.githubusercontent.com but allows sts:AssumeRole, not sts:AssumeRoleWithWebIdentity, so no workflow can use it."
}

test_negated_wildcard_not_literal if {
	cond := {"StringEquals": object.union(aud_ok, {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}), "StringNotEquals": {k("sub"): ["repo:acme/*"]}}
	count(one("prod", cond)) == 0
}

# --- conditions that do not constrain ---------------------------------------------------

# Every GitHub token carries sub: ForAllValues and IfExists on it work like
# the plain operator (the attacker simulation agrees), so the role is not
# open to any organisation; the operator is still reported, low.
test_for_all_values_sub_hole if {
	cond := {"StringEquals": aud_ok, "ForAllValues:StringLike": {k("sub"): ["repo:acme/payments:*"]}}
	fs := one("dev", cond)
	ids(fs) == {"trust-oidc-condition-hole"}
	f := only(fs)
	f.severity == "low"
	f.message == "Role deploy can be assumed by any branch, tag or pull request of acme/payments. In statement 0, ForAllValues:StringLike on token.actions.githubusercontent.com:sub does not constrain the claim: ForAllValues is true when the token has no such claim. Every GitHub token carries sub, so here it works as the plain operator; write that instead."
}

test_if_exists_sub_hole if {
	cond := {"StringEquals": aud_ok, "StringLikeIfExists": {k("sub"): ["repo:acme/payments:*"]}}
	ids(one("dev", cond)) == {"trust-oidc-condition-hole"}
	ids(one("prod", cond)) == {"trust-oidc-condition-hole", "trust-oidc-prod-pull-request"}
}

test_if_exists_environment_on_prod if {
	cond := {"StringEquals": object.union(aud_ok, {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}), "StringEqualsIfExists": {k("environment"): ["prod"]}}
	fs := one("prod", cond)
	ids(fs) == {"trust-oidc-condition-hole"}
	only(fs).key == "statement 0 token.actions.githubusercontent.com StringEqualsIfExists environment"
}

test_for_all_values_next_to_real_condition_is_low if {
	cond := {"StringEquals": object.union(aud_ok, {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}), "ForAllValues:StringLike": {k("sub"): ["repo:acme/*"]}}
	f := only(one("prod", cond))
	f.rule == "trust-oidc-condition-hole"
	f.severity == "low"
}

test_negated_alone_is_hole if {
	cond := {"StringEquals": aud_ok, "StringNotLike": {k("sub"): ["repo:evil/*"]}}
	fs := one("dev", cond)
	ids(fs) == {"trust-oidc-condition-hole", "trust-oidc-any-org"}
}

test_negated_exclusion_next_to_pin_is_fine if {
	cond := {"StringEquals": aud_ok, "StringLike": {k("sub"): ["repo:acme/payments:*"]}, "StringNotLike": {k("sub"): ["repo:acme/payments:pull_request"]}}
	count(one("dev", cond)) == 0
}

# --- Deny statements, several statements, providers --------------------------------------

test_deny_statement_narrows_whole_org if {
	d := {
		"sid": "OnlyPayments",
		"effect": "Deny",
		"principal": {"Federated": [provider]},
		"action": ["sts:AssumeRoleWithWebIdentity"],
		"condition": {"StringNotLike": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}},
		"index": 1,
	}
	count(run([role("deploy", "prod", [gh_stmt(sub_cond("StringLike", ["repo:acme/*"])), d])])) == 0
}

# A Deny of pull_request events beside an Allow of any context of the
# repository refuses pull request runs, as IAM (and explain-trust) do: the
# role is reported like an Allow of push events only (unpinned, not pull
# requests).
deny_event(op, vals) := {
	"sid": "NoPullRequests",
	"effect": "Deny",
	"principal": {"Federated": [provider]},
	"action": ["sts:AssumeRoleWithWebIdentity"],
	"condition": {op: {k("event_name"): vals}},
	"index": 1,
}

test_deny_of_pull_request_events_refuses_pull_requests if {
	every d in [deny_event("StringEquals", ["pull_request"]), deny_event("StringLike", ["pull_request*"])] {
		fs := run([role("deploy", "prod", [gh_stmt(sub_cond("StringLike", ["repo:acme/payments:*"])), d])])
		{f.rule | some f in fs} == {"trust-oidc-prod-unpinned"}
	}
}

# A Deny of other events leaves pull requests in.
test_deny_of_other_events_keeps_pull_requests if {
	fs := run([role("deploy", "prod", [gh_stmt(sub_cond("StringLike", ["repo:acme/payments:*"])), deny_event("StringEquals", ["schedule"])])])
	"trust-oidc-prod-pull-request" in {f.rule | some f in fs}
}

test_two_statements_union_in_message if {
	s0 := gh_stmt(sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main"]))
	s1 := object.union(gh_stmt(sub_cond("StringEquals", ["repo:acme/payments:pull_request"])), {"index": 1, "sid": "PR", "line": 20})
	f := only(run([role("deploy", "prod", [s0, s1])]))
	f.rule == "trust-oidc-prod-pull-request"
	f.line == 20
	f.message == "Role deploy can be assumed by branch main of acme/payments or pull requests of acme/payments. It is a production role (environment prod), and statement 1 (PR) admits pull request runs, which execute code nobody has reviewed yet."
}

test_enterprise_issuer_good if {
	ep := "token.actions.githubusercontent.com/acme"
	s := object.union(
		gh_stmt({"StringEquals": {
			concat("", [ep, ":aud"]): ["sts.amazonaws.com"],
			concat("", [ep, ":sub"]): ["repo:acme/payments:environment:prod"],
		}}),
		{"principal": {"Federated": [concat("", ["arn:aws:iam::123456789012:oidc-provider/", ep])]}},
	)
	count(run([role("deploy", "prod", [s])])) == 0
}

test_enterprise_issuer_sub_missing if {
	ep := "token.actions.githubusercontent.com/acme"
	s := object.union(gh_stmt({"StringEquals": {concat("", [ep, ":aud"]): ["sts.amazonaws.com"]}}), {"principal": {"Federated": [concat("", ["arn:aws:iam::123456789012:oidc-provider/", ep])]}})
	f := only(run([role("deploy", "prod", [s])]))
	f.rule == "trust-oidc-sub-missing"
	f.key == "statement 0 token.actions.githubusercontent.com/acme"
}

test_enterprise_issuer_with_default_keys_admits_nobody if {
	ep := "token.actions.githubusercontent.com/acme"
	s := object.union(gh_stmt(sub_cond("StringLike", ["repo:acme/*"])), {"principal": {"Federated": [concat("", ["arn:aws:iam::123456789012:oidc-provider/", ep])]}})
	count(run([role("deploy", "prod", [s])])) == 0
}

test_resource_falls_back_to_id if {
	r := object.union(role("", "dev", [gh_stmt({"StringEquals": aud_ok})]), {"id": "stack.yaml#DeployRole"})
	f := only(run([r]))
	f.resource == "stack.yaml#DeployRole"
}

test_location_falls_back_to_role if {
	s := object.remove(gh_stmt({"StringEquals": aud_ok}), ["file", "line"])
	f := only(run([role("deploy", "dev", [s])]))
	f.file == "iam/deploy-trust.json"
	f.line == 1
}

test_roles_judged_independently if {
	fs := run([
		role("good", "prod", [gh_stmt(sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main"]))]),
		role("bad", "prod", [gh_stmt(sub_cond("StringLike", ["repo:acme/*"]))]),
	])
	{[f.resource, f.rule] | some f in fs} == {["bad", "trust-oidc-whole-org"]}
}

# --- anyone ------------------------------------------------------------------------------

public_stmt(cond) := {"sid": "", "effect": "Allow", "principal": {"AWS": ["*"]}, "action": ["sts:AssumeRole"], "condition": cond, "index": 0, "file": "iam/trust.json", "line": 3}

test_public_principal if {
	f := only(run([role("open", "dev", [public_stmt(null)])]))
	f.rule == "trust-public-principal"
	f.message == "Role open can be assumed by anyone (any AWS principal in any account): statement 0 allows Principal \"*\" without a condition that identifies the caller."
}

test_public_principal_with_org_condition if {
	count(run([role("open", "dev", [public_stmt({"StringEquals": {"aws:principalorgid": ["o-abc123"]}})])])) == 0
}

test_public_principal_secure_transport_only if {
	ids(run([role("open", "dev", [public_stmt({"Bool": {"aws:securetransport": ["true"]}})])])) == {"trust-public-principal"}
}

test_public_principal_if_exists_condition if {
	ids(run([role("open", "dev", [public_stmt({"StringEqualsIfExists": {"aws:principalaccount": ["123456789012"]}})])])) == {"trust-public-principal"}
}

test_not_principal_allow if {
	s := {"effect": "Allow", "not_principal": {"AWS": ["arn:aws:iam::123456789012:root"]}, "action": ["sts:AssumeRole"], "index": 0}
	f := only(run([role("open", "dev", [s])]))
	contains(f.message, "allows NotPrincipal without")
}

test_public_role_who_in_github_findings if {
	fs := run([role("open", "dev", [public_stmt(null), object.union(gh_stmt({"StringEquals": aud_ok}), {"index": 1})])])
	ids(fs) == {"trust-public-principal", "trust-oidc-sub-missing"}
	some f in fs
	f.rule == "trust-oidc-sub-missing"
	startswith(f.message, "Role open can be assumed by anyone (any AWS principal in any account). ")
}
