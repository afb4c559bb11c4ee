# Explaining one AssumeRoleWithWebIdentity decision, and simulating the
# tokens an attacker could present. Same package as trust.rego, so the
# explanation uses exactly the condition semantics of the trust rules
# (op_info, holds, claims_context): a refusal is never explained by a second
# implementation of IAM's matching.
package secretgate.lib.trust

import rego.v1

# token_provider(claims): the provider path (the condition key prefix) of a
# token: its iss claim without scheme and trailing slash
# ("token.actions.githubusercontent.com", or with an enterprise slug
# ".../acme"), the default issuer when the claims carry no iss.
token_provider(claims) := normal_issuer(iss) if {
	iss := str(get(claims, "iss"))
	iss != ""
} else := default_issuer

# evaluate(doc, claims): IAM's verdict on sts:AssumeRoleWithWebIdentity for a
# token with these claims (as GitHub issues them: "sub", "aud",
# "repository", …; the provider comes from "iss") against the trust policy
# doc (facts PolicyDocument: condition keys lower-case). Returns
#   {"provider": condition key prefix of the token,
#    "admitted": some Allow statement admits it and no Deny refuses it,
#    "allowed_by": [statement indexes of the Allow statements that admit it],
#    "denied_by": [statement indexes of the Deny statements that refuse it],
#    "closest": index of the closest miss or null (see below),
#    "statements": [statement_result(...)] in document order}
# The closest miss is the Allow statement for sts:AssumeRoleWithWebIdentity
# and the token's provider with the fewest failing conditions (the first
# one on a tie); null when the token is admitted or no statement names the
# provider and the action.
evaluate(doc, claims) := {
	"provider": prefix,
	"admitted": admitted,
	"allowed_by": [r.index | some r in results; r.verdict == "allows"],
	"denied_by": denied_by,
	"closest": closest_miss(results, admitted),
	"statements": results,
} if {
	prefix := token_provider(claims)
	ctx := claims_context(prefix, claims)
	results := [statement_result(i, s, prefix, ctx) | some i, s in arr(get(doc, "statement"))]
	denied_by := [r.index | some r in results; r.verdict == "denies"]
	admitted := admitted_by(results, denied_by)
}

admitted_by(results, denied_by) if {
	some r in results
	r.verdict == "allows"
	count(denied_by) == 0
} else := false

closest_miss(_, true) := null

closest_miss(results, false) := min(cands)[1] if {
	cands := [[count(r.failures), r.index] |
		some r in results
		r.verdict == "refuses"
	]
	count(cands) > 0
} else := null

# statement_result(i, stmt, prefix, ctx): one statement judged against the
# request context ctx (claims_context). "verdict" is
#   "allows"      an Allow statement whose principal, action and conditions match,
#   "refuses"     an Allow statement for the provider and the action whose
#                 conditions fail ("failures" says which),
#   "denies"      a Deny statement that applies and whose conditions hold,
#   "no-match"    a Deny statement that applies but whose conditions fail,
#   "other-principal" / "other-action": the statement does not concern this
#                 token (principal names another provider or none; action
#                 is not sts:AssumeRoleWithWebIdentity),
#   "other-effect" neither Allow nor Deny.
# "checks" holds every condition_results entry, "failures" the failing ones.
statement_result(i, stmt, prefix, ctx) := {
	"index": object.get(obj(stmt), "index", i),
	"sid": str(get(stmt, "sid")),
	"effect": str(get(stmt, "effect")),
	"file": str(get(stmt, "file")),
	"line": line_or_zero(get(stmt, "line")),
	"principal_ok": principal_ok,
	"action_ok": action_ok,
	"providers": sort([provider_path(a) | some a in arr(get(get(stmt, "principal"), "Federated")); provider_path(a)]),
	"actions": arr(get(stmt, "action")),
	"conditions": count(conds),
	"checks": conds,
	"failures": failures,
	"verdict": verdict(stmt, principal_ok, action_ok, count(failures)),
} if {
	principal_ok := principal_concerns(stmt, prefix)
	action_ok := action_concerns(stmt)
	conds := condition_results(get(stmt, "condition"), prefix, ctx)
	failures := [c | some c in conds; c.holds == false]
}

line_or_zero(n) := n if is_number(n)

else := 0

principal_concerns(stmt, prefix) if {
	is_deny(stmt)
	deny_targets(stmt, prefix)
} else if {
	not is_deny(stmt)
	federates(stmt, prefix)
} else := false

action_concerns(stmt) if allows_web_identity(stmt)

else := false

