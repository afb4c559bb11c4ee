package secretgate.lib.trust_test

import rego.v1

import data.secretgate.lib.trust

p := "token.actions.githubusercontent.com"

provider := "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"

aud := {"token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"]}

sub_like(vals) := {"StringEquals": aud, "StringLike": {"token.actions.githubusercontent.com:sub": vals}}

sub_eq(vals) := {"StringEquals": object.union(aud, {"token.actions.githubusercontent.com:sub": vals})}

main_claims := trust.claims_from_sub("repo:acme/payments:ref:refs/heads/main", "sts.amazonaws.com")

stmt(cond) := {
	"effect": "Allow",
	"principal": {"Federated": [provider]},
	"action": ["sts:AssumeRoleWithWebIdentity"],
	"not_action": null,
	"condition": cond,
	"index": 0,
}

doc(stmts) := {"version": "2012-10-17", "statement": stmts}

who_of(cond) := trust.who(trust.condition_scope(cond, p, []).tuples)

scope_of(cond) := trust.condition_scope(cond, p, [])

the_tuple(cond) := t if {
	ts := scope_of(cond).tuples
	count(ts) == 1
	some t in ts
}

# --- IAM condition semantics over concrete claims ---------------------------

test_string_equals_exact if {
	trust.condition_admits(sub_eq(["repo:acme/payments:ref:refs/heads/main"]), p, main_claims)
}

test_string_equals_other_branch_refused if {
	not trust.condition_admits(sub_eq(["repo:acme/payments:ref:refs/heads/main"]), p, trust.claims_from_sub("repo:acme/payments:ref:refs/heads/dev", "sts.amazonaws.com"))
}

test_string_equals_star_is_literal if {
	not trust.condition_admits(sub_eq(["repo:acme/*"]), p, main_claims)
}

test_string_equals_star_matches_literal_star if {
	trust.condition_admits(sub_eq(["repo:acme/*"]), p, {"sub": "repo:acme/*", "aud": "sts.amazonaws.com"})
}

test_string_like_star if trust.condition_admits(sub_like(["repo:acme/*"]), p, main_claims)

test_string_like_question_one_char if {
	trust.condition_admits(sub_like(["repo:acme/payment?:*"]), p, main_claims)
	not trust.condition_admits(sub_like(["repo:acme/payment?:*"]), p, trust.claims_from_sub("repo:acme/paymentsx:ref:refs/heads/main", "sts.amazonaws.com"))
}

test_string_like_without_wildcard_is_exact if {
	trust.condition_admits(sub_like(["repo:acme/payments:ref:refs/heads/main"]), p, main_claims)
	not trust.condition_admits(sub_like(["repo:acme/payments"]), p, main_claims)
}

test_values_of_one_key_are_or if {
	cond := sub_like(["repo:acme/other:*", "repo:acme/payments:ref:refs/heads/main"])
	trust.condition_admits(cond, p, main_claims)
}

test_keys_are_and if {
	cond := sub_like(["repo:acme/payments:*"])
	not trust.condition_admits(cond, p, object.union(main_claims, {"aud": "https://vault.example"}))
}

