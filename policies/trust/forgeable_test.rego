package secretgate.rules.trust.forgeable_test

import rego.v1

import data.secretgate.rules.trust.forgeable

gh := "token.actions.githubusercontent.com"

role(cond) := {
	"id": "t.json#deploy", "name": "deploy", "file": "t.json", "line": 1,
	"trust": {"file": "t.json", "statement": [{
		"effect": "Allow", "index": 0, "line": 3, "file": "t.json",
		"principal": {"Federated": [concat("", ["arn:aws:iam::123456789012:oidc-provider/", gh])]},
		"action": ["sts:AssumeRoleWithWebIdentity"],
		"condition": cond,
	}]},
}

findings(r) := fs if {
	fs := forgeable.deny with input as {"roles": [r], "config": {"github": {"issuers": [gh]}}}
}

k(c) := concat(":", [gh, c])

# Checkov's abusable fixture: a subject template starting with workflow.
test_workflow_first_subject_is_forgeable if {
	r := role({"StringEquals": {k("sub"): ["workflow:github-actions:repo:myOrg/myRepo:ref:refs/heads/MyBranch"], k("aud"): ["sts.amazonaws.com"]}})
	some f in findings(r)
	f.rule == "trust-oidc-forgeable-subject"
	contains(f.message, "any organisation")
	contains(f.message, "(workflow)")
}

test_pinned_owner_id_makes_it_safe if {
	r := role({"StringEquals": {k("sub"): ["workflow:deploy:repo:acme/app:ref:refs/heads/main"], k("repository_owner_id"): ["123"]}})
	count(findings(r)) == 0
}

test_default_and_repo_first_templates_are_not_forgeable if {
	every v in ["repo:acme/app:ref:refs/heads/main", "repo:acme/app:environment:prod", "job_workflow_ref:acme/app/.github/workflows/d.yml@refs/heads/main"] {
		count(findings(role({"StringLike": {k("sub"): [v]}}))) == 0
	}
}

# repository_owner is in every token: IfExists pins it as well.
test_if_exists_owner_pins if {
	r := role({"StringEquals": {k("sub"): ["workflow:deploy"]}, "StringEqualsIfExists": {k("repository_owner"): ["acme"]}})
	count(findings(r)) == 0
}

test_negated_owner_does_not_pin if {
	r := role({"StringEquals": {k("sub"): ["workflow:deploy"]}, "StringNotEquals": {k("repository_owner"): ["evil"]}})
	count(findings(r)) == 1
}

admin_role(cond) := object.union(role(cond), {"attached_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]})

# Any organisation can mint the subject: critical whatever the power (the
# "any organisation" row of docs/trust.md's matrix), and the message names
# the power the way the other trust findings do.
test_forgeable_severity_by_power if {
	cond := {"StringEquals": {k("sub"): ["workflow:deploy:repo:acme/app:ref:refs/heads/main"], k("aud"): ["sts.amazonaws.com"]}}
	some f in findings(admin_role(cond))
	f.rule == "trust-oidc-forgeable-subject"
	object.get(f, "severity", "critical") == "critical"
	contains(f.message, "Any organisation can assume deploy, which has AdministratorAccess.")
	some g in findings(role(cond))
	object.get(g, "severity", "critical") == "critical"
	not contains(g.message, "which has")
}

# A statement no token can satisfy (an empty audience) is a broken role:
# low, and no power claimed.
test_forgeable_on_broken_role_is_low if {
	cond := {"StringEquals": {k("sub"): ["workflow:deploy:repo:acme/app:ref:refs/heads/main"], k("aud"): [""]}}
	some f in findings(admin_role(cond))
	f.rule == "trust-oidc-forgeable-subject"
	f.severity == "low"
	not contains(f.message, "AdministratorAccess")
}
