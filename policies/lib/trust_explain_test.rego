package secretgate.lib.trust_explain_test

import rego.v1

import data.secretgate.lib.trust

p := "token.actions.githubusercontent.com"

provider := "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"

k(claim) := concat("", [p, ":", claim])

aud := {k("aud"): ["sts.amazonaws.com"]}

stmt(i, cond) := {
	"sid": "",
	"effect": "Allow",
	"principal": {"Federated": [provider]},
	"action": ["sts:AssumeRoleWithWebIdentity"],
	"not_action": null,
	"condition": cond,
	"index": i,
	"file": "roles/deploy.json",
	"line": 3 + (10 * i),
}

doc(stmts) := {"version": "2012-10-17", "statement": stmts}

# A token of a feature branch push, as GitHub issues it.
feature := {
	"iss": "https://token.actions.githubusercontent.com",
	"sub": "repo:acme/payments:ref:refs/heads/feature",
	"aud": "sts.amazonaws.com",
	"repository": "acme/payments",
	"repository_owner": "acme",
	"repository_id": "456",
	"repository_owner_id": "123",
	"ref": "refs/heads/feature",
	"ref_type": "branch",
	"event_name": "push",
	"job_workflow_ref": "acme/payments/.github/workflows/deploy.yml@refs/heads/feature",
}

claims(extra) := object.union(feature, extra)

only_failure(r) := f if {
	count(r.failures) == 1
	f := r.failures[0]
}

# --- StringEquals -----------------------------------------------------------

test_string_equals_mismatch_reported if {
	cond := {"StringEquals": object.union(aud, {k("sub"): ["repo:acme/payments:environment:prod"]})}
	e := trust.evaluate(doc([stmt(0, cond)]), feature)
	e.admitted == false
	e.provider == p
	e.closest == 0
	s := e.statements[0]
	s.verdict == "refuses"
	s.conditions == 2
	s.line == 3
	s.file == "roles/deploy.json"
	only_failure(s) == {
		"operator": "StringEquals",
		"key": k("sub"),
		"claim": "sub",
		"values": ["repo:acme/payments:environment:prod"],
		"actual": ["repo:acme/payments:ref:refs/heads/feature"],
		"holds": false,
		"reason": "mismatch",
	}
	count(s.checks) == 2
}

test_string_equals_match_admits if {
	cond := {"StringEquals": object.union(aud, {k("sub"): ["repo:acme/payments:ref:refs/heads/feature"]})}
	e := trust.evaluate(doc([stmt(0, cond)]), feature)
	e.admitted == true
	e.allowed_by == [0]
	e.closest == null
	e.statements[0].failures == []
}

test_string_equals_is_case_sensitive if {
	cond := {"StringEquals": {k("repository_owner"): ["ACME"]}}
	f := only_failure(trust.evaluate(doc([stmt(0, cond)]), feature).statements[0])
	f.reason == "mismatch"
	f.actual == ["acme"]
}

test_string_equals_ignore_case if {
	cond := {"StringEqualsIgnoreCase": {k("repository_owner"): ["ACME"]}}
	trust.evaluate(doc([stmt(0, cond)]), feature).admitted
}

# --- StringLike ---------------------------------------------------------------

test_string_like_mismatch_reported if {
	cond := {"StringEquals": aud, "StringLike": {k("sub"): ["repo:acme/payments:ref:refs/heads/release-*", "repo:acme/payments:ref:refs/tags/v?"]}}
	e := trust.evaluate(doc([stmt(0, cond)]), feature)
	not e.admitted
	f := only_failure(e.statements[0])
	f.operator == "StringLike"
	f.reason == "mismatch"
	f.values == ["repo:acme/payments:ref:refs/heads/release-*", "repo:acme/payments:ref:refs/tags/v?"]
}

test_string_like_values_are_or if {
	cond := {"StringLike": {k("sub"): ["repo:acme/other:*", "repo:acme/payments:ref:refs/heads/*"]}}
	trust.evaluate(doc([stmt(0, cond)]), feature).admitted
}

