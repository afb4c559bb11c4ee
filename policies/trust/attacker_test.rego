package secretgate.rules.trust_attacker_test

import rego.v1

import data.secretgate.rules.trust

provider := "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"

k(claim) := concat("", ["token.actions.githubusercontent.com:", claim])

aud_ok := {k("aud"): ["sts.amazonaws.com"]}

github(repos, orgs) := {
	"organizations": orgs,
	"repositories": repos,
	"audience": "sts.amazonaws.com",
	"issuers": ["token.actions.githubusercontent.com"],
}

config := {
	"environments": {
		"prod": {"max_rotation_days": 90, "production": true},
		"staging": {"max_rotation_days": 120, "production": false},
	},
	"github": github(["acme/payments", "acme/web"], []),
	"waivers": [],
}

gh_stmt(i, cond) := {
	"sid": "",
	"effect": "Allow",
	"principal": {"Federated": [provider]},
	"action": ["sts:AssumeRoleWithWebIdentity"],
	"not_action": null,
	"resource": null,
	"not_resource": null,
	"condition": cond,
	"index": i,
	"file": "roles/deploy.json",
	"line": 4 + (10 * i),
}

role(name, env, stmts) := {
	"id": concat("", ["arn:aws:iam::123456789012:role/", name]),
	"name": name,
	"environment": env,
	"trust": {"version": "2012-10-17", "statement": stmts, "file": "roles/deploy.json", "line": 1},
	"policy_ids": [],
	"source": "iam-json",
	"file": "roles/deploy.json",
	"line": 1,
}

sub_like(vals) := {"StringEquals": aud_ok, "StringLike": {k("sub"): vals}}

sub_eq(vals) := {"StringEquals": object.union(aud_ok, {k("sub"): vals})}

attacker(fs) := {f | some f in fs; f.rule == "trust-oidc-attacker-subject"}

run(roles) := fs if {
	fs := trust.deny with input as {"config": config, "roles": roles}
}

# The pattern rules stand aside, so that the simulation's own verdicts show.
uncovered(roles) := fs if {
	fs := trust.deny with input as {"config": config, "roles": roles}
		with trust.covered_groups as set()
}

by_key(fs) := {f.key: f | some f in fs}

# --- nothing to add to the pattern rules -----------------------------------------

test_pinned_prod_role_admits_no_attacker if {
	count(attacker(run([role("deploy", "prod", [gh_stmt(0, sub_eq(["repo:acme/payments:environment:prod"]))])]))) == 0
	count(attacker(uncovered([role("deploy", "prod", [gh_stmt(0, sub_eq(["repo:acme/payments:environment:prod"]))])]))) == 0
}

test_prod_wildcard_already_reported_by_prod_pull_request if {
	fs := run([role("deploy", "prod", [gh_stmt(0, sub_like(["repo:acme/payments:*"]))])])
	{f.rule | some f in fs} == {"trust-oidc-prod-pull-request"}
}

test_any_org_already_reported if {
	fs := run([role("deploy", "staging", [gh_stmt(0, sub_like(["repo:*"]))])])
	count(attacker(fs)) == 0
	"trust-oidc-any-org" in {f.rule | some f in fs}
}

test_whole_org_already_reported if {
	fs := run([role("deploy", "prod", [gh_stmt(0, sub_like(["repo:acme/*"]))])])
	count(attacker(fs)) == 0
	"trust-oidc-whole-org" in {f.rule | some f in fs}
}

test_staging_pull_requests_not_reported if {
	count(attacker(uncovered([role("deploy", "staging", [gh_stmt(0, sub_eq(["repo:acme/payments:pull_request"]))])]))) == 0
}

# --- what the simulation reports when nothing else does -------------------------

test_prod_pull_request_critical_including_forks if {
	fs := attacker(uncovered([role("deploy", "prod", [gh_stmt(0, sub_like(["repo:acme/payments:*"]))])]))
	f := by_key(fs)["statement 0 token.actions.githubusercontent.com attacker pull_request"]
	f.severity == "critical"
	f.message == "Role deploy can be assumed by any branch, tag or pull request of acme/payments. Statement 0 admits a simulated token: any pull request of acme/payments, including from forks can assume the role (sub \"repo:acme/payments:pull_request\"). It is a production role (environment prod)."
	f.file == "roles/deploy.json"
	f.line == 4
	f.resource == "deploy"
	b := by_key(fs)["statement 0 token.actions.githubusercontent.com attacker other_branch"]
	b.severity == "high"
	contains(b.message, "a workflow on any branch of acme/payments, reviewed or not can assume the role (sub \"repo:acme/payments:ref:refs/heads/attacker\")")
	count(fs) == 2
}

test_fork_excluded_by_actor_condition if {
	cond := {"StringEquals": object.union(aud_ok, {k("actor"): ["octocat"]}), "StringLike": {k("sub"): ["repo:acme/payments:pull_request"]}}
	f := by_key(attacker(uncovered([role("deploy", "prod", [gh_stmt(0, cond)])])))["statement 0 token.actions.githubusercontent.com attacker pull_request"]
	contains(f.message, "any pull request of acme/payments (not from forks)")
}

test_other_repo_high_for_staging_critical_for_prod if {
	s := by_key(attacker(uncovered([role("deploy", "staging", [gh_stmt(0, sub_like(["repo:acme/*"]))])])))
	object.keys(s) == {"statement 0 token.actions.githubusercontent.com attacker other_repo"}
	s["statement 0 token.actions.githubusercontent.com attacker other_repo"].severity == "high"
	contains(s["statement 0 token.actions.githubusercontent.com attacker other_repo"].message, "a workflow in any other repository of the organisation of acme/payments or acme/web can assume the role (sub \"repo:acme/attacker:ref:refs/heads/main\")")
	p := by_key(attacker(uncovered([role("deploy", "prod", [gh_stmt(0, sub_like(["repo:acme/*"]))])])))
	p["statement 0 token.actions.githubusercontent.com attacker other_repo"].severity == "critical"
}

