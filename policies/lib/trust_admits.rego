# Evaluating trust policy conditions over concrete token claims: whether a
# statement or a whole trust policy admits a token (condition_admits,
# policy_admits), the claims GitHub puts in a token for a subject, and the
# probe subjects an attacker could present. Part of the trust library
# (trust.rego): same package.
package secretgate.lib.trust

import rego.v1

full_key(prefix, k) := k if contains(k, ":")

else := concat("", [prefix, ":", k])

claim_values(v) := [to_str(x) | some x in v] if is_array(v)

else := [] if v == null

else := [to_str(v)]

to_str(x) := x if is_string(x)

else := sprintf("%v", [x])

# claims_context(prefix, claims): the request context IAM would see for a
# token with these claims: {"<prefix>:<claim>": [values]}. Claim names are
# short ("sub", "repository"); names containing ":" are taken as full keys
# (e.g. "aws:sourceip"). Null or empty claims are absent.
claims_context(prefix, claims) := {k: vs |
	some ck, cv in obj(claims)
	k := full_key(prefix, lower(ck))
	vs := claim_values(cv)
	count(vs) > 0
}

# condition_admits(condition, prefix, claims): every operator and key of a
# normalised statement condition holds for a token with these claims, with
# IAM's semantics: several keys and operators are AND, several values of one
# key are OR, StringEquals is exact, StringLike globs with * and ?,
# ForAnyValue/ForAllValues set semantics (ForAllValues holds when the claim is
# absent), ...IfExists holds when absent, negated operators hold when absent.
# A null or empty condition admits everything.
condition_admits(condition, prefix, claims) if {
	context_admits(condition, claims_context(prefix, claims))
}

# context_admits(condition, ctx): condition_admits over a request context
# already computed with claims_context.
context_admits(condition, ctx) if {
	every op, block in obj(condition) {
		condition_block_holds(op, block, ctx)
	}
}

condition_block_holds(op, block, ctx) if {
	info := op_info(op)
	every key, pats in obj(block) {
		holds(info, arr(pats), object.get(ctx, lower(key), []))
	}
}

# statement_admits(stmt, prefix, claims): an Allow statement lets a token of
# provider prefix with these claims call sts:AssumeRoleWithWebIdentity.
statement_admits(stmt, prefix, claims) if {
	is_allow(stmt)
	federates(stmt, prefix)
	allows_web_identity(stmt)
	condition_admits(get(stmt, "condition"), prefix, claims)
}

# statement_denies(stmt, prefix, claims): a Deny statement refuses it.
statement_denies(stmt, prefix, claims) if {
	is_deny(stmt)
	deny_targets(stmt, prefix)
	allows_web_identity(stmt)
	condition_admits(get(stmt, "condition"), prefix, claims)
}

deny_targets(stmt, prefix) if federates(stmt, prefix)

deny_targets(stmt, _) if aws_star(stmt)

# policy_admits(doc, prefix, claims): the trust policy document lets the
# token assume the role: some Allow statement admits it and no Deny refuses.
policy_admits(doc, prefix, claims) if {
	some s in arr(get(doc, "statement"))
	statement_admits(s, prefix, claims)
	not policy_denies(doc, prefix, claims)
}

policy_denies(doc, prefix, claims) if {
	some s in arr(get(doc, "statement"))
	statement_denies(s, prefix, claims)
}

# admitting_statements(doc, prefix, claims): indexes of the Allow statements
# that admit the token (useful to explain a decision).
admitting_statements(doc, prefix, claims) := {i |
	some i, s in arr(get(doc, "statement"))
	statement_admits(s, prefix, claims)
}

# claims_from_sub(sub, aud): the claims GitHub puts in a token whose subject
# is sub (default or immutable format): sub, aud, repository,
# repository_owner, repository_id / repository_owner_id when the subject
# carries them, and ref / environment / event_name for the context.
claims_from_sub(sub, aud) := object.union(base, sub_context_claims(m[0][5])) if {
	m := regex.find_all_string_submatch_n(`^repo:([^/@:]+)(?:@([0-9]+))?/([^/@:]+)(?:@([0-9]+))?(?::(.*))?$`, sub, 1)
	count(m) == 1
	all := {
		"sub": sub,
		"aud": aud,
		"repository": concat("/", [m[0][1], m[0][3]]),
		"repository_owner": m[0][1],
		"repository_owner_id": m[0][2],
		"repository_id": m[0][4],
	}
	base := {k: v | some k, v in all; v != ""}
}

sub_context_claims(c) := {"ref": r, "ref_type": "branch", "event_name": "push"} if {
	startswith(c, "ref:refs/heads/")
	r := substring(c, 4, -1)
} else := {"ref": r, "ref_type": "tag", "event_name": "push"} if {
	startswith(c, "ref:refs/tags/")
	r := substring(c, 4, -1)
} else := {"environment": e, "event_name": "push"} if {
	startswith(c, "environment:")
	e := substring(c, 12, -1)
} else := {"ref": "refs/pull/1/merge", "event_name": "pull_request"} if {
	c == "pull_request"
} else := {}

# probe_subjects(owner, repo): subjects an attacker or a careless workflow
# could present, relative to the repository owner/repo.
probe_subjects(owner, repo) := {
	"main": sprintf("repo:%s/%s:ref:refs/heads/main", [owner, repo]),
	"other_branch": sprintf("repo:%s/%s:ref:refs/heads/zz-secretgate-probe", [owner, repo]),
	"tag": sprintf("repo:%s/%s:ref:refs/tags/zz-secretgate-probe", [owner, repo]),
	"environment": sprintf("repo:%s/%s:environment:zz-secretgate-probe", [owner, repo]),
	"pull_request": sprintf("repo:%s/%s:pull_request", [owner, repo]),
	"other_repo": sprintf("repo:%s/zz-secretgate-probe:ref:refs/heads/main", [owner]),
	"other_org": sprintf("repo:zz-secretgate-probe/%s:ref:refs/heads/main", [repo]),
}

# admitted_probes(doc, prefix, owner, repo, aud): names of the probe
# subjects the trust policy admits.
admitted_probes(doc, prefix, owner, repo, aud) := {name |
	some name, sub in probe_subjects(owner, repo)
	policy_admits(doc, prefix, claims_from_sub(sub, aud))
}