verdict(stmt, principal_ok, action_ok, n) := "other-principal" if {
	not principal_ok
} else := "other-action" if {
	not action_ok
} else := "allows" if {
	is_allow(stmt)
	n == 0
} else := "refuses" if {
	is_allow(stmt)
} else := "denies" if {
	is_deny(stmt)
	n == 0
} else := "no-match" if {
	is_deny(stmt)
} else := "other-effect"

# condition_results(condition, prefix, ctx): every operator and key of a
# condition with its outcome, in a stable order (operators, then keys,
# sorted):
#   {"operator": as written, "key": lower-case key, "claim": the claim name
#    when the key is the provider's ("" otherwise), "values": the
#    condition's values, "actual": the token's values for the key ([] when
#    absent), "holds": bool, "reason": why it fails ("" when it holds)}
condition_results(condition, prefix, ctx) := [{
	"operator": op,
	"key": key,
	"claim": claim_of(key, prefix),
	"values": pats,
	"actual": vs,
	"holds": ok,
	"reason": failure_reason(ok, info, vs, key, prefix),
} |
	some op, block in obj(condition)
	info := op_info(op)
	some k, raw in obj(block)
	key := lower(k)
	pats := arr(raw)
	vs := object.get(ctx, key, [])
	ok := holds_bool(info, pats, vs)
]

holds_bool(info, pats, vs) if holds(info, pats, vs)

else := false

claim_of(key, prefix) := c if {
	c := claim_name(key, prefix)
} else := ""

# failure_reason: "" when the condition holds, else one of
#   "other-provider" the key belongs to another OIDC provider, so tokens of
#                    this one never carry it,
#   "missing"        the token lacks the claim the operator requires,
#   "null"           the Null operator's expectation about presence fails,
#   "excluded"       a negated operator: the token's value is an excluded one,
#   "not-all"        ForAllValues: some value of the token is not listed,
#   "mismatch"       the token's value matches none of the listed values.
failure_reason(true, _, _, _, _) := ""

failure_reason(false, info, vs, key, prefix) := r if {
	r := failure_kind(info, vs, key, prefix)
}

failure_kind(info, vs, key, prefix) := "null" if info.base == "null"

else := "other-provider" if {
	count(vs) == 0
	foreign_key(key, prefix)
} else := "missing" if {
	count(vs) == 0
} else := "excluded" if {
	info.negated
} else := "not-all" if {
	info.qual == "all"
} else := "mismatch"

foreign_key(key, prefix) if {
	m := regex.find_all_string_submatch_n(`^([^:]*\.[^:]*):`, key, 1)
	count(m) == 1
	m[0][1] != prefix
}

# ---------------------------------------------------------------------------
# Attacker subjects.
#
# For a repository that may legitimately assume roles (github.repositories),
# the tokens an attacker could obtain and present, with the claims GitHub
# puts in them (docs.github.com, "OpenID Connect reference"):
#
#   pull_request       a pull request of the repository (branch pushed by
#                      anyone with write access): sub "repo:o/r:pull_request"
#                      when the job names no environment, event_name
#                      pull_request, ref refs/pull/<n>/merge, head_ref and
#                      base_ref set.
#   fork_pull_request  a pull request from a fork of the repository. The
#                      workflow runs in the base repository, so sub,
#                      repository, repository_owner and their ids are the
#                      base repository's, exactly as for pull_request; only
#                      actor/actor_id (the fork's author) and head_ref (a
#                      branch of the fork) differ. No claim names the head
#                      repository, so a trust policy cannot tell the two
#                      apart; what stops a fork is GitHub withholding
#                      id-token: write from fork runs unless "Send write
#                      tokens to workflows from pull requests" is enabled.
#   other_branch       a push to a branch nobody reviewed:
#                      "repo:o/r:ref:refs/heads/attacker".
#   other_repo         a workflow in another repository of the same owner:
#                      "repo:o/attacker:ref:refs/heads/main".
#   other_org          a workflow in a repository of the same name in another
#                      organisation: "repo:attacker/r:ref:refs/heads/main".
#
# Subjects use GitHub's immutable format ("repo:o@1/r@2:…") when the
# configured repository carries ids, the name format otherwise. The
# attacker's own repositories (other_repo, other_org) are tried in both
# formats: an attacker picks whichever the trust policy admits.

attacker_name := "attacker"

# Ids no real owner or repository has yet (GitHub ids are far smaller).
attacker_owner_id := "999999999001"

attacker_repo_id := "999999999002"

attacker_probe_kinds := ["pull_request", "fork_pull_request", "environment_pull_request", "other_branch", "other_repo", "other_org", "forged_template"]

