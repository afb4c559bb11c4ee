# The pattern rules and the attacker simulation agree, both ways: over the
# trust conditions of every fixture of trust_test.rego, power_test.rego and
# attacker_test.rego (copied into corpus below; add a fixture's condition
# here when you add one there), no finding claims an exposure that the
# simulation refutes, a role the rules call unusable admits no simulated
# token, and every simulated admission is reported. Each condition is
# judged for a production role, a powerful development role and an
# ordinary development role.
package secretgate.rules.trust_consistency_test

import rego.v1

import data.secretgate.lib.trust as lib
import data.secretgate.rules.trust
import data.secretgate.rules.trust.forgeable

prefix := "token.actions.githubusercontent.com"

provider := concat("", ["arn:aws:iam::123456789012:oidc-provider/", prefix])

k(claim) := concat("", [prefix, ":", claim])

aud_ok := {k("aud"): ["sts.amazonaws.com"]}

sub_cond(op, vals) := object.union({"StringEquals": aud_ok}, {op: object.union(object.get({"StringEquals": aud_ok}, op, {}), {k("sub"): vals})})

config := {
	"environments": {
		"prod": {"max_rotation_days": 90, "production": true},
		"dev": {"max_rotation_days": 0, "production": false},
	},
	"github": {
		"organizations": [],
		"repositories": ["acme/payments", "acme/web"],
		"audience": "sts.amazonaws.com",
		"issuers": [prefix],
	},
	"waivers": [],
}

