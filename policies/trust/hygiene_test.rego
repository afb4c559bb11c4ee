package secretgate.rules.trust.hygiene_test

import rego.v1

import data.secretgate.rules.trust.hygiene

gh := "token.actions.githubusercontent.com"

role(principal, cond) := {
	"id": "t.json#deploy", "name": "deploy", "file": "t.json", "line": 1,
	"trust": {"file": "t.json", "statement": [{
		"effect": "Allow", "index": 0, "line": 3, "file": "t.json",
		"principal": {"Federated": [concat("", ["arn:aws:iam::123456789012:oidc-provider/", principal])]},
		"action": ["sts:AssumeRoleWithWebIdentity"],
		"condition": cond,
	}]},
}

findings(r) := fs if {
	fs := hygiene.deny with input as {"roles": [r], "config": {"github": {"issuers": [gh]}}}
}

test_misspelled_issuer_with_a_suggestion if {
	r := role(gh, {
		"StringEquals": {"token.actions.githubuser.content.com:aud": ["sts.amazonaws.com"]},
		"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/app:*"]},
	})
	some f in findings(r)
	f.rule == "trust-oidc-condition-provider-mismatch"
	f.severity == "low"
	contains(f.message, "never matches")
	contains(f.message, "Did you mean token.actions.githubusercontent.com:aud?")
	count(findings(r)) == 1
}

test_if_exists_makes_it_a_no_op if {
	r := role(gh, {"StringLikeIfExists": {"token.actions.githubuser.content.com:sub": ["repo:acme/app:*"]}})
	some f in findings(r)
	f.severity == "medium"
	contains(f.message, "does nothing")
}

test_github_keys_on_another_provider if {
	r := role("gitlab.com", {"StringEquals": {"token.actions.githubusercontent.com:sub": ["repo:acme/app:ref:refs/heads/main"]}})
	some f in findings(r)
	f.rule == "trust-oidc-condition-provider-mismatch"
	contains(f.message, "which statement 0 does not trust (it trusts gitlab.com)")
	not contains(f.message, "Did you mean")
}

test_unknown_claim_with_a_hint if {
	r := role(gh, {"StringEquals": {"token.actions.githubusercontent.com:repositoryowner": ["acme"], "token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"]}})
	some f in findings(r)
	f.rule == "trust-oidc-condition-unknown-claim"
	contains(f.message, `claim "repositoryowner"`)
	contains(f.message, "Did you mean repository_owner?")
	count(findings(r)) == 1
}

test_well_formed_trust_is_clean if {
	r := role(gh, {
		"StringEquals": {"token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"], "token.actions.githubusercontent.com:sub": ["repo:acme@123/app@456:environment:prod"]},
		"StringLike": {"token.actions.githubusercontent.com:job_workflow_ref": ["acme/app/.github/workflows/deploy.yml@*"], "aws:requesttag/team": ["x"]},
	})
	count(findings(r)) == 0
}

test_enterprise_provider_path_is_trusted if {
	p := concat("/", [gh, "acme-corp"])
	r := role(p, {"StringEquals": {concat(":", [p, "sub"]): ["repo:acme/app:ref:refs/heads/main"]}})
	count(findings(r)) == 0
}

test_immutable_id_wildcards if {
	some v in ["repo:acme@*/app@456:ref:refs/heads/main", "repo:acme@123/app@*:ref:refs/heads/main", "repo:acme@1*/app@456:*"]
	r := role(gh, {"StringLike": {"token.actions.githubusercontent.com:sub": [v]}})
	some f in findings(r)
	f.rule == "trust-oidc-immutable-id-wildcard"
}

test_immutable_ids_pinned_or_plain_names_are_fine if {
	every v in ["repo:acme@123/app@456:ref:refs/heads/*", "repo:acme/app:*", "repo:acme/*"] {
		r := role(gh, {"StringLike": {"token.actions.githubusercontent.com:sub": [v]}})
		count([f | some f in findings(r); f.rule == "trust-oidc-immutable-id-wildcard"]) == 0
	}
}

admin(r) := object.union(r, {"attached_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]})

# Severities by power: a condition that does nothing on an admin role is
# high and says the power; one that breaks the role stays low.
test_void_condition_severity_by_power if {
	r := admin(role(gh, {"StringLike": {k("sub"): ["repo:acme/app:*"]}, "StringEqualsIfExists": {k("enviroment"): ["prod"]}}))
	some f in findings(r)
	f.rule == "trust-oidc-condition-unknown-claim"
	f.severity == "high"
	contains(f.message, "Any workflow the rest of statement 0 admits can assume deploy, which has AdministratorAccess.")
}

test_broken_condition_stays_low_on_admin if {
	r := admin(role(gh, {
		"StringEquals": {"token.actions.githubuser.content.com:aud": ["sts.amazonaws.com"]},
		"StringLike": {k("sub"): ["repo:acme/app:*"]},
	}))
	some f in findings(r)
	f.rule == "trust-oidc-condition-provider-mismatch"
	f.severity == "low"
	not contains(f.message, "AdministratorAccess")
}

test_immutable_wildcard_severity_by_power if {
	r := admin(role(gh, {"StringEquals": {k("sub"): ["repo:acme@*/app@*:ref:refs/heads/main"]}}))
	some f in findings(r)
	f.rule == "trust-oidc-immutable-id-wildcard"
	f.severity == "high"
	contains(f.message, "An organisation or repository re-created under that name can assume deploy, which has AdministratorAccess.")
	some g in findings(role(gh, {"StringEquals": {k("sub"): ["repo:acme@*/app@*:ref:refs/heads/main"]}}))
	g.rule == "trust-oidc-immutable-id-wildcard"
	not g.severity
}

k(c) := concat(":", [gh, c])

# The misspelling the docs promise a hint for, reported once: by
# trust-oidc-condition-unknown-claim, not also by trust-oidc-condition-hole.
test_misspelled_environment_named_and_reported_once if {
	cond := {
		"StringEquals": {k("aud"): ["sts.amazonaws.com"]},
		"StringLike": {k("sub"): ["repo:acme/app:*"]},
		"StringEqualsIfExists": {k("enviroment"): ["prod"]},
	}
	r := object.union(role(gh, cond), {"environment": "prod"})
	inp := {"roles": [r], "config": {"github": {"issuers": [gh], "repositories": ["acme/app"]}, "environments": {"prod": {"production": true}}}}
	h := hygiene.deny with input as inp
	t := data.secretgate.rules.trust.deny with input as inp
	[f.rule | some f in (h | t); contains(f.message, "enviroment")] == ["trust-oidc-condition-unknown-claim"]
	some f in h
	contains(f.message, "Did you mean environment?")
}

# A claim in another case is the same IAM key: not unknown.
test_claim_case_is_not_unknown if {
	r := role(gh, {"StringLike": {k("sub"): ["repo:acme/app:*"]}, "StringEquals": {k("Environment"): ["prod"]}})
	count(findings(r)) == 0
}