test_string_like_question_mark_is_one_character if {
	cond := {"StringLike": {k("ref"): ["refs/heads/feat?re"]}}
	trust.evaluate(doc([stmt(0, cond)]), feature).admitted
	cond2 := {"StringLike": {k("ref"): ["refs/heads/feat?"]}}
	not trust.evaluate(doc([stmt(0, cond2)]), feature).admitted
}

test_string_equals_treats_star_literally if {
	cond := {"StringEquals": {k("sub"): ["repo:acme/payments:*"]}}
	f := only_failure(trust.evaluate(doc([stmt(0, cond)]), feature).statements[0])
	f.reason == "mismatch"
}

# --- keys AND, missing keys -----------------------------------------------------

test_keys_are_and_each_failure_listed if {
	cond := {"StringEquals": {k("aud"): ["sts.amazonaws.com"], k("environment"): ["prod"], k("ref"): ["refs/heads/main"]}}
	s := trust.evaluate(doc([stmt(0, cond)]), feature).statements[0]
	[[f.key, f.reason] | some f in s.failures] == [[k("environment"), "missing"], [k("ref"), "mismatch"]]
}

test_missing_claim_reported if {
	cond := {"StringEquals": {k("environment"): ["prod"]}}
	f := only_failure(trust.evaluate(doc([stmt(0, cond)]), feature).statements[0])
	f.reason == "missing"
	f.actual == []
	f.claim == "environment"
}

test_null_operator if {
	cond := {"Null": {k("environment"): ["false"]}}
	f := only_failure(trust.evaluate(doc([stmt(0, cond)]), feature).statements[0])
	f.reason == "null"
	trust.evaluate(doc([stmt(0, cond)]), claims({"environment": "prod"})).admitted
}

# --- ForAnyValue / ForAllValues / IfExists / negation -------------------------------

test_for_all_values_hole_admits_missing_claim if {
	# The documented hole: ForAllValues holds when the token has no such
	# claim, so this statement admits any token without an environment.
	cond := {"StringEquals": aud, "ForAllValues:StringEquals": {k("environment"): ["prod"]}}
	e := trust.evaluate(doc([stmt(0, cond)]), feature)
	e.admitted
}

test_for_all_values_present_value_not_listed if {
	cond := {"ForAllValues:StringEquals": {k("environment"): ["prod"]}}
	f := only_failure(trust.evaluate(doc([stmt(0, cond)]), claims({"environment": "staging"})).statements[0])
	f.reason == "not-all"
	f.actual == ["staging"]
}

test_for_any_value_mismatch if {
	cond := {"ForAnyValue:StringLike": {k("sub"): ["repo:acme/payments:environment:*"]}}
	f := only_failure(trust.evaluate(doc([stmt(0, cond)]), feature).statements[0])
	f.reason == "mismatch"
	f.operator == "ForAnyValue:StringLike"
}

test_if_exists_absent_holds_present_checked if {
	cond := {"StringEqualsIfExists": {k("environment"): ["prod"]}}
	trust.evaluate(doc([stmt(0, cond)]), feature).admitted
	f := only_failure(trust.evaluate(doc([stmt(0, cond)]), claims({"environment": "dev"})).statements[0])
	f.reason == "mismatch"
	f.actual == ["dev"]
}

test_negated_operator_excludes if {
	cond := {"StringNotLike": {k("ref"): ["refs/heads/feat*"]}}
	f := only_failure(trust.evaluate(doc([stmt(0, cond)]), feature).statements[0])
	f.reason == "excluded"
}

# --- audience and provider --------------------------------------------------------

test_wrong_audience if {
	cond := {"StringEquals": object.union(aud, {k("sub"): ["repo:acme/payments:ref:refs/heads/feature"]})}
	e := trust.evaluate(doc([stmt(0, cond)]), claims({"aud": "https://github.com/acme"}))
	not e.admitted
	f := only_failure(e.statements[0])
	f.claim == "aud"
	f.values == ["sts.amazonaws.com"]
	f.actual == ["https://github.com/acme"]
}