test_other_repo_of_listed_organisation_allowed if {
	fs := attacker(trust.deny) with input as {
		"config": object.union(config, {"github": github(["acme/payments"], ["acme"])}),
		"roles": [role("deploy", "staging", [gh_stmt(0, sub_like(["repo:acme/*"]))])],
	}
		with trust.covered_groups as set()
	count(fs) == 0
}

test_other_org_critical if {
	s := by_key(attacker(uncovered([role("deploy", "staging", [gh_stmt(0, {"StringEquals": aud_ok})])])))
	s["statement 0 token.actions.githubusercontent.com attacker other_org"].severity == "critical"
	contains(s["statement 0 token.actions.githubusercontent.com attacker other_org"].message, "sub \"repo:attacker/payments:ref:refs/heads/main\", sub \"repo:attacker/web:ref:refs/heads/main\"")
}

test_deny_statement_respected if {
	deny := {
		"effect": "Deny",
		"principal": {"AWS": ["*"]},
		"action": ["sts:AssumeRoleWithWebIdentity"],
		"condition": {"StringEquals": {k("event_name"): ["pull_request"]}},
		"index": 1,
	}
	s := by_key(attacker(uncovered([role("deploy", "prod", [gh_stmt(0, sub_like(["repo:acme/payments:*"])), deny])])))
	object.keys(s) == {"statement 0 token.actions.githubusercontent.com attacker other_branch"}
}

test_immutable_subject_probes if {
	cfg := object.union(config, {"github": github(["acme@123/payments@456"], [])})
	fs := attacker(trust.deny) with input as {
		"config": cfg,
		"roles": [role("deploy", "prod", [gh_stmt(0, sub_like(["repo:acme@123/payments@456:*"]))])],
	}
		with trust.covered_groups as set()
	f := by_key(fs)["statement 0 token.actions.githubusercontent.com attacker pull_request"]
	contains(f.message, "sub \"repo:acme@123/payments@456:pull_request\"")
}

test_roles_sharing_a_trust_simulated_once if {
	roles := [role(sprintf("deploy-%d", [i]), "prod", [gh_stmt(0, sub_like(["repo:acme/payments:*"]))]) | some i in numbers.range(1, 5)]
	count(trust.cores) == 1 with input as {"config": config, "roles": roles}
	count(attacker(uncovered(roles))) == 10
}

test_no_repositories_configured_no_simulation if {
	fs := attacker(trust.deny) with input as {
		"config": object.union(config, {"github": github([], ["acme"])}),
		"roles": [role("deploy", "prod", [gh_stmt(0, sub_like(["repo:acme/payments:*"]))])],
	}
		with trust.covered_groups as set()
	count(fs) == 0
}

# --- the pattern analysis over-approximates the simulation ------------------------
#
# Probe groups the pattern analysis calls impossible are not simulated in a
# check run; that is only sound if every token the simulation admits is in a
# group the analysis calls possible. Checked over a corpus of trust
# conditions.

corpus := [
	sub_eq(["repo:acme/payments:ref:refs/heads/main"]),
	sub_eq(["repo:acme/payments:environment:prod"]),
	sub_eq(["repo:acme/payments:pull_request"]),
	sub_like(["repo:acme/payments:*"]),
	sub_like(["repo:acme/payments:ref:refs/heads/*"]),
	sub_like(["repo:acme/payments:ref:refs/tags/v*"]),
	sub_like(["repo:acme/*"]),
	sub_like(["repo:acme/pay*:*"]),
	sub_like(["repo:*/payments:*"]),
	sub_like(["repo:*"]),
	sub_like(["*"]),
	sub_like(["repo:acme/payments:*", "repo:acme/web:pull_request"]),
	sub_like(["repo:acme@123/payments@456:*"]),
	sub_like(["repo:acme/payments:environment:*"]),
	{"StringEquals": aud_ok},
	null,
	{"StringEquals": object.union(aud_ok, {k("repository"): ["acme/payments"]})},
	{"StringEquals": object.union(aud_ok, {k("repository_owner"): ["acme"]})},
	{"StringLike": {k("sub"): ["repo:acme/payments:*"]}, "StringNotEquals": {k("event_name"): ["pull_request"]}},
	{"StringLike": {k("sub"): ["repo:acme/payments:*"]}, "StringEquals": {k("ref"): ["refs/heads/main"]}},
	{"ForAllValues:StringLike": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}},
	{"StringLikeIfExists": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}},
	{"StringNotLike": {k("sub"): ["repo:acme/payments:pull_request"]}},
	{"ForAnyValue:StringLike": {k("sub"): ["repo:acme/*:ref:refs/heads/main"]}},
]

test_pattern_analysis_covers_every_simulated_admission if {
	homes := data.secretgate.lib.trust.home_repositories(config.github)
	probes := [pr | some h in homes; some pr in data.secretgate.lib.trust.attacker_probes(h, "sts.amazonaws.com")]
	every cond in corpus {
		gaps(cond, probes) == set()
	}
}

gaps(cond, probes) := g if {
	base := trust.core({"condition": cond, "prefix": "token.actions.githubusercontent.com", "denies": []}) with input as {"config": config, "roles": []}
	possible := trust.possible_groups(base)
	d := {"statement": [gh_stmt(0, cond)]}
	admitted := {trust.probe_group[kind] | some kind, _ in data.secretgate.lib.trust.simulate(d, "token.actions.githubusercontent.com", probes)}
	g := admitted - possible
}
