# A role nobody can assume is reported as broken (low) with the reason,
# consistently for every way it can happen (issue 13, item 5): each case
# below is a whole trust document; for a production role, a powerful
# development role and an ordinary one, every finding is low and one of
# them names why no token is admitted, no finding claims an exposure, and
# explain-trust (lib.explain) and the attacker simulation
# (lib.attacker_probes, lib.policy_admits) refuse every token, including
# the one the author meant to admit.
package secretgate.rules.trust_unassumable_test

import rego.v1

import data.secretgate.lib.trust as lib
import data.secretgate.rules.trust
import data.secretgate.rules.trust.hygiene

prefix := "token.actions.githubusercontent.com"

provider := concat("", ["arn:aws:iam::123456789012:oidc-provider/", prefix])

k(claim) := concat("", [prefix, ":", claim])

aud_ok := {k("aud"): ["sts.amazonaws.com"]}

main_sub := "repo:acme/app:ref:refs/heads/main"

config := {
	"environments": {
		"prod": {"max_rotation_days": 90, "production": true},
		"dev": {"max_rotation_days": 0, "production": false},
	},
	"github": {
		"organizations": [],
		"repositories": ["acme/app"],
		"audience": "sts.amazonaws.com",
		"issuers": [prefix],
	},
	"waivers": [],
}

allow(cond) := {"effect": "Allow", "principal": {"Federated": [provider]}, "action": ["sts:AssumeRoleWithWebIdentity"], "condition": cond}

allow_from(principal, action, cond) := {"effect": "Allow", "principal": {"Federated": [principal]}, "action": [action], "condition": cond}

deny_web_identity(cond) := {"effect": "Deny", "principal": {"Federated": [provider]}, "action": ["sts:AssumeRoleWithWebIdentity"], "condition": cond}

eq_sub(v) := {"StringEquals": object.union(aud_ok, {k("sub"): [v]})}

# name, statements, the rule that says why, and words its message has.
cases := [
	{"name": "empty sub under StringEquals", "stmts": [allow(eq_sub(""))], "rule": "trust-oidc-subject-malformed", "words": `"" is not a subject GitHub issues (it is empty)`},
	{"name": "repo: with nothing after it", "stmts": [allow(eq_sub("repo:"))], "rule": "trust-oidc-subject-malformed", "words": "(the owner/repository part is empty)"},
	{"name": "repo: with an empty owner", "stmts": [allow({"StringEquals": aud_ok, "StringLike": {k("sub"): ["repo:/app:*"]}})], "rule": "trust-oidc-subject-malformed", "words": "(the owner is empty)"},
	{"name": "space before the subject", "stmts": [allow(eq_sub(concat("", [" ", main_sub])))], "rule": "trust-oidc-subject-malformed", "words": "(it starts with a space)"},
	{"name": "wildcard under StringEquals", "stmts": [allow(eq_sub("repo:acme/app:*"))], "rule": "trust-oidc-literal-wildcard", "words": "compares token.actions.githubusercontent.com:sub literally"},
	{"name": "empty audience", "stmts": [allow({"StringEquals": {k("aud"): [""], k("sub"): [main_sub]}})], "rule": "trust-oidc-unassumable", "words": `StringEquals aud "" accepts no value a token carries`},
	{
		"name": "unconditional Deny of web identity",
		"stmts": [allow(eq_sub(main_sub)), deny_web_identity({})],
		"rule": "trust-oidc-unassumable", "words": "statement 1 denies sts:AssumeRoleWithWebIdentity to every token of this provider, without a condition",
	},
	{
		"name": "Deny whose condition covers every subject the Allow accepts",
		"stmts": [allow({"StringEquals": aud_ok, "StringLike": {k("sub"): ["repo:acme/app:*"]}}), deny_web_identity({"StringLike": {k("sub"): ["repo:acme/*"]}})],
		"rule": "trust-oidc-unassumable", "words": `statement 1 denies every token whose sub matches "repo:acme/*" (StringLike), which covers every value it accepts`,
	},
	{
		"name": "Deny of the very subject the Allow pins",
		"stmts": [allow(eq_sub(main_sub)), deny_web_identity({"StringEquals": {k("sub"): [main_sub]}})],
		"rule": "trust-oidc-unassumable", "words": "statement 1 denies every token whose sub matches",
	},
	{
		"name": "StringEquals and StringLike on sub with no value in common",
		"stmts": [allow({"StringEquals": object.union(aud_ok, {k("sub"): [main_sub]}), "StringLike": {k("sub"): ["repo:acme/other:*"]}})],
		"rule": "trust-oidc-unassumable", "words": `its conditions have no value in common (StringEquals sub "repo:acme/app:ref:refs/heads/main"; StringLike sub "repo:acme/other:*")`,
	},
	{
		"name": "sub and repository pinned to different repositories",
		"stmts": [allow({"StringEquals": object.union(aud_ok, {k("sub"): [main_sub], k("repository"): ["acme/other"]})})],
		"rule": "trust-oidc-unassumable", "words": "its conditions have no value in common",
	},
	{
		"name": "misspelled claim under StringEquals beside an open subject",
		"stmts": [allow({"StringEquals": object.union(aud_ok, {k("enviroment"): ["prod"]}), "StringLike": {k("sub"): ["repo:acme/app:*"]}})],
		"rule": "trust-oidc-condition-unknown-claim", "words": `uses claim "enviroment", which GitHub's OIDC tokens do not carry, so the condition never matches`,
	},
	{
		"name": "misspelled sub claim",
		"stmts": [allow({"StringEquals": object.union(aud_ok, {k("sbu"): [main_sub]})})],
		"rule": "trust-oidc-condition-unknown-claim", "words": `uses claim "sbu"`,
	},
	{
		"name": "misspelled claim under ForAnyValue:StringLike",
		"stmts": [allow({"StringEquals": aud_ok, "ForAnyValue:StringLike": {k("enviroment"): ["prod*"]}, "StringLike": {k("sub"): ["repo:acme/app:*"]}})],
		"rule": "trust-oidc-condition-unknown-claim", "words": `uses claim "enviroment"`,
	},
	{
		"name": "GitHub keys on a Cognito principal",
		"stmts": [allow_from("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", eq_sub(main_sub))],
		"rule": "trust-oidc-condition-provider-mismatch", "words": "which statement 0 does not trust (it trusts cognito-identity.amazonaws.com)",
	},
	{
		"name": "GitHub keys on a SAML provider",
		"stmts": [allow_from("arn:aws:iam::123456789012:saml-provider/okta", "sts:AssumeRoleWithSAML", eq_sub(main_sub))],
		"rule": "trust-oidc-condition-provider-mismatch", "words": "(it trusts saml-provider/okta)",
	},
	{
		"name": "GitHub keys on another OIDC provider",
		"stmts": [allow_from("arn:aws:iam::123456789012:oidc-provider/gitlab.com", "sts:AssumeRoleWithWebIdentity", eq_sub(main_sub))],
		"rule": "trust-oidc-condition-provider-mismatch", "words": "(it trusts gitlab.com)",
	},
]