test_wrong_provider_in_principal if {
	s := object.union(stmt(0, {"StringEquals": aud}), {"principal": {"Federated": ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme"]}})
	e := trust.evaluate(doc([s]), feature)
	not e.admitted
	e.closest == null
	e.statements[0].verdict == "other-principal"
	e.statements[0].providers == ["token.actions.githubusercontent.com/acme"]
}

test_enterprise_issuer_token if {
	ep := "token.actions.githubusercontent.com/acme"
	s := {
		"effect": "Allow",
		"principal": {"Federated": [concat("", ["arn:aws:iam::123456789012:oidc-provider/", ep])]},
		"action": ["sts:AssumeRoleWithWebIdentity"],
		"condition": {"StringEquals": {concat("", [ep, ":sub"]): ["repo:acme/payments:ref:refs/heads/feature"]}},
	}
	e := trust.evaluate(doc([s]), claims({"iss": "https://token.actions.githubusercontent.com/acme/"}))
	e.provider == ep
	e.admitted
}

test_condition_key_of_other_provider if {
	ep := "token.actions.githubusercontent.com/acme"
	s := {
		"effect": "Allow",
		"principal": {"Federated": [concat("", ["arn:aws:iam::123456789012:oidc-provider/", ep])]},
		"action": ["sts:AssumeRoleWithWebIdentity"],
		"condition": {"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/feature"]}},
	}
	e := trust.evaluate(doc([s]), claims({"iss": "https://token.actions.githubusercontent.com/acme"}))
	not e.admitted
	only_failure(e.statements[0]).reason == "other-provider"
}

test_wrong_action if {
	s := object.union(stmt(0, {"StringEquals": aud}), {"action": ["sts:AssumeRole"]})
	e := trust.evaluate(doc([s]), feature)
	e.statements[0].verdict == "other-action"
	e.closest == null
}

test_action_wildcard_counts if {
	s := object.union(stmt(0, {"StringEquals": aud}), {"action": ["sts:*"]})
	trust.evaluate(doc([s]), feature).admitted
}

test_no_statements if {
	e := trust.evaluate(doc([]), feature)
	e.admitted == false
	e.closest == null
	e.statements == []
}

# --- several statements: closest miss ------------------------------------------------

test_closest_miss_fewest_failures if {
	far := stmt(0, {"StringEquals": {k("aud"): ["other"], k("sub"): ["repo:evil/x:ref:refs/heads/main"]}})
	near := stmt(1, {"StringEquals": object.union(aud, {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]})})
	svc := {"effect": "Allow", "principal": {"Service": ["ec2.amazonaws.com"]}, "action": ["sts:AssumeRole"], "index": 2}
	e := trust.evaluate(doc([far, near, svc]), feature)
	not e.admitted
	e.closest == 1
	[r.verdict | some r in e.statements] == ["refuses", "refuses", "other-principal"]
	count(e.statements[0].failures) == 2
}