# trust_test.rego
fixtures := [
	{"StringEquals": aud_ok, "ForAnyValue:StringLike": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}},
	{"StringEquals": object.union(aud_ok, {k("repository"): ["acme/payments"], k("ref"): ["refs/heads/main"]})},
	{"StringEquals": object.union(aud_ok, {k("repository"): ["acme/payments"]}), "StringLike": {k("sub"): ["repo:acme/*"]}},
	{"StringEquals": object.union(aud_ok, {k("repository_owner_id"): ["123"]}), "StringLike": {k("sub"): ["*"]}},
	{"StringEquals": object.union(aud_ok, {k("event_name"): ["pull_request"]}), "StringLike": {k("sub"): ["repo:acme/payments:*"]}},
	{"StringEquals": object.union(aud_ok, {k("environment"): ["prod"]}), "StringLike": {k("sub"): ["repo:acme/payments:*"]}},
	{"StringEquals": object.union(aud_ok, {k("ref"): ["refs/heads/main"]}), "StringLike": {k("sub"): ["repo:acme/payments:*"]}},
	{"StringEquals": object.union(aud_ok, {k("job_workflow_ref"): ["acme/workflows/.github/workflows/deploy.yml@refs/heads/main"]}), "StringLike": {k("sub"): ["repo:acme/payments:ref:*"]}},
	{"StringEquals": {k("aud"): ["api://AzureADTokenExchange"], k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}},
	{"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}, "StringLike": {k("aud"): ["sts.amazonaws.com", "*"]}},
	{"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}, "StringLike": {k("aud"): ["sts.amazonaws.com"]}},
	{"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}, "StringEqualsIfExists": {k("aud"): ["sts.amazonaws.com"]}},
	{"StringEquals": {k("aud"): ["https://github.com/acme"], k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}},
	{"StringEquals": object.union(aud_ok, {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}), "StringNotEquals": {k("sub"): ["repo:acme/*"]}},
	{"StringEquals": aud_ok, "ForAllValues:StringLike": {k("sub"): ["repo:acme/payments:*"]}},
	{"StringEquals": aud_ok, "StringLikeIfExists": {k("sub"): ["repo:acme/payments:*"]}},
	{"StringEquals": object.union(aud_ok, {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}), "StringEqualsIfExists": {k("environment"): ["prod"]}},
	{"StringEquals": object.union(aud_ok, {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}), "ForAllValues:StringLike": {k("sub"): ["repo:acme/*"]}},
	{"StringEquals": aud_ok, "StringNotLike": {k("sub"): ["repo:evil/*"]}},
	{"StringEquals": aud_ok, "StringLike": {k("sub"): ["repo:acme/payments:*"]}, "StringNotLike": {k("sub"): ["repo:acme/payments:pull_request"]}},
	sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main"]),
	sub_cond("StringEquals", ["repo:acme/payments:environment:prod"]),
	sub_cond("StringLike", ["repo:acme/payments:ref:refs/tags/v*"]),
	sub_cond("StringEquals", ["repo:acme@123/payments@456:ref:refs/heads/main"]),
	sub_cond("StringLike", ["repo:acme/payments:*"]),
	sub_cond("StringEquals", ["repo:acme/payments:pull_request"]),
	sub_cond("StringLike", ["*"]),
	sub_cond("StringLike", ["repo:acme/payments:ref:refs/heads/main", "*"]),
	sub_cond("StringLike", ["repo:acme-*/payments:*"]),
	sub_cond("StringEquals", ["repo:acme/*"]),
	sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main", "repo:acme/*"]),
	sub_cond("StringLike", ["repo:acme/*"]),
	sub_cond("StringEquals", ["repo:evil/payments:ref:refs/heads/main"]),
	sub_cond("StringLike", ["repo:evil/*"]),
	sub_cond("StringLike", ["repo:*@123/*@456:ref:refs/heads/main"]),
	sub_cond("StringLike", ["repo:acme/payments:ref:refs/heads/*"]),
	sub_cond("StringLike", ["repo:acme/payments:ref:refs/heads/release/*"]),
	sub_cond("StringLike", ["repo:acme/payments:environment:*"]),
	sub_cond("StringLike", ["repo:acme/payments:ref:refs/tags/*"]),
	sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main", "repo:acme/payments:pull_request"]),
	sub_cond("StringEquals", ["repo:acme/other:ref:refs/heads/main"]),
	sub_cond("StringEquals", ["repo:evil/x:ref:refs/heads/main"]),
	{"StringEquals": aud_ok},
	{"StringEquals": {k("sub"): ["repo:acme/payments:ref:refs/heads/main"]}},
	null,
	# forgeable_test.rego: workflow-first subjects
	sub_cond("StringEquals", ["workflow:deploy:repo:acme/payments:ref:refs/heads/main"]),
	sub_cond("StringLike", ["workflow:deploy*"]),
	{"StringEquals": object.union(aud_ok, {k("sub"): ["workflow:deploy:repo:acme/payments:ref:refs/heads/main"], k("repository_owner_id"): ["123"]})},
	{"StringEquals": {k("sub"): ["workflow:deploy:repo:acme/payments:ref:refs/heads/main"], k("aud"): [""]}},
	# trust_test.rego: repositories github.repositories does not list
	sub_cond("StringLike", ["repo:acme/legacy:*"]),
	sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main", "repo:vendor/tool:ref:refs/heads/main"]),
	# unassumable_test.rego: a claim no token carries under an exact
	# operator (a misspelling): the statement admits nobody, whatever else
	# it says
	{"StringEquals": object.union(aud_ok, {k("enviroment"): ["prod"]}), "StringLike": {k("sub"): ["repo:acme/payments:*"]}},
	{"StringEquals": object.union(aud_ok, {k("sbu"): ["repo:acme/payments:ref:refs/heads/main"]})},
	{"StringEquals": aud_ok, "ForAnyValue:StringLike": {k("enviroment"): ["prod"]}, "StringLike": {k("sub"): ["*"]}},
	# environment patterns: a pull-request job names an environment the
	# pattern admits (lib.environment_names)
	sub_cond("StringLike", ["repo:acme/payments:environment:deploy-*"]),
	{"StringEquals": aud_ok, "StringLike": {k("sub"): ["repo:acme/payments:*"], k("environment"): ["prod*"]}},
]

# power_test.rego: strict subjects and the rest
strict := [
	sub_cond("StringEquals", ["repo:"]),
	sub_cond("StringEquals", ["repo:/payments:ref:refs/heads/main"]),
	sub_cond("StringEquals", ["repo:acme/:ref:refs/heads/main"]),
	sub_cond("StringEquals", ["repo:acme:ref:refs/heads/main"]),
	sub_cond("StringEquals", [" repo:acme/payments:ref:refs/heads/main"]),
	sub_cond("StringEquals", ["repo: acme/payments:ref:refs/heads/main"]),
	sub_cond("StringEquals", ["Repo:acme/payments:ref:refs/heads/main"]),
	sub_cond("StringEquals", ["repo:acme/payments:ref:refs/Heads/main"]),
	sub_cond("StringEquals", ["repo:acme/payments:Pull_Request"]),
	sub_cond("StringEquals", ["repo:acme/payments:environment:"]),
	sub_cond("StringLike", ["repo: acme/*"]),
	sub_cond("StringLike", ["repo:*:*"]),
	sub_cond("StringLike", ["repo:acme/payments:ref:*", "repo:acme/payments:pull_request"]),
	sub_cond("StringEquals", ["repo:acme/payments:ref:refs/heads/main", "Repo:acme/payments:ref:refs/heads/main"]),
	{"StringEquals": aud_ok, "StringEqualsIgnoreCase": {k("sub"): ["REPO:ACME/PAYMENTS:REF:REFS/HEADS/MAIN"]}},
]

corpus := array.concat(array.concat(fixtures, strict), data.secretgate.rules.trust_attacker_test.corpus)

admin := ["arn:aws:iam::aws:policy/AdministratorAccess"]

kinds := [["prod", []], ["dev", admin], ["dev", []]]

role(env, arns, cond) := {
	"id": "arn:aws:iam::123456789012:role/deploy",
	"name": "deploy",
	"environment": env,
	"trust": {"statement": [{
		"effect": "Allow",
		"principal": {"Federated": [provider]},
		"action": ["sts:AssumeRoleWithWebIdentity"],
		"condition": cond,
		"index": 0,
	}]},
	"policy_ids": [],
	"attached_arns": arns,
}

both := trust.deny | forgeable.deny

# findings(r): the trust rules' findings and the forgeable rule's (its
# exposure, any organisation, is simulated by lib.forged_probes).
findings(r) := fs if {
	fs := both with input as {"config": config, "roles": [r], "policies": []}
}

homes := lib.home_repositories(config.github)

# The simulation's tokens for the configured repositories and for the
# repositories a condition pins (by name or id), plus what the pattern
# rules' words cover beyond them: a pull-request job or a push naming an
# environment (one the condition's environment patterns admit, as
# explain-trust simulates: lib.environment_names), a tag push, and other
# organisations / repositories named after a pattern's literal part.
probes(cond) := array.concat(
	array.concat(
		[{"group": trust.probe_group[p.kind], "claims": p.claims} | some h in all_homes(cond); some p in lib.attacker_probes(h, "sts.amazonaws.com")],
		extra_probes(cond),
	),
	array.concat(forged(cond), unlisted_probes(cond)),
)

# forged(cond): another organisation's token under its own subject
# template (lib.forged_probes, what explain-trust shows): group "forged".
forged(cond) := [{"group": "forged", "claims": p.claims} |
	some h in homes
	some p in lib.forged_probes(role("dev", [], cond).trust, prefix, h, "sts.amazonaws.com")
]

# unlisted_probes(cond): every probe of a repository the condition names
# that github.repositories does not list: group "unlisted".
unlisted_probes(cond) := [{"group": "unlisted", "claims": c} |
	some h in unlisted_homes(cond)
	some c in array.concat([p.claims | some p in lib.attacker_probes(h, "sts.amazonaws.com")], own_pushes(h))
]

# unlisted_homes(cond): the repositories the condition names by name
# (a repository pattern of a named organisation by its literal part) that
# github.repositories does not list. Those named by id only are left out:
# untrusted-repo judges names.
unlisted_homes(cond) := {h |
	some t in scope(cond).tuples
	not t.org.any
	some o in t.org.atoms
	o.name != null
	some r in repo_atoms(t)
	h := {"owner": o, "repo": r}
	not listed(h)
}

repo_atoms(t) := {r | some r in t.repo.atoms; r.name != null} if not t.repo.any

else := {{"name": like_name(pat), "id": null} | some pat in t.repo.like} | {{"name": "attacker", "id": null}}

# own_pushes(h): a push to main, a tag and a job in environment prod of
# repository h itself.
own_pushes(h) := [lib.probe_claims(sprintf("repo:%s:%s", [lib.subject_path(h.owner, h.repo), ctx]), h.owner, h.repo, extra, "sts.amazonaws.com") |
	some [ctx, extra] in [
		["ref:refs/heads/main", lib.push_main],
		["ref:refs/tags/v1", object.union(lib.push_main, {"ref": "refs/tags/v1", "ref_type": "tag"})],
		["environment:prod", object.union(lib.push_main, {"environment": "prod"})],
	]
]

listed(h) if {
	some c in homes
	lower(c.owner.name) == lower(h.owner.name)
	lower(c.repo.name) == lower(h.repo.name)
}

all_homes(cond) := array.concat(homes, [{"owner": named(o), "repo": named(r)} |
	some t in scope(cond).tuples
	not t.org.any
	not t.repo.any
	some o in t.org.atoms
	some r in t.repo.atoms
])

named(a) := a if a.name != null

else := object.union(a, {"name": "someone"})

extra_probes(cond) := array.concat(
	array.concat(
		[{"group": g, "claims": lib.probe_claims(sub, h.owner, h.repo, extra, "sts.amazonaws.com")} |
			some h in all_homes(cond)
			some [g, ctx, extra] in array.concat(
				[[g, concat("", ["environment:", env]), object.union(base, {"environment": env})] |
					some env in lib.environment_names(role("dev", [], cond).trust, prefix)
					some [g, base] in [["pull_request", lib.pr_extra("octocat")], ["other_branch", lib.push_main]]
				],
				[["other_branch", "ref:refs/tags/attacker", object.union(lib.push_main, {"ref": "refs/tags/attacker", "ref_type": "tag"})]],
			)
			sub := sprintf("repo:%s:%s", [lib.subject_path(h.owner, h.repo), ctx])
		],
		[{"group": "other_org", "claims": lib.probe_claims(sub, {"name": owner, "id": null}, h.repo, lib.push_main, "sts.amazonaws.com")} |
			some t in scope(cond).tuples
			t.org.any
			some pat in t.org.like
			owner := like_name(pat)
			some h in homes
			sub := sprintf("repo:%s/%s:ref:refs/heads/main", [owner, h.repo.name])
		],
	),
	[{"group": "other_repo", "claims": lib.probe_claims(sub, named(o), {"name": repo, "id": null}, lib.push_main, "sts.amazonaws.com")} |
		some t in scope(cond).tuples
		not t.org.any
		t.repo.any
		some o in t.org.atoms
		some pat in t.repo.like
		repo := like_name(pat)
		sub := sprintf("repo:%s/%s:ref:refs/heads/main", [named(o).name, repo])
	],
)

like_name(pat) := replace(replace(pat, "*", "attacker"), "?", "x")

scope(cond) := lib.condition_scope(cond, prefix, [])

# admitted[i]: the probe groups that the role with corpus condition i
# admits; verdicts[i]: its findings, for each kind of role. Complete
# documents, each computed once.
admitted := {i: {p.group |
	some p in probes(cond)
	lib.policy_admits(role("dev", [], cond).trust, prefix, p.claims)
} |
	some i, cond in corpus
}

verdicts := {i: [findings(role(env, arns, cond)) | some [env, arns] in kinds] | some i, cond in corpus}

# claimed(f): the probe group a finding says is admitted (undefined for
# findings that claim no exposure the probes can test: another audience,
# an unlisted repository, a narrowed branch pattern, qualified workflows).
claimed(f) := "other_org" if {
	f.rule in {"trust-oidc-any-org", "trust-oidc-sub-missing"}
	object.get(f, "severity", "critical") == "critical"
} else := "forged" if {
	f.rule == "trust-oidc-forgeable-subject"
	object.get(f, "severity", "critical") != "low"
} else := "unlisted" if {
	f.rule == "trust-oidc-untrusted-repo"
} else := "other_repo" if {
	f.rule == "trust-oidc-whole-org"
} else := "pull_request" if {
	f.rule == "trust-oidc-prod-pull-request"
} else := "other_branch" if {
	f.rule == "trust-oidc-prod-unpinned"
	object.get(f, "severity", "high") != "medium"
}

qualified(cond) if {
	some t in scope(cond).tuples
	count(t.quals) > 0
}

refuted := [[corpus[i], f.rule] |
	some i, fss in verdicts
	not qualified(corpus[i])
	some fs in fss
	some f in fs
	g := claimed(f)
	not g in admitted[i]
]

unusable_but_admitted := [[corpus[i], f.rule] |
	some i, fss in verdicts
	some fs in fss
	some f in fs
	startswith(f.message, "Role deploy can be assumed by no GitHub Actions workflow.")
	count(admitted[i]) > 0
]

blank_names := [[corpus[i], f.message] |
	some i, fss in verdicts
	some fs in fss
	some f in fs
	contains(f.message, "  ")
]

# The other direction: every token the simulation admits (its own probes,
# those the check run uses) is reported for the kinds of role it is
# reported for (production and powerful roles: every group; other roles:
# another organisation or repository), by a pattern rule that covers it or
# by trust-oidc-attacker-subject.
sim_admitted := {i: sim_groups(cond) | some i, cond in corpus}

sim_groups(cond) := own | other if {
	own := {trust.probe_group[p.kind] |
		some h in homes
		some p in lib.attacker_probes(h, "sts.amazonaws.com")
		lib.policy_admits(role("dev", [], cond).trust, prefix, p.claims)
	}
	other := {p.group |
		some p in array.concat(forged(cond), unlisted_probes(cond))
		lib.policy_admits(role("dev", [], cond).trust, prefix, p.claims)
	}
}

covers := {
	"trust-oidc-any-org": {"other_org", "other_repo", "pull_request", "other_branch", "forged", "unlisted"},
	"trust-oidc-sub-missing": {"other_org", "other_repo", "pull_request", "other_branch", "forged", "unlisted"},
	"trust-oidc-forgeable-subject": {"forged"},
	"trust-oidc-untrusted-repo": {"unlisted"},
	"trust-oidc-whole-org": {"other_repo", "pull_request", "other_branch", "unlisted"},
	"trust-oidc-prod-pull-request": {"pull_request", "other_branch"},
	"trust-oidc-prod-unpinned": {"other_branch"},
}

# reportable[j]: the groups reported for kinds[j].
reportable := [
	{"other_org", "other_repo", "pull_request", "other_branch", "forged", "unlisted"},
	{"other_org", "other_repo", "pull_request", "other_branch", "forged", "unlisted"},
	{"other_org", "other_repo", "forged", "unlisted"},
]

unreported := [[corpus[i], j, g] |
	some i, fss in verdicts
	some j, fs in fss
	some g in sim_admitted[i]
	g in reportable[j]
	not reported(fs, g)
]

reported(fs, g) if {
	some f in fs
	g in object.get(covers, f.rule, set())
}

reported(fs, g) if {
	some f in fs
	f.rule == "trust-oidc-attacker-subject"
	endswith(f.key, concat(" ", ["attacker", g]))
}

test_no_finding_claims_an_exposure_the_simulation_refutes if count(refuted) == 0

test_no_simulated_admission_goes_unreported if count(unreported) == 0

test_unusable_roles_admit_no_simulated_token if count(unusable_but_admitted) == 0

test_no_finding_names_an_empty_organisation_or_repository if count(blank_names) == 0

# Trust documents with a Deny statement beside the Allow, as [Allow
# condition, Deny condition]: the rules honour the Deny as the simulation
# (IAM's evaluation of the whole document) does.
with_denies := [
	[sub_cond("StringLike", ["repo:acme/payments:*"]), {"StringEquals": {k("event_name"): ["pull_request"]}}],
	[sub_cond("StringLike", ["repo:acme/payments:*"]), {"StringLike": {k("event_name"): ["pull_request*"]}}],
	[sub_cond("StringLike", ["repo:acme/payments:environment:*"]), {"StringEquals": {k("event_name"): ["pull_request"]}}],
	[sub_cond("StringLike", ["repo:acme/payments:*"]), {"StringEquals": {k("event_name"): ["schedule"]}}],
]

deny_role(env, arns, pair) := object.union(r, {"trust": {"statement": array.concat(r.trust.statement, [{
	"effect": "Deny",
	"principal": {"Federated": [provider]},
	"action": ["sts:AssumeRoleWithWebIdentity"],
	"condition": pair[1],
	"index": 1,
}])}}) if {
	r := role(env, arns, pair[0])
}

deny_admitted := {i: {p.group |
	some p in probes(pair[0])
	lib.policy_admits(deny_role("dev", [], pair).trust, prefix, p.claims)
} |
	some i, pair in with_denies
}

deny_verdicts := {i: [findings(deny_role(env, arns, pair)) | some [env, arns] in kinds] | some i, pair in with_denies}

deny_refuted := [[with_denies[i], f.rule] |
	some i, fss in deny_verdicts
	some fs in fss
	some f in fs
	g := claimed(f)
	not g in deny_admitted[i]
]

deny_unreported := [[with_denies[i], j, g] |
	some i, fss in deny_verdicts
	some j, fs in fss
	some g in deny_admitted[i]
	g in reportable[j]
	not reported(fs, g)
]

test_deny_statements_no_finding_claims_an_exposure_the_simulation_refutes if count(deny_refuted) == 0

test_deny_statements_no_simulated_admission_goes_unreported if count(deny_unreported) == 0