# home_repositories(gh): the configured repositories as
# {"key": "lower owner/repo", "label": "owner/repo", "owner": atom,
#  "repo": atom}. Entries without "/" are ignored.
home_repositories(gh) := [h |
	some r in arr(get(gh, "repositories"))
	e := repo_entry(r)
	e.org.name != null
	e.repo.name != null
	h := {
		"key": lower(concat("/", [e.org.name, e.repo.name])),
		"label": concat("/", [e.org.name, e.repo.name]),
		"owner": e.org,
		"repo": e.repo,
	}
]

# subject_path(owner atom, repo atom): "o/r" or, with ids, "o@1/r@2".
subject_path(o, r) := concat("/", [atom_text(o), atom_text(r)])

atom_text(a) := sprintf("%s@%s", [a.name, a.id]) if a.id != null

else := a.name

# probe_claims(sub, owner atom, repo atom, extra, aud): the claims of a token
# with this subject. Ids are carried as claims when known.
probe_claims(sub, o, r, extra, aud) := object.union(object.union(base, ids), extra) if {
	base := {
		"sub": sub,
		"aud": aud,
		"iss": concat("", ["https://", default_issuer]),
		"repository": concat("/", [o.name, r.name]),
		"repository_owner": o.name,
		"repository_visibility": "private",
		"runner_environment": "github-hosted",
	}
	ids := {k: v |
		some k, v in {"repository_owner_id": o.id, "repository_id": r.id}
		v != null
	}
}

push_main := {"event_name": "push", "ref": "refs/heads/main", "ref_type": "branch", "actor": "octocat"}

pr_extra(actor) := {
	"event_name": "pull_request",
	"ref": "refs/pull/1/merge",
	"head_ref": attacker_name,
	"base_ref": "main",
	"actor": actor,
}

# attacker_probes(home, aud): [{"kind", "sub", "claims"}] for one home
# repository (an element of home_repositories), the pull-request job naming
# a fresh environment ("attacker").
attacker_probes(home, aud) := attacker_probes_for(home, aud, [attacker_name])

# attacker_probes_for(home, aud, envs): attacker_probes with one
# pull-request job per environment name of envs (environment_names).
attacker_probes_for(home, aud, envs) := array.concat(array.concat(prs, env_prs), array.concat(branch, foreign)) if {
	o := home.owner
	r := home.repo
	path := subject_path(o, r)
	prs := [
		{
			"kind": "pull_request",
			"sub": sprintf("repo:%s:pull_request", [path]),
			"claims": probe_claims(sprintf("repo:%s:pull_request", [path]), o, r, pr_extra("octocat"), aud),
		},
		{
			"kind": "fork_pull_request",
			"sub": sprintf("repo:%s:pull_request", [path]),
			"claims": probe_claims(sprintf("repo:%s:pull_request", [path]), o, r, pr_extra("secretgate-fork-author"), aud),
		},
	]

	# A pull-request job that names an environment gets that environment's
	# subject; environments are created on first use.
	env_prs := [{
		"kind": "environment_pull_request",
		"sub": sprintf("repo:%s:environment:%s", [path, env]),
		"claims": probe_claims(sprintf("repo:%s:environment:%s", [path, env]), o, r, object.union(pr_extra("octocat"), {"environment": env}), aud),
	} |
		some env in envs
	]
	branch := [
		{
			"kind": "other_branch",
			"sub": sprintf("repo:%s:ref:refs/heads/%s", [path, attacker_name]),
			"claims": probe_claims(
				sprintf("repo:%s:ref:refs/heads/%s", [path, attacker_name]), o, r,
				object.union(push_main, {"ref": concat("", ["refs/heads/", attacker_name])}), aud,
			),
		},
	]
	foreign := [p |
		some [kind, fo, fr] in [
			["other_repo", {"name": o.name, "id": null}, {"name": attacker_name, "id": null}],
			["other_repo", o, {"name": attacker_name, "id": attacker_repo_id}],
			["other_org", {"name": attacker_name, "id": null}, {"name": r.name, "id": null}],
			["other_org", {"name": attacker_name, "id": attacker_owner_id}, {"name": r.name, "id": attacker_repo_id}],
		]
		usable_atoms(fo, fr)
		sub := sprintf("repo:%s:ref:refs/heads/main", [subject_path(fo, fr)])
		p := {"kind": kind, "sub": sub, "claims": probe_claims(sub, fo, fr, push_main, aud)}
	]
}

# environment_names(doc, prefix): the environments a pull-request job names
# to be admitted: a job can name any environment, so for each environment
# pattern with a wildcard in the document's Allow statements for the
# provider (an "environment:" piece of a sub value, or a condition on the
# environment claim; negated operators excluded) the name that fills it
# ("deploy-*" gives "deploy-attacker"); a fresh "attacker" when there is
# none. Sorted.
environment_names(doc, prefix) := environment_names_outside(doc, prefix, [])