test_closest_miss_tie_takes_first if {
	a := stmt(0, {"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}})
	b := stmt(1, {"StringEquals": {k("sub"): ["repo:acme/payments:environment:prod"]}})
	trust.evaluate(doc([a, b]), feature).closest == 0
}

test_second_statement_admits if {
	a := stmt(0, {"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}})
	b := stmt(1, {"StringLike": {k("sub"): ["repo:acme/payments:*"]}})
	e := trust.evaluate(doc([a, b]), feature)
	e.admitted
	e.allowed_by == [1]
	e.closest == null
}

# --- Deny statements ---------------------------------------------------------------

deny_stmt(i, cond) := {
	"effect": "Deny",
	"principal": {"AWS": ["*"]},
	"action": ["sts:AssumeRoleWithWebIdentity"],
	"condition": cond,
	"index": i,
}

test_deny_statement_refuses_despite_allow if {
	allow := stmt(0, {"StringLike": {k("sub"): ["repo:acme/*"]}})
	deny := deny_stmt(1, {"StringNotLike": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}})
	e := trust.evaluate(doc([allow, deny]), feature)
	not e.admitted
	e.allowed_by == [0]
	e.denied_by == [1]
	e.statements[1].verdict == "denies"
	e.closest == null
}

test_deny_statement_not_matching if {
	allow := stmt(0, {"StringLike": {k("sub"): ["repo:acme/*"]}})
	deny := deny_stmt(1, {"StringEquals": {k("ref"): ["refs/heads/main"]}})
	e := trust.evaluate(doc([allow, deny]), feature)
	e.admitted
	e.statements[1].verdict == "no-match"
}

test_deny_federated_provider if {
	allow := stmt(0, null)
	deny := object.union(deny_stmt(1, {"StringEquals": {k("event_name"): ["push"]}}), {"principal": {"Federated": [provider]}})
	not trust.evaluate(doc([allow, deny]), feature).admitted
}

# --- attacker subjects ------------------------------------------------------------

homes := trust.home_repositories({"repositories": ["acme/payments", "acme/web"]})

probes := [pr | some h in homes; some pr in trust.attacker_probes(h, "sts.amazonaws.com")]

sim(cond) := trust.simulate(doc([stmt(0, cond)]), p, probes)

with_aud(c) := object.union({"StringEquals": aud}, c)

test_probe_claims_pull_request if {
	pr := [x | some x in trust.attacker_probes(homes[0], "sts.amazonaws.com"); x.kind == "pull_request"][0]
	pr.sub == "repo:acme/payments:pull_request"
	pr.claims.event_name == "pull_request"
	pr.claims.ref == "refs/pull/1/merge"
	pr.claims.repository == "acme/payments"
	pr.claims.repository_owner == "acme"
}

test_probe_fork_has_base_repository_claims if {
	ps := trust.attacker_probes(homes[0], "sts.amazonaws.com")
	fork := [x | some x in ps; x.kind == "fork_pull_request"][0]
	pr := [x | some x in ps; x.kind == "pull_request"][0]
	fork.sub == pr.sub
	fork.claims.repository == pr.claims.repository
	fork.claims.repository_owner == pr.claims.repository_owner
	fork.claims.actor != pr.claims.actor
}

test_probe_immutable_format if {
	h := trust.home_repositories({"repositories": ["acme@123/payments@456"]})[0]
	ps := trust.attacker_probes(h, "sts.amazonaws.com")
	{x.sub | some x in ps} == {
		"repo:acme@123/payments@456:pull_request",
		"repo:acme@123/payments@456:environment:attacker",
		"repo:acme@123/payments@456:ref:refs/heads/attacker",
		"repo:acme/attacker:ref:refs/heads/main",
		"repo:acme@123/attacker@999999999002:ref:refs/heads/main",
		"repo:attacker/payments:ref:refs/heads/main",
		"repo:attacker@999999999001/payments@999999999002:ref:refs/heads/main",
	}
	pr := [x | some x in ps; x.kind == "pull_request"][0]
	pr.claims.repository_id == "456"
	pr.claims.repository_owner_id == "123"
}

test_simulate_aws_docs_wildcard if {
	sim(with_aud({"StringLike": {k("sub"): ["repo:acme/payments:*"]}})) == {
		"pull_request": ["repo:acme/payments:pull_request"],
		"fork_pull_request": ["repo:acme/payments:pull_request"],
		"environment_pull_request": ["repo:acme/payments:environment:attacker"],
		"other_branch": ["repo:acme/payments:ref:refs/heads/attacker"],
	}
}

test_simulate_whole_org if {
	s := sim(with_aud({"StringLike": {k("sub"): ["repo:acme/*"]}}))
	object.keys(s) == {"pull_request", "fork_pull_request", "environment_pull_request", "other_branch", "other_repo"}
	s.other_repo == ["repo:acme/attacker:ref:refs/heads/main"]
}

test_simulate_any_org if {
	s := sim(with_aud({"StringLike": {k("sub"): ["repo:*/payments:*"]}}))
	s.other_org == ["repo:attacker/payments:ref:refs/heads/main"]
}

test_simulate_environment_pinned_admits_none if {
	sim(with_aud({"StringEquals": {k("sub"): ["repo:acme/payments:environment:prod"]}})) == {}
}

test_simulate_main_only_admits_none if {
	sim(with_aud({"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}})) == {}
}

test_simulate_fork_excluded_by_actor if {
	cond := with_aud({"StringLike": {k("sub"): ["repo:acme/payments:pull_request"]}, "StringEquals": object.union(aud, {k("actor"): ["octocat"]})})
	s := sim(cond)
	s.pull_request == ["repo:acme/payments:pull_request"]
	not s.fork_pull_request
}

test_sub_homes_literal if {
	d := doc([stmt(0, with_aud({"StringLike": {k("sub"): ["repo:acme/payments:*", "repo:acme@1/web@2:ref:refs/heads/main"]}}))])
	trust.sub_homes(d, p) == {"acme/payments", "acme/web"}
	[h.key | some h in trust.homes_for(d, p, homes)] == ["acme/payments", "acme/web"]
}

test_sub_homes_wildcard_keeps_all if {
	d := doc([stmt(0, with_aud({"StringLike": {k("sub"): ["repo:acme/pay*:*"]}}))])
	not trust.sub_homes(d, p)
	count(trust.homes_for(d, p, homes)) == 2
}

test_sub_homes_narrows if {
	d := doc([stmt(0, with_aud({"StringLike": {k("sub"): ["repo:acme/web:*"]}}))])
	[h.key | some h in trust.homes_for(d, p, homes)] == ["acme/web"]
}

test_sub_homes_needs_every_statement if {
	d := doc([stmt(0, with_aud({"StringLike": {k("sub"): ["repo:acme/web:*"]}})), stmt(1, {"StringEquals": aud})])
	not trust.sub_homes(d, p)
}

test_sub_homes_ignores_if_exists if {
	d := doc([stmt(0, {"StringLikeIfExists": {k("sub"): ["repo:acme/web:*"]}})])
	not trust.sub_homes(d, p)
}

test_attacker_who if {
	trust.attacker_who("pull_request", ["acme/payments"], true) == "any pull request of acme/payments, including from forks"
	trust.attacker_who("pull_request", ["acme/payments"], false) == "any pull request of acme/payments (not from forks)"
}

test_attacker_report_lists_every_probe if {
	d := doc([stmt(0, with_aud({"StringLike": {k("sub"): ["repo:acme/payments:*"]}}))])
	r := trust.attacker_report(d, "acme/payments", "sts.amazonaws.com", p)
	[[x.kind, x.admitted] | some x in r] == [
		["pull_request", true], ["fork_pull_request", true], ["environment_pull_request", true], ["other_branch", true],
		["other_repo", false], ["other_org", false], ["other_org", false],
	]
	[x.sub | some x in r; x.kind == "other_org"] == [
		"repo:attacker/payments:ref:refs/heads/main",
		"repo:attacker@999999999001/payments@999999999002:ref:refs/heads/main",
	]
}

test_attacker_report_other_provider_admits_nothing if {
	d := doc([stmt(0, with_aud({"StringLike": {k("sub"): ["repo:acme/payments:*"]}}))])
	r := trust.attacker_report(d, "acme/payments", "sts.amazonaws.com", "token.actions.githubusercontent.com/acme")
	count(r) == 7
	every x in r {
		x.admitted == false
	}
}

test_token_home_name_format if trust.token_home(feature) == "acme/payments"

test_token_home_immutable_format if {
	trust.token_home(claims({"sub": "repo:acme@123/payments@456:ref:refs/heads/main"})) == "acme@123/payments@456"
}

test_token_home_needs_repository if not trust.token_home({"sub": "repo:acme/payments:ref:refs/heads/main"})

test_explain_adds_attackers_of_the_token_repository if {
	d := doc([stmt(0, with_aud({"StringLike": {k("sub"): ["repo:acme/payments:*"]}}))])
	e := trust.explain(d, feature)
	e.admitted
	e.home == "acme/payments"
	[x.kind | some x in e.attackers; x.admitted] == ["pull_request", "fork_pull_request", "environment_pull_request", "other_branch"]
}

test_explain_without_repository_claim if {
	e := trust.explain(doc([]), {"sub": "repo:acme/payments:ref:refs/heads/main"})
	e.home == ""
	e.attackers == []
	e.admitted == false
}

test_token_audience if {
	trust.token_audience({"aud": "x"}) == "x"
	trust.token_audience({"aud": ["y", "z"]}) == "y"
	trust.token_audience({}) == "sts.amazonaws.com"
}

# check reports "Any pull request of acme/infra can assume" a role pinned to
# environment:* (a pull-request job that names an environment gets its
# subject): the simulation users see lists that token as admitted.
test_attacker_report_environment_pull_request if {
	d := doc([stmt(0, with_aud({"StringLike": {k("sub"): ["repo:acme/infra:environment:*"]}}))])
	r := trust.attacker_report(d, "acme/infra", "sts.amazonaws.com", p)
	[[x.kind, x.sub] | some x in r; x.admitted] == [["environment_pull_request", "repo:acme/infra:environment:attacker"]]
}

# check reports a workflow-first subject as assumable by any organisation:
# the simulation forges that organisation's token.
test_attacker_report_forged_template if {
	v := "workflow:deploy:repo:acme/app:ref:refs/heads/main"
	d := doc([stmt(0, with_aud({"StringEquals": {k("sub"): [v]}}))])
	r := trust.attacker_report(d, "acme/app", "sts.amazonaws.com", p)
	[[x.kind, x.sub] | some x in r; x.admitted] == [["forged_template", v]]
	f := [x | some x in r; x.kind == "forged_template"][0]
	f.sub == v
}

# A condition on repository_owner_id (forgeable.rego's pin) refuses it.
test_attacker_report_forged_template_refused_by_owner_id if {
	v := "workflow:deploy:repo:acme/app:ref:refs/heads/main"
	d := doc([stmt(0, with_aud({"StringEquals": {k("sub"): [v], k("repository_owner_id"): ["123"]}}))])
	r := trust.attacker_report(d, "acme/app", "sts.amazonaws.com", p)
	[x.kind | some x in r; x.kind == "forged_template"] == ["forged_template"]
	[x | some x in r; x.admitted] == []
}

# A pull-request job can name any environment, so the simulated one is
# named after the trust's own pattern (issue 13): check reports "admits
# pull request runs" for environment:deploy-* and explain-trust agrees.
test_attacker_report_environment_pattern_in_sub if {
	d := doc([stmt(0, with_aud({"StringLike": {k("sub"): ["repo:acme/infra:environment:deploy-*"]}}))])
	r := trust.attacker_report(d, "acme/infra", "sts.amazonaws.com", p)
	[[x.kind, x.sub] | some x in r; x.admitted] == [["environment_pull_request", "repo:acme/infra:environment:deploy-attacker"]]
}

test_attacker_report_environment_pattern_in_environment_claim if {
	d := doc([stmt(0, with_aud({"StringLike": {k("sub"): ["repo:acme/infra:*"], k("environment"): ["prod*"]}}))])
	r := trust.attacker_report(d, "acme/infra", "sts.amazonaws.com", p)
	[[x.kind, x.sub] | some x in r; x.admitted] == [["environment_pull_request", "repo:acme/infra:environment:prodattacker"]]
}

# A literal environment is not a pattern: the simulated job names a fresh
# one, refused.
test_environment_names_literal_and_negated if {
	d := doc([stmt(0, with_aud({"StringEquals": {k("sub"): ["repo:acme/infra:environment:prod"]}, "StringNotLike": {k("environment"): ["dev*"]}}))])
	trust.environment_names(d, p) == ["attacker"]
}

# github.protected_environments: a job naming a protected environment is
# not simulated (the trust rules assume its deployment-branch rules hold);
# a pattern of wildcards only protects nothing.
test_environment_names_outside_protected if {
	d := doc([stmt(0, with_aud({"StringLike": {k("sub"): ["repo:acme/infra:environment:deploy-*", "repo:acme/infra:environment:qa-*"]}}))])
	trust.environment_names_outside(d, p, ["deploy-*"]) == ["qa-attacker"]
	trust.environment_names_outside(d, p, ["deploy-*", "qa-*"]) == ["attacker"]
	trust.environment_names_outside(d, p, ["*"]) == ["deploy-attacker", "qa-attacker"]
	trust.environment_names(d, p) == ["deploy-attacker", "qa-attacker"]
}