test_operators_are_and if {
	cond := object.union(sub_like(["repo:acme/*"]), {"StringNotLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}})
	not trust.condition_admits(cond, p, main_claims)
	trust.condition_admits(cond, p, trust.claims_from_sub("repo:acme/other:ref:refs/heads/main", "sts.amazonaws.com"))
}

test_missing_claim_fails_positive_operator if {
	not trust.condition_admits(sub_like(["*"]), p, {"aud": "sts.amazonaws.com"})
}

test_for_any_value_on_single_claim_is_plain if {
	cond := {"ForAnyValue:StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}}
	trust.condition_admits(cond, p, main_claims)
	not trust.condition_admits(cond, p, trust.claims_from_sub("repo:evil/payments:ref:refs/heads/main", "x"))
	not trust.condition_admits(cond, p, {"aud": "sts.amazonaws.com"})
}

test_for_all_values_absent_claim_holds if {
	cond := {"ForAllValues:StringEquals": {"token.actions.githubusercontent.com:environment": ["prod"]}}
	trust.condition_admits(cond, p, main_claims)
}

test_for_all_values_present_claim_checked if {
	cond := {"ForAllValues:StringEquals": {"token.actions.githubusercontent.com:environment": ["prod"]}}
	not trust.condition_admits(cond, p, object.union(main_claims, {"environment": "staging"}))
	trust.condition_admits(cond, p, object.union(main_claims, {"environment": "prod"}))
}

test_if_exists_absent_claim_holds if {
	cond := {"StringEqualsIfExists": {"token.actions.githubusercontent.com:environment": ["prod"]}}
	trust.condition_admits(cond, p, main_claims)
	not trust.condition_admits(cond, p, object.union(main_claims, {"environment": "dev"}))
}

test_negated_operator_absent_holds if {
	cond := {"StringNotEquals": {"token.actions.githubusercontent.com:environment": ["dev"]}}
	trust.condition_admits(cond, p, main_claims)
	not trust.condition_admits(cond, p, object.union(main_claims, {"environment": "dev"}))
}

test_null_operator if {
	cond := {"Null": {"token.actions.githubusercontent.com:environment": ["false"]}}
	not trust.condition_admits(cond, p, main_claims)
	trust.condition_admits(cond, p, object.union(main_claims, {"environment": "prod"}))
}

test_ignore_case_operator if {
	cond := {"StringEqualsIgnoreCase": {"token.actions.githubusercontent.com:repository_owner": ["ACME"]}}
	trust.condition_admits(cond, p, main_claims)
}

test_condition_keys_case_insensitive if {
	cond := {"StringEquals": {"Token.Actions.GitHubUserContent.com:Sub": ["repo:acme/payments:ref:refs/heads/main"]}}
	trust.condition_admits(cond, p, main_claims)
}

test_empty_condition_admits if trust.condition_admits(null, p, main_claims)

test_unmodelled_operator_assumed_true if {
	trust.condition_admits({"DateGreaterThan": {"aws:currenttime": ["2020-01-01T00:00:00Z"]}}, p, main_claims)
}

test_full_key_claims_and_ip_address if {
	cond := {"IpAddress": {"aws:sourceip": ["203.0.113.0/24"]}}
	trust.condition_admits(cond, p, {"aws:sourceip": "203.0.113.7"})
	not trust.condition_admits(cond, p, {"aws:sourceip": "198.51.100.1"})
}

test_enterprise_prefix_keys if {
	ep := "token.actions.githubusercontent.com/acme"
	cond := {"StringEquals": {"token.actions.githubusercontent.com/acme:sub": ["repo:acme/payments:ref:refs/heads/main"]}}
	trust.condition_admits(cond, ep, main_claims)
	not trust.condition_admits(cond, p, main_claims)
}

test_numeric_claim_values_are_strings if {
	cond := {"StringEquals": {"token.actions.githubusercontent.com:repository_owner_id": ["123"]}}
	trust.condition_admits(cond, p, {"repository_owner_id": 123})
}

# --- statements and documents ------------------------------------------------

test_policy_admits_main if trust.policy_admits(doc([stmt(sub_like(["repo:acme/payments:ref:refs/heads/main"]))]), p, main_claims)

test_policy_requires_web_identity_action if {
	s := object.union(stmt(sub_like(["repo:acme/payments:*"])), {"action": ["sts:AssumeRole"]})
	not trust.policy_admits(doc([s]), p, main_claims)
}

test_policy_requires_matching_provider if {
	s := stmt(sub_like(["repo:acme/payments:*"]))
	not trust.policy_admits(doc([s]), "token.actions.githubusercontent.com/acme", main_claims)
}

test_deny_statement_refuses if {
	d := {
		"effect": "Deny",
		"principal": {"AWS": ["*"]},
		"action": ["sts:AssumeRoleWithWebIdentity"],
		"condition": {"StringNotLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}},
	}
	pol := doc([stmt(sub_like(["repo:acme/*"])), d])
	trust.policy_admits(pol, p, main_claims)
	not trust.policy_admits(pol, p, trust.claims_from_sub("repo:acme/other:ref:refs/heads/main", "sts.amazonaws.com"))
}

test_admitting_statements if {
	pol := doc([stmt(sub_like(["repo:acme/other:*"])), stmt(sub_like(["repo:acme/payments:*"]))])
	trust.admitting_statements(pol, p, main_claims) == {1}
}

test_claims_from_immutable_subject if {
	c := trust.claims_from_sub("repo:acme@123/payments@456:environment:prod", "sts.amazonaws.com")
	c == {
		"sub": "repo:acme@123/payments@456:environment:prod",
		"aud": "sts.amazonaws.com",
		"repository": "acme/payments",
		"repository_owner": "acme",
		"repository_owner_id": "123",
		"repository_id": "456",
		"environment": "prod",
		"event_name": "push",
	}
}

test_claims_from_pull_request_subject if {
	c := trust.claims_from_sub("repo:acme/payments:pull_request", "sts.amazonaws.com")
	c.event_name == "pull_request"
	c.ref == "refs/pull/1/merge"
}

test_probes_aws_docs_example if {
	pol := doc([stmt(sub_like(["repo:acme/payments:*"]))])
	trust.admitted_probes(pol, p, "acme", "payments", "sts.amazonaws.com") == {"main", "other_branch", "tag", "environment", "pull_request"}
}

test_probes_whole_org if {
	pol := doc([stmt(sub_like(["repo:acme/*"]))])
	trust.admitted_probes(pol, p, "acme", "payments", "sts.amazonaws.com") == {"main", "other_branch", "tag", "environment", "pull_request", "other_repo"}
}

test_probes_main_only if {
	pol := doc([stmt(sub_eq(["repo:acme/payments:ref:refs/heads/main"]))])
	trust.admitted_probes(pol, p, "acme", "payments", "sts.amazonaws.com") == {"main"}
}

test_probes_wrong_audience_admits_nothing if {
	pol := doc([stmt(sub_eq(["repo:acme/payments:ref:refs/heads/main"]))])
	trust.admitted_probes(pol, p, "acme", "payments", "api://AzureADTokenExchange") == set()
}

# --- providers, operators, config -------------------------------------------

test_github_providers_default if trust.github_providers(stmt(null), {}) == {p}

test_github_providers_enterprise_slug if {
	s := object.union(stmt(null), {"principal": {"Federated": ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme"]}})
	trust.github_providers(s, {}) == {"token.actions.githubusercontent.com/acme"}
}

test_github_providers_cloudformation_sub if {
	s := object.union(stmt(null), {"principal": {"Federated": ["arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"]}})
	trust.github_providers(s, {}) == {p}
}

test_github_providers_other_idp_ignored if {
	s := object.union(stmt(null), {"principal": {"Federated": ["arn:aws:iam::123456789012:oidc-provider/gitlab.com", "cognito-identity.amazonaws.com"]}})
	trust.github_providers(s, {}) == set()
}

test_github_providers_configured_issuer if {
	s := object.union(stmt(null), {"principal": {"Federated": ["arn:aws:iam::123456789012:oidc-provider/ghes.example.com/_services/token"]}})
	trust.github_providers(s, {"issuers": ["https://ghes.example.com/_services/token/"]}) == {"ghes.example.com/_services/token"}
}

test_audience_default if trust.audience({"audience": ""}) == "sts.amazonaws.com"

test_audience_configured if trust.audience({"audience": "https://github.com/acme"}) == "https://github.com/acme"

test_op_info_qualified_ifexists if {
	trust.op_info("ForAllValues:StringNotLikeIfExists") == {"qual": "all", "base": "stringnotlike", "ifexists": true, "negated": true, "positive": "stringlike"}
}

test_constraining_operators if {
	trust.constraining(trust.op_info("StringLike"))
	trust.constraining(trust.op_info("ForAnyValue:StringEquals"))
	not trust.constraining(trust.op_info("ForAllValues:StringEquals"))
	not trust.constraining(trust.op_info("StringEqualsIfExists"))
	not trust.constraining(trust.op_info("StringNotLike"))
	not trust.constraining(trust.op_info("Null"))
}

test_hole_kinds if {
	trust.hole_kind(trust.op_info("ForAllValues:StringLike")) == "forallvalues"
	trust.hole_kind(trust.op_info("StringLikeIfExists")) == "ifexists"
	trust.hole_kind(trust.op_info("StringNotEquals")) == "negated"
	not trust.hole_kind(trust.op_info("StringEquals"))
}

test_broad_actions if {
	trust.broad_actions(object.union(stmt(null), {"action": ["sts:*", "sts:TagSession"]})) == {"sts:*"}
	trust.broad_actions(stmt(null)) == set()
	trust.broad_actions(object.union(stmt(null), {"action": null, "not_action": ["iam:*"]})) == {"NotAction"}
}

test_literal_wildcards if {
	trust.literal_wildcards(stmt(sub_eq(["repo:acme/*", "repo:acme/payments:ref:refs/heads/main"])), p) == [{"op": "StringEquals", "claim": "sub", "value": "repo:acme/*"}]
	trust.literal_wildcards(stmt(sub_like(["repo:acme/*"])), p) == []
}

# --- scope analysis and plain words -----------------------------------------

test_who_aws_docs_example if who_of(sub_like(["repo:octo-org/octo-repo:*"])) == "any branch, tag or pull request of octo-org/octo-repo"

test_who_whole_org if who_of(sub_like(["repo:acme/*"])) == "any repository of the acme organisation"

test_who_sub_missing if who_of({"StringEquals": aud}) == "any repository in any organisation"

test_who_no_condition if who_of(null) == "any repository in any organisation"

test_who_star if who_of(sub_like(["*"])) == "any repository in any organisation"

test_who_every_value_judged if who_of(sub_like(["repo:acme/payments:ref:refs/heads/main", "*"])) == "any repository in any organisation"

test_who_branch if who_of(sub_eq(["repo:acme/payments:ref:refs/heads/main"])) == "only branch main of acme/payments"

test_who_environment if who_of(sub_eq(["repo:acme/payments:environment:prod"])) == "only the prod environment of acme/payments"

test_who_pull_request if who_of(sub_eq(["repo:acme/payments:pull_request"])) == "pull requests of acme/payments"

test_who_any_branch if who_of(sub_like(["repo:acme/payments:ref:refs/heads/*"])) == "any branch of acme/payments"

test_who_any_ref if who_of(sub_like(["repo:acme/payments:ref:*"])) == "any branch or tag of acme/payments"

test_who_tag_pattern if who_of(sub_like(["repo:acme/payments:ref:refs/tags/v*"])) == "tags matching v* of acme/payments"

test_who_branch_pattern if who_of(sub_like(["repo:acme/payments:ref:refs/heads/release/*"])) == "branches matching release/* of acme/payments"

test_who_any_environment if who_of(sub_like(["repo:acme/payments:environment:*"])) == "any environment of acme/payments"

test_who_pull_request_wildcard_piece if who_of(sub_like(["repo:acme/payments:pull*"])) == "pull requests of acme/payments"

test_who_org_wildcard if who_of(sub_like(["repo:acme-*/payments:*"])) == "any branch, tag or pull request of any repository named payments in any organisation matching acme-*"

test_who_org_prefix_spanning if who_of(sub_like(["repo:acme*"])) == "any repository in any organisation matching acme*"

test_who_any_org_named_repo if who_of(sub_like(["repo:*/payments:*"])) == "any branch, tag or pull request of any repository named payments in any organisation"

test_who_repo_prefix if who_of(sub_like(["repo:acme/pay*"])) == "any repository of the acme organisation matching pay*"

test_who_or_values if {
	who_of(sub_like(["repo:acme/a:ref:refs/heads/main", "repo:acme/b:environment:prod"])) == "branch main of acme/a or the prod environment of acme/b"
}

test_who_literal_star_is_nobody if who_of(sub_eq(["repo:acme/*"])) == "nobody"

test_who_literal_question_is_nobody if who_of(sub_eq(["repo:acme/payment?:ref:refs/heads/main"])) == "nobody"

test_who_immutable_subject if {
	cond := sub_eq(["repo:acme@123/payments@456:ref:refs/heads/main"])
	who_of(cond) == "only branch main of acme/payments"
	t := the_tuple(cond)
	t.org.atoms == {{"name": "acme", "id": "123"}}
	t.repo.atoms == {{"name": "payments", "id": "456"}}
}

test_immutable_ids_pin_despite_name_wildcard if {
	cond := sub_like(["repo:*@123/*@456:ref:refs/heads/main"])
	t := the_tuple(cond)
	not t.org.any
	t.org.atoms == {{"name": null, "id": "123"}}
	t.repo.atoms == {{"name": null, "id": "456"}}
	who_of(cond) == "only branch main of the repository with id 456"
}

test_immutable_name_pins_despite_id_wildcard if {
	t := the_tuple(sub_like(["repo:acme@*/payments@*:environment:prod"]))
	t.org.atoms == {{"name": "acme", "id": null}}
	t.repo.atoms == {{"name": "payments", "id": null}}
}

test_wide_sub_narrowed_by_owner_id if {
	cond := {"StringLike": {"token.actions.githubusercontent.com:sub": ["*"]}, "StringEquals": {"token.actions.githubusercontent.com:repository_owner_id": ["123"]}}
	who_of(cond) == "any repository of the organisation with id 123"
}

test_wide_sub_narrowed_by_environment if {
	cond := {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}, "StringEquals": {"token.actions.githubusercontent.com:environment": ["prod"]}}
	who_of(cond) == "only the prod environment of acme/payments"
}

test_wide_sub_narrowed_by_repository if {
	cond := {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/*"]}, "StringEquals": {"token.actions.githubusercontent.com:repository": ["acme/payments"]}}
	who_of(cond) == "any branch, tag or pull request of acme/payments"
}

test_wide_sub_narrowed_by_ref if {
	cond := {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}, "StringEquals": {"token.actions.githubusercontent.com:ref": ["refs/heads/main"]}}
	who_of(cond) == "only branch main of acme/payments"
}

test_event_name_pull_request if {
	cond := {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}, "StringEquals": {"token.actions.githubusercontent.com:event_name": ["pull_request"]}}
	who_of(cond) == "pull requests of acme/payments"
}

test_environment_and_ref if {
	cond := {"StringEquals": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:environment:prod"], "token.actions.githubusercontent.com:ref": ["refs/heads/main"]}}
	who_of(cond) == "only the prod environment on branch main of acme/payments"
}

test_job_workflow_ref_qualifier if {
	cond := {
		"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]},
		"StringEquals": {"token.actions.githubusercontent.com:job_workflow_ref": ["acme/workflows/.github/workflows/deploy.yml@refs/heads/main"]},
	}
	who_of(cond) == "any branch, tag or pull request of acme/payments (running workflow acme/workflows/.github/workflows/deploy.yml@refs/heads/main)"
}

test_customised_subject_owner_id if {
	who_of(sub_eq(["repository_owner_id:123:environment:prod"])) == "only the prod environment of any repository of the organisation with id 123"
}

test_contradiction_is_nobody if {
	cond := {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/*"]}, "StringEquals": {"token.actions.githubusercontent.com:repository_owner": ["other"]}}
	scope_of(cond).nobody
}

# Every GitHub token carries sub, so ForAllValues and IfExists on it hold
# only for matching values: they constrain like the plain operator.
test_for_all_values_sub_constrains_as_sub_is_always_present if who_of({"ForAllValues:StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}}) == "any branch, tag or pull request of acme/payments"

test_if_exists_sub_constrains_as_sub_is_always_present if who_of({"StringLikeIfExists": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}}) == "any branch, tag or pull request of acme/payments"

test_if_exists_environment_does_not_constrain if who_of({"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}, "StringEqualsIfExists": {"token.actions.githubusercontent.com:environment": ["prod"]}}) == "any branch, tag or pull request of acme/payments"

test_negated_sub_does_not_pin if who_of({"StringNotLike": {"token.actions.githubusercontent.com:sub": ["repo:evil/*"]}}) == "any repository in any organisation"

test_for_any_value_sub_constrains if who_of({"ForAnyValue:StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:ref:refs/heads/main"]}}) == "only branch main of acme/payments"

test_deny_narrows_scope if {
	d := {
		"effect": "Deny",
		"principal": {"Federated": [provider]},
		"action": ["sts:AssumeRoleWithWebIdentity"],
		"condition": {"StringNotLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}},
	}
	s := stmt(sub_like(["repo:acme/*"]))
	sc := trust.statement_scope(s, p, doc([s, d]))
	trust.who(sc.tuples) == "any branch, tag or pull request of acme/payments"
}

test_deny_with_two_conditions_ignored if {
	d := {
		"effect": "Deny",
		"principal": {"Federated": [provider]},
		"action": ["sts:AssumeRoleWithWebIdentity"],
		"condition": {"StringNotLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}, "Bool": {"aws:securetransport": ["false"]}},
	}
	trust.deny_constraints(doc([d]), p) == []
}

test_foreign_provider_keys_admit_nobody if {
	ep := "token.actions.githubusercontent.com/acme"
	sc := trust.condition_scope(sub_eq(["repo:acme/payments:ref:refs/heads/main"]), ep, [])
	sc.nobody
}

test_sub_conditioned_flag if {
	scope_of(sub_like(["repo:acme/*"])).sub_conditioned
	not scope_of({"StringEquals": aud}).sub_conditioned
}

# --- classification helpers ---------------------------------------------------

test_pull_request_code if {
	trust.pull_request_code(the_tuple(sub_like(["repo:acme/payments:*"])))
	trust.pull_request_code(the_tuple(sub_eq(["repo:acme/payments:pull_request"])))
	not trust.pull_request_code(the_tuple(sub_eq(["repo:acme/payments:ref:refs/heads/main"])))
	not trust.pull_request_code(the_tuple(sub_eq(["repo:acme/payments:environment:prod"])))
}

test_context_pinned if {
	trust.context_pinned(the_tuple(sub_eq(["repo:acme/payments:ref:refs/heads/main"])))
	trust.context_pinned(the_tuple(sub_eq(["repo:acme/payments:environment:prod"])))
	trust.context_pinned(the_tuple(sub_like(["repo:acme/payments:ref:refs/tags/v*"])))
	not trust.context_pinned(the_tuple(sub_like(["repo:acme/payments:ref:refs/heads/*"])))
	not trust.context_pinned(the_tuple(sub_like(["repo:acme/payments:ref:refs/tags/*"])))
	not trust.context_pinned(the_tuple(sub_like(["repo:acme/payments:*"])))
}

test_context_narrowed if {
	trust.context_narrowed(the_tuple(sub_like(["repo:acme/payments:ref:refs/heads/release/*"])))
	not trust.context_narrowed(the_tuple(sub_like(["repo:acme/payments:ref:refs/heads/*"])))
}

test_unlisted_repository if {
	allow := trust.allowlist({"repositories": ["acme/payments"]})
	trust.unlisted(the_tuple(sub_eq(["repo:evil/payments:ref:refs/heads/main"])), allow) == {"evil/payments"}
	trust.unlisted(the_tuple(sub_eq(["repo:acme/payments:ref:refs/heads/main"])), allow) == set()
}

test_unlisted_organisation_listing_allows_its_repositories if {
	allow := trust.allowlist({"organizations": ["acme"]})
	trust.unlisted(the_tuple(sub_eq(["repo:acme/other:ref:refs/heads/main"])), allow) == set()
	trust.unlisted(the_tuple(sub_like(["repo:beta/*"])), allow) == {"the beta organisation"}
}

test_unlisted_ids if {
	allow := trust.allowlist({"repositories": ["acme@123/payments@456"]})
	trust.unlisted(the_tuple(sub_like(["repo:*@123/*@456:ref:refs/heads/main"])), allow) == set()
	trust.unlisted(the_tuple(sub_like(["repo:*@999/*@456:ref:refs/heads/main"])), allow) == {"the repository with id 456"}
}

test_unlisted_without_allowlist if trust.unlisted(the_tuple(sub_eq(["repo:evil/x:ref:refs/heads/main"])), trust.allowlist({})) == set()

# simple_scope is a fast lane: it must agree with general_scope.
test_simple_scope_agrees_with_general if {
	conds := [
		sub_like(["repo:acme/payments:*"]),
		sub_eq(["repo:acme/payments:ref:refs/heads/main"]),
		sub_eq(["repo:acme@123/payments@456:environment:prod"]),
		sub_like(["repo:acme/*"]),
		sub_like(["repo:*"]),
		sub_like(["repo:acme-*/payments:*"]),
		sub_eq(["repo:acme/payments:pull_request"]),
		{"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:ref:refs/tags/v*"]}},
		{"StringEqualsIgnoreCase": {"token.actions.githubusercontent.com:sub": ["REPO:Acme/Payments:environment:prod"]}},
	]
	every cond in conds {
		trust.simple_scope(cond, p) == trust.general_scope(cond, p, [])
	}
}

test_simple_scope_declines_other_shapes if {
	not trust.simple_scope(sub_like(["repo:acme/a:*", "repo:acme/b:*"]), p)
	not trust.simple_scope(sub_eq(["repo:acme/*"]), p)
	not trust.simple_scope({"StringEquals": aud}, p)
	not trust.simple_scope(object.union(sub_like(["repo:acme/*"]), {"ForAllValues:StringLike": {"token.actions.githubusercontent.com:sub": ["x"]}}), p)
	not trust.simple_scope(object.union(sub_like(["repo:acme/*"]), {"Bool": {"aws:securetransport": ["true"]}}), p)
}

test_customised_subject_with_job_workflow_ref if {
	who_of(sub_eq(["repo:acme/payments:environment:prod:job_workflow_ref:acme/wf/.github/workflows/d.yml@refs/heads/main"])) == "only the prod environment of acme/payments (running workflow acme/wf/.github/workflows/d.yml@refs/heads/main)"
}

test_job_workflow_ref_alone_pins_no_caller if {
	who_of(sub_eq(["job_workflow_ref:acme/wf/.github/workflows/d.yml@refs/heads/main"])) == "any repository in any organisation (running workflow acme/wf/.github/workflows/d.yml@refs/heads/main)"
}

test_two_sub_conditions_are_and if {
	cond := {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/*"]}, "StringEquals": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:ref:refs/heads/main"]}}
	who_of(cond) == "only branch main of acme/payments"
}

test_two_disjoint_sub_conditions_admit_nobody if {
	cond := {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/a:*"]}, "StringEquals": {"token.actions.githubusercontent.com:sub": ["repo:acme/b:ref:refs/heads/main"]}}
	scope_of(cond).nobody
}

test_ref_type_tag if {
	cond := {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:*"]}, "StringEquals": {"token.actions.githubusercontent.com:ref_type": ["tag"]}}
	who_of(cond) == "any tag of acme/payments"
}

test_actor_qualifier if {
	cond := {"StringEquals": {"token.actions.githubusercontent.com:sub": ["repo:acme/payments:ref:refs/heads/main"], "token.actions.githubusercontent.com:actor": ["octocat"]}}
	who_of(cond) == "only branch main of acme/payments (triggered by octocat)"
}

test_repository_owner_pattern_is_any_org if {
	t := the_tuple({"StringLike": {"token.actions.githubusercontent.com:repository_owner": ["acme*"]}})
	t.org == {"any": true, "like": {"acme*"}}
}

test_ignore_case_subject_parsed if {
	cond := {"StringEqualsIgnoreCase": {"token.actions.githubusercontent.com:sub": ["REPO:Acme/Payments:REF:refs/heads/main"]}}
	who_of(cond) == "only branch main of acme/payments"
}