# environment_names_outside(doc, prefix, protected): environment_names
# without the names that a github.protected_environments pattern of
# protected matches (a job naming a protected environment is held to its
# deployment-branch rules, as the trust rules assume); patterns of
# wildcards only protect nothing.
environment_names_outside(doc, prefix, protected) := names if {
	pats := {v |
		some st in arr(get(doc, "statement"))
		is_allow(st)
		federates(st, prefix)
		some op, keys in obj(get(st, "condition"))
		not op_info(op).negated
		some key, values in obj(keys)
		some v in environment_patterns(lower(key), prefix, arr(values))
		regex.match(`[*?]`, v)
	}
	names := sort({n |
		some v in pats
		n := replace(replace(v, "*", attacker_name), "?", "x")
		not env_name_protected(n, protected)
	})
	count(names) > 0
} else := [attacker_name]

env_name_protected(name, protected) if {
	some p in protected
	is_string(p)
	not regex.match(`^[*?]*\*[*?]*$`, p)
	glob(p, name)
}

environment_patterns(key, prefix, values) := [v | some v in values; is_string(v)] if {
	key == concat(":", [prefix, "environment"])
} else := [m[1] |
	key == concat(":", [prefix, "sub"])
	some v in values
	is_string(v)
	some m in regex.find_all_string_submatch_n(`(?:^|:)environment:([^:]*)`, v, -1)
]

# An immutable subject needs both ids: the other_repo probe in immutable
# format exists only when the owner's id is configured.
usable_atoms(o, r) if {
	o.id == null
	r.id == null
}

usable_atoms(o, r) if {
	o.id != null
	r.id != null
}

# simulate(doc, prefix, probes): the kinds of probe (attacker_probes) whose
# tokens, issued by provider prefix, the trust policy admits, each with the
# subjects admitted: {kind: [sub]}.
simulate(doc, prefix, probes) := {kind: subs |
	some kind in attacker_probe_kinds
	subs := sort({p.sub |
		some p in probes
		p.kind == kind
		policy_admits(doc, prefix, p.claims)
	})
	count(subs) > 0
}

# sub_homes(doc, prefix): when every Allow statement of the document for
# the provider pins sub to literal owner/repo pairs, the set of those pairs
# ("lower owner/repo", ids stripped); undefined otherwise. A token whose sub
# names another repository cannot match such a document, so the simulation
# skips the other configured repositories.
sub_homes(doc, prefix) := homes if {
	stmts := [s |
		some s in arr(get(doc, "statement"))
		is_allow(s)
		federates(s, prefix)
		allows_web_identity(s)
	]
	per := [pinned_sub_repos(s, prefix) | some s in stmts]
	count(per) == count(stmts)
	homes := union({h | some h in per})
}

# pinned_sub_repos(stmt, prefix): the literal owner/repo pairs a statement's
# constraining sub conditions allow; undefined when some sub condition value
# has no literal owner/repo or no constraining condition names sub.
pinned_sub_repos(stmt, prefix) := repos if {
	key := concat("", [prefix, ":sub"])
	sets := [vals |
		some op, block in obj(get(stmt, "condition"))
		constraining(op_info(op))
		some k, vals in obj(block)
		lower(k) == key
	]
	count(sets) > 0
	vals := sets[0]
	repos := {r |
		some v in arr(vals)
		r := literal_sub_repo(v)
	}
	count(repos) == count(arr(vals))
}

literal_sub_repo(v) := lower(concat("/", [m[0][1], m[0][2]])) if {
	m := regex.find_all_string_submatch_n(`^repo:([A-Za-z0-9_.-]+)(?:@[0-9]+)?/([A-Za-z0-9_.-]+)(?:@[0-9]+)?(?::|$)`, v, 1)
	count(m) == 1
}

# homes_for(doc, prefix, homes): the home repositories whose probes can
# matter for the document (all of them unless sub_homes narrows them).
homes_for(doc, prefix, homes) := [h | some h in homes; h.key in pinned] if {
	pinned := sub_homes(doc, prefix)
} else := homes

# attacker_who(kind, labels, fork): plain words for who can assume through
# the probe kind, over the home repositories' labels.
attacker_who("pull_request", labels, true) := sprintf("any pull request of %s, including from forks", [concat(" or ", labels)])

attacker_who("pull_request", labels, false) := sprintf("any pull request of %s (not from forks)", [concat(" or ", labels)])