admin := ["arn:aws:iam::aws:policy/AdministratorAccess"]

kinds := [["prod", []], ["dev", admin], ["dev", []]]

doc(stmts) := {"statement": [object.union(st, {"index": i}) | some i, st in stmts]}

role(env, arns, stmts) := {
	"id": "arn:aws:iam::123456789012:role/deploy",
	"name": "deploy",
	"environment": env,
	"trust": doc(stmts),
	"policy_ids": [],
	"attached_arns": arns,
}

findings(r) := fs if {
	fs := trust.deny | hygiene.deny with input as {"config": config, "roles": [r], "policies": []}
}

# The token the author meant to admit, and the attacker's.
tokens := array.concat(
	[lib.probe_claims(main_sub, h.owner, h.repo, lib.push_main, "sts.amazonaws.com") | some h in lib.home_repositories(config.github)],
	[p.claims | some h in lib.home_repositories(config.github); some p in lib.attacker_probes(h, "sts.amazonaws.com")],
)

# severity(f): a finding's severity; one without the field has its
# rule's default, low only for these rules (their METADATA).
severity(f) := f.severity if f.severity

else := "low" if f.rule in low_by_default

else := "not low"

low_by_default := {"trust-oidc-unassumable", "trust-oidc-literal-wildcard", "trust-oidc-subject-malformed"}

reported_broken(c, env, arns) if {
	fs := findings(role(env, arns, c.stmts))
	count(fs) > 0
	every f in fs {
		severity(f) == "low"
	}
	some f in fs
	f.rule == c.rule
	contains(f.message, c.words)
}

test_every_way_nobody_can_assume_is_reported_as_broken if {
	every c in cases {
		every kind in kinds {
			reported_broken(c, kind[0], kind[1])
		}
	}
}

# The rules' own words agree with the simulation: no token is admitted.
test_explain_and_simulation_refuse_every_token if {
	every c in cases {
		every t in tokens {
			not lib.policy_admits(doc(c.stmts), prefix, t)
			lib.explain(doc(c.stmts), t).admitted == false
		}
	}
}

# Those whose message starts with who can assume the role say nobody.
test_opener_says_nobody if {
	every c in [c | some c in cases; not c.rule in {"trust-oidc-condition-provider-mismatch", "trust-oidc-condition-unknown-claim"}] {
		some f in findings(role("prod", [], c.stmts))
		f.rule == c.rule
		startswith(f.message, "Role deploy can be assumed by no GitHub Actions workflow.")
	}
}

# A Deny that refuses only some of what the Allow accepts breaks nothing:
# the role stays exposed, and is reported as such (a pull-request job that
# names an environment is not refused by a Deny of the pull_request
# subject).
test_partial_deny_is_not_broken if {
	stmts := [allow({"StringEquals": aud_ok, "StringLike": {k("sub"): ["repo:acme/app:*"]}}), deny_web_identity({"StringLike": {k("sub"): ["repo:acme/app:pull_request"]}})]
	fs := findings(role("prod", [], stmts))
	rules := {f.rule | some f in fs}
	not "trust-oidc-unassumable" in rules
	"trust-oidc-prod-pull-request" in rules
	some t in tokens
	lib.policy_admits(doc(stmts), prefix, t)
}

# A claim no token carries is reported once, by
# trust-oidc-condition-unknown-claim (which names the claim meant), not
# again as trust-oidc-unassumable.
test_unknown_claim_is_reported_once if {
	every c in [c | some c in cases; c.rule == "trust-oidc-condition-unknown-claim"] {
		fs := findings(role("prod", [], c.stmts))
		not "trust-oidc-unassumable" in {f.rule | some f in fs}
	}
}