attacker_who("other_branch", labels, _) := sprintf("a workflow on any branch of %s, reviewed or not", [concat(" or ", labels)])

attacker_who("other_repo", labels, _) := sprintf("a workflow in any other repository of the organisation of %s", [concat(" or ", labels)])

attacker_who("other_org", labels, _) := sprintf("a workflow in a repository of another organisation (anyone can create one) named like %s", [concat(" or ", labels)])

# attacker_report(doc, repository, aud, prefix): every attacker probe
# relative to one repository ("owner/repo" or, for GitHub's immutable
# subjects, "owner@id/repo@id"), with IAM's verdict for tokens of provider
# prefix: [{"kind", "sub", "admitted"}] in attacker_probe_kinds order. Empty
# when repository is not "owner/repo".
attacker_report(doc, repository, aud, prefix) := attacker_report_outside(doc, repository, aud, prefix, [])

# attacker_report_outside(doc, repository, aud, prefix, protected):
# attacker_report whose pull-request jobs name no environment that the
# github.protected_environments patterns of protected cover.
attacker_report_outside(doc, repository, aud, prefix, protected) := [{"kind": p.kind, "sub": p.sub, "admitted": admitted_bool(doc, prefix, p.claims)} |
	some h in home_repositories({"repositories": [repository]})
	some p in array.concat(attacker_probes_for(h, aud, environment_names_outside(doc, prefix, protected)), forged_probes(doc, prefix, h, aud))
]

# forged_probes(doc, prefix, home, aud): for each sub value of the
# document's Allow statements whose first claim is the workflow's name
# (free text: a custom subject template starting with "workflow"), the
# token of another organisation that set its own template to start with
# the workflow and named a workflow to spell the rest of the value
# (wildcards filled in): kind "forged_template". Its repository and owner
# are the attacker's, so a condition on repository_owner_id (or another
# claim no other organisation chooses) still refuses it.
forged_probes(doc, prefix, home, aud) := [p |
	some v in sort({v |
		some st in arr(get(doc, "statement"))
		is_allow(st)
		federates(st, prefix)
		some op, keys in obj(get(st, "condition"))
		not startswith(lower(op), "stringnot")
		some key, values in obj(keys)
		key == concat(":", [prefix, "sub"])
		some v in arr(values)
		is_string(v)
		startswith(v, "workflow:")
	})
	sub := replace(replace(v, "*", attacker_name), "?", "x")
	fo := {"name": attacker_name, "id": attacker_owner_id}
	fr := {"name": home.repo.name, "id": attacker_repo_id}
	extra := object.union(push_main, {"workflow": substring(sub, count("workflow:"), -1)})
	p := {"kind": "forged_template", "sub": sub, "claims": probe_claims(sub, fo, fr, extra, aud)}
]

admitted_bool(doc, prefix, claims) if policy_admits(doc, prefix, claims)

else := false

# token_home(claims): the repository a token comes from, in the format of
# its subject: "owner@id/repo@id" when the sub uses GitHub's immutable
# format and the token carries both ids, else "owner/repo" from the
# repository claim; undefined without a repository claim.
token_home(claims) := concat("", [owner, "@", oid, "/", repo, "@", rid]) if {
	regex.match(`^repo:[^/:]+@[0-9]+/[^/:]+@[0-9]+(:|$)`, str(get(claims, "sub")))
	parts := split(str(get(claims, "repository")), "/")
	count(parts) == 2
	owner := parts[0]
	repo := parts[1]
	oid := to_str(get(claims, "repository_owner_id"))
	rid := to_str(get(claims, "repository_id"))
	oid != "null"
	rid != "null"
} else := r if {
	r := str(get(claims, "repository"))
	contains(r, "/")
}

# explain(doc, claims): evaluate(doc, claims) plus the attacker simulation
# relative to the token's own repository (token_home): "home" (the
# repository, "" when the claims name none) and "attackers"
# (attacker_report, with the token's audience and provider).
explain(doc, claims) := explain_outside(doc, claims, [])

# explain_outside(doc, claims, protected): explain, with the configured
# github.protected_environments (attacker_report_outside).
explain_outside(doc, claims, protected) := object.union(evaluate(doc, claims), {
	"home": home,
	"attackers": attacker_report_outside(doc, home, token_audience(claims), token_provider(claims), protected),
}) if {
	home := token_home(claims)
} else := object.union(evaluate(doc, claims), {"home": "", "attackers": []})

token_audience(claims) := a if {
	a := str(get(claims, "aud"))
	a != ""
} else := a if {
	auds := arr(get(claims, "aud"))
	count(auds) > 0
	a := str(auds[0])
} else := default_audience
