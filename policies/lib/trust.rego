# METADATA
# title: GitHub Actions OIDC trust analysis
# description: |
#   Functions shared by the trust rules and by anything that must explain an
#   AssumeRoleWithWebIdentity decision: IAM's condition semantics over a
#   concrete set of token claims (condition_admits, policy_admits), and a scope
#   analysis that says which organisations, repositories and workflow contexts
#   a trust statement admits (statement_scope, who).
package secretgate.lib.trust

import rego.v1

import data.secretgate.lib.iam

default_issuer := "token.actions.githubusercontent.com"

default_audience := "sts.amazonaws.com"

web_identity_action := "sts:AssumeRoleWithWebIdentity"

# ---------------------------------------------------------------------------
# Small helpers: the input is normalised, but user rules and tests pass
# partial objects, so every accessor tolerates null and missing fields.

obj(x) := x if is_object(x)

else := {}

arr(x) := x if is_array(x)

else := [x] if is_string(x)

else := []

get(o, k) := object.get(obj(o), k, null)

str(x) := x if is_string(x)

else := ""

# ---------------------------------------------------------------------------
# Configuration (input.config.github, defaults applied when absent).

issuers(gh) := [normal_issuer(i) | some i in arr(get(gh, "issuers"))] if {
	count(arr(get(gh, "issuers"))) > 0
} else := [default_issuer]

normal_issuer(i) := trim_suffix(trim_prefix(trim_prefix(lower(i), "https://"), "http://"), "/")

audience(gh) := a if {
	a := str(get(gh, "audience"))
	a != ""
} else := default_audience

# ---------------------------------------------------------------------------
# Principals and actions.

# provider_path(arn): the provider part of an IAM OIDC provider ARN,
# lower-cased ("token.actions.githubusercontent.com",
# "token.actions.githubusercontent.com/acme"). CloudFormation's
# "${AWS::AccountId}" and partitions other than aws are accepted.
provider_path(arn) := lower(substring(arn, i + 15, -1)) if {
	is_string(arn)
	startswith(arn, "arn:")
	i := indexof(arn, ":oidc-provider/")
	i > 0
	count(arn) > i + 15
}

# is_github_issuer(path, issuers): path is a configured issuer or an
# enterprise form of one (issuer + "/" + enterprise slug).
is_github_issuer(path, iss) if path in iss

is_github_issuer(path, iss) if {
	some i in iss
	startswith(path, concat("", [i, "/"]))
}

# github_providers(stmt, gh): the set of GitHub provider paths named in the
# statement's Federated principal. The path is also the condition key prefix.
github_providers(stmt, gh) := providers_in(stmt, issuers(gh))

# providers_in(stmt, issuers): github_providers with the issuer list
# already computed (issuers(gh)).
providers_in(stmt, iss) := {p |
	some arn in arr(object.get(obj(get(stmt, "principal")), "Federated", []))
	p := provider_path(arn)
	is_github_issuer(p, iss)
}

federates(stmt, prefix) if {
	some arn in arr(get(get(stmt, "principal"), "Federated"))
	provider_path(arn) == prefix
}

aws_star(stmt) if "*" in arr(get(get(stmt, "principal"), "AWS"))

is_allow(stmt) if lower(str(get(stmt, "effect"))) == "allow"

is_deny(stmt) if lower(str(get(stmt, "effect"))) == "deny"

# allows_web_identity(stmt): Action (or NotAction) covers
# sts:AssumeRoleWithWebIdentity, whatever the effect.
allows_web_identity(stmt) if {
	some a in arr(get(stmt, "action"))
	covers_web_identity(a)
}

covers_web_identity(a) if lower(a) == "sts:assumerolewithwebidentity"

covers_web_identity(a) if {
	iam.has_wildcard(a)
	iam.action_matches(a, web_identity_action)
}

allows_web_identity(stmt) if {
	na := get(stmt, "not_action")
	is_array(na)
	every a in na {
		not iam.action_matches(a, web_identity_action)
	}
}

# broad_actions(stmt): action patterns of the statement that are wildcards
# covering sts:AssumeRoleWithWebIdentity and more ("*", "sts:*",
# "sts:AssumeRole*"); "NotAction" when the statement uses NotAction.
broad_actions(stmt) := {a |
	some a in arr(get(stmt, "action"))
	iam.has_wildcard(a)
	iam.action_matches(a, web_identity_action)
} | {"NotAction" | is_array(get(stmt, "not_action"))}

# ---------------------------------------------------------------------------
# Condition operators.

negated_bases := {
	"stringnotequals": "stringequals",
	"stringnotequalsignorecase": "stringequalsignorecase",
	"stringnotlike": "stringlike",
	"arnnotequals": "arnequals",
	"arnnotlike": "arnlike",
	"numericnotequals": "numericequals",
	"notipaddress": "ipaddress",
}

# Operators whose values secretgate evaluates.
known_bases := {
	"stringequals", "stringequalsignorecase", "stringlike",
	"arnequals", "arnlike", "bool", "ipaddress",
	"numericequals", "numericlessthan", "numericlessthanequals",
	"numericgreaterthan", "numericgreaterthanequals",
}

# Operators that can pin a string claim to the listed values.
pinning_bases := {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}

# Operators that treat "*" and "?" as wildcards (ArnEquals globs like ArnLike).
glob_bases := {"stringlike", "arnlike", "arnequals"}

# op_info(op) parses an operator as written, e.g. "ForAnyValue:StringLike" or
# "StringEqualsIfExists", into
#   {"qual": "" | "any" | "all", "base": lower-case operator without
#    qualifier and IfExists, "ifexists": bool, "negated": bool,
#    "positive": the base without its negation}.
op_info(op) := {
	"qual": q,
	"base": b,
	"ifexists": endswith(rest, "ifexists"),
	"negated": b in object.keys(negated_bases),
	"positive": object.get(negated_bases, b, b),
} if {
	lop := lower(op)
	q := op_qual(lop)
	rest := op_rest(lop, q)
	b := trim_suffix(rest, "ifexists")
}

op_qual(lop) := "any" if {
	startswith(lop, "foranyvalue:")
} else := "all" if {
	startswith(lop, "forallvalues:")
} else := ""

op_rest(lop, q) := lop if q == ""

op_rest(lop, q) := substring(lop, indexof(lop, ":") + 1, -1) if q != ""

# constraining(info): a condition with this operator can only hold when the
# claim is present and equal to / like one of the values. ForAllValues (true
# when the claim is absent), ...IfExists (true when absent), negated and
# Null operators do not constrain.
constraining(info) if {
	info.qual in {"", "any"}
	not info.ifexists
	info.base in pinning_bases
}

# hole_kind(info): why an operator that looks like a restriction is not one;
# undefined for constraining operators and unmodelled ones.
hole_kind(info) := "forallvalues" if {
	info.qual == "all"
	not info.negated
	info.positive in pinning_bases
} else := "ifexists" if {
	info.ifexists
	not info.negated
	info.positive in pinning_bases
} else := "negated" if {
	info.negated
	info.positive in pinning_bases
}

# value_match(base, pattern, value): one condition value against one context
# value, for a positive (non-negated) base operator.
value_match("stringequals", p, v) if p == v

value_match("stringequalsignorecase", p, v) if lower(p) == lower(v)

value_match("stringlike", p, v) if glob(p, v)

value_match("arnlike", p, v) if glob(p, v)

value_match("arnequals", p, v) if glob(p, v)

value_match("bool", p, v) if lower(p) == lower(v)

value_match("numericequals", p, v) if to_number(p) == to_number(v)

value_match("numericlessthan", p, v) if to_number(v) < to_number(p)

value_match("numericlessthanequals", p, v) if to_number(v) <= to_number(p)

value_match("numericgreaterthan", p, v) if to_number(v) > to_number(p)

value_match("numericgreaterthanequals", p, v) if to_number(v) >= to_number(p)

value_match("ipaddress", p, v) if net.cidr_contains(cidr(p), v)

# glob(pattern, value) is iam.like with fast paths for "*" and literals.
glob("*", _)

glob(p, v) if {
	p != "*"
	not iam.has_wildcard(p)
	p == v
}

glob(p, v) if {
	p != "*"
	iam.has_wildcard(p)
	iam.like(p, v)
}

cidr(p) := p if contains(p, "/")

else := concat("", [p, "/32"])

hit(base, pats, v) if {
	some p in pats
	value_match(base, p, v)
}

# holds(info, patterns, values): IAM's verdict for one operator and key,
# given the request's values for the key ([] when the key is absent).
holds(info, pats, vs) if {
	info.base == "null"
	count(vs) == 0
	some p in pats
	lower(p) == "true"
}

holds(info, pats, vs) if {
	info.base == "null"
	count(vs) > 0
	some p in pats
	lower(p) == "false"
}

# Operators secretgate does not model (dates, binary) are assumed to hold:
# a simulation errs towards "admitted".
holds(info, _, _) if {
	info.base != "null"
	not info.positive in known_bases
}

holds(info, _, vs) if {
	count(vs) == 0
	info.positive in known_bases
	absent_holds(info)
}

holds(info, pats, vs) if {
	count(vs) > 0
	info.positive in known_bases
	present_holds(info, pats, vs)
}

absent_holds(info) if info.qual == "all"

absent_holds(info) if info.ifexists

absent_holds(info) if {
	info.qual == ""
	info.negated
}

present_holds(info, pats, vs) if {
	info.qual in {"", "any"}
	not info.negated
	some v in vs
	hit(info.positive, pats, v)
}

present_holds(info, pats, vs) if {
	info.qual == ""
	info.negated
	every v in vs {
		not hit(info.positive, pats, v)
	}
}

present_holds(info, pats, vs) if {
	info.qual == "any"
	info.negated
	some v in vs
	not hit(info.positive, pats, v)
}

present_holds(info, pats, vs) if {
	info.qual == "all"
	not info.negated
	every v in vs {
		hit(info.positive, pats, v)
	}
}

present_holds(info, pats, vs) if {
	info.qual == "all"
	info.negated
	every v in vs {
		not hit(info.positive, pats, v)
	}
}

# ---------------------------------------------------------------------------
# Evaluating conditions over concrete claims.

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

# ---------------------------------------------------------------------------
# Scope analysis.
#
# A scope tuple describes a set of workflow runs along three dimensions:
#   org:  {"any": true, "like": {patterns}}   any organisation (matching)
#       | {"any": false, "atoms": {{"name": n|null, "id": id|null}}}
#   repo: the same shape, for repository names/ids within the organisation
#   ctx:  {"env": null | {environment patterns}, "ref": null | {ref patterns},
#          "pr": pull_request events admitted, "push": other events admitted}
#         (null: not restricted; "*" in a set: any value but the claim must
#          be present)
#   quals: {qualifier phrases}: restrictions that narrow no dimension
#          (job_workflow_ref, workflow, actor), shown in the who phrase.
# Values of one condition key are OR: one tuple per value. Keys and
# operators are AND: tuples are intersected per dimension. Every tuple is an
# over-approximation of the runs it stands for, never an under-approximation.

any_facet := {"any": true, "like": {"*"}}

any_ctx := {"env": null, "ref": null, "pr": true, "push": true}

any_tuple := {"org": any_facet, "repo": any_facet, "ctx": any_ctx, "quals": set()}

unknown_org := {"any": false, "atoms": {{"name": null, "id": null}}}

like_facet(p) := {"any": true, "like": {p}}

pinned(atoms) := {"any": false, "atoms": atoms}

with_org(f) := object.union(any_tuple, {"org": f})

with_ctx(c) := object.union(any_tuple, {"ctx": object.union(any_ctx, c)})

with_qual(q) := object.union(any_tuple, {"quals": {q}})

# atom_of(segment): a literal owner or repository segment, "name" or
# "name@id" (GitHub's immutable subject format).
atom_of(seg) := {"name": name_or_null(m[0][1]), "id": m[0][2]} if {
	m := regex.find_all_string_submatch_n(`^(.*)@([0-9]+)$`, seg, 1)
	count(m) == 1
} else := {"name": seg, "id": null}

name_or_null(s) := null if s == ""

else := s

# name_facet(segment): the owner or repository a subject segment admits.
# "acme", "acme@123": that one. "*@123": the one with id 123 whatever its
# name. "acme@*": the one named acme. "acme-*", "*": any matching.
name_facet(seg) := pinned({atom_of(seg)}) if {
	not iam.has_wildcard(seg)
} else := pinned({{"name": null, "id": m[0][1]}}) if {
	m := regex.find_all_string_submatch_n(`@([0-9]+)$`, seg, 1)
	count(m) == 1
} else := pinned({{"name": m[0][1], "id": null}}) if {
	m := regex.find_all_string_submatch_n(`^([A-Za-z0-9_.-]+)@`, seg, 1)
	count(m) == 1
} else := any_facet if {
	seg == "*"
} else := like_facet(seg)

id_facet(v) := pinned({{"name": null, "id": v}}) if regex.match(`^[0-9]+$`, v)

else := any_facet

# repo_path_tuple(v): scope of an "owner/repo" pattern (the repository claim,
# or the value of repo: in a subject). A repository pinned by id pins its
# organisation too.
repo_path_tuple(v) := t if {
	i := indexof(v, "/")
	i >= 0
	org := name_facet(substring(v, 0, i))
	repo := name_facet(substring(v, i + 1, -1))
	t := object.union(any_tuple, {"org": org_given_repo(org, repo), "repo": repo})
} else := with_org(name_facet(v)) if {
	# no "/": an owner pattern whose wildcard (if any) spans the rest
	iam.has_wildcard(v)
} else := with_org(pinned({atom_of(v)}))

org_given_repo(org, repo) := unknown_org if {
	org.any
	not repo.any
	every a in repo.atoms {
		a.id != null
	}
} else := org

# Claims whose values secretgate maps onto the scope dimensions.
scoped_claims := {
	"sub", "repository", "repository_owner", "repository_owner_id", "repository_id",
	"environment", "ref", "ref_type", "event_name",
	"job_workflow_ref", "workflow_ref", "workflow", "actor", "actor_id",
}

# value_scope(claim, pattern): the scope tuple of one condition value.
value_scope(claim, v) := sub_scope(v) if claim == "sub"

else := claim_scope(claim, v)

# claim_scope(claim, pattern): value_scope for claims other than sub.
claim_scope("repository", v) := repo_path_tuple(v)

claim_scope("repository_owner", v) := with_org(name_facet(v))

claim_scope("repository_owner_id", v) := with_org(id_facet(v))

claim_scope("repository_id", v) := object.union(any_tuple, {"org": org_given_repo(any_facet, f), "repo": f}) if {
	f := id_facet(v)
}

claim_scope("environment", v) := with_ctx({"env": {v}})

claim_scope("ref", v) := with_ctx({"ref": {v}})

claim_scope("ref_type", v) := with_ctx({"ref": {"refs/heads/*"}}) if v == "branch"

claim_scope("ref_type", v) := with_ctx({"ref": {"refs/tags/*"}}) if v == "tag"

claim_scope("ref_type", v) := any_tuple if not v in {"branch", "tag"}

claim_scope("event_name", v) := with_ctx({"pr": pr, "push": push}) if {
	pr := matches_any(v, {"pull_request", "pull_request_target"})
	push := not_only_pr(v)
}

claim_scope("job_workflow_ref", v) := with_qual(sprintf("running %s", [workflow_text(v)]))

claim_scope("workflow_ref", v) := with_qual(sprintf("running %s", [workflow_text(v)]))

claim_scope("workflow", v) := with_qual(sprintf("in workflows named %s", [v]))

claim_scope("actor", v) := with_qual(sprintf("triggered by %s", [v]))

claim_scope("actor_id", v) := with_qual(sprintf("triggered by the user with id %s", [v]))

claim_scope(claim, _) := any_tuple if not claim in scoped_claims

workflow_text(v) := sprintf("a workflow matching %s", [v]) if iam.has_wildcard(v)

else := sprintf("workflow %s", [v])

matches_any(pattern, values) if {
	some x in values
	glob(pattern, x)
} else := false

# not_only_pr(pattern): the event_name pattern admits some event other than
# pull_request / pull_request_target.
not_only_pr(v) := false if v in {"pull_request", "pull_request_target"}

else := false if v in {"pull_request*", "pull_request?target"}

else := true

# Subjects are sequences of claim:value pieces: "repo:o/r:ref:refs/heads/x",
# "repo:o/r:environment:prod", "repo:o/r:pull_request", or customised ones
# like "repository_owner_id:123:environment:prod". Each piece narrows the
# scope (AND). A wildcard inside a value makes that dimension open; a
# wildcard piece ("*", "pull*") admits every context it could match.
piece_re := `(?:^|:)(?:(repo|repository_owner_id|repository_owner|repository_id|repository|job_workflow_ref|workflow_ref|workflow|environment|ref_type|ref|event_name|actor_id|actor):([^:]*)|([^:]*))`

sub_scope(v) := t if {
	# fast path: the default and immutable formats with literal names
	m := regex.find_all_string_submatch_n(sub_fast_re, v, 1)
	count(m) == 1
	org := pinned({atom_of(m[0][1])})
	t := {"org": org, "repo": fast_repo(m[0][2]), "ctx": fast_ctx(m[0][3]), "quals": set()}
} else := intersect_tuples([piece_tuple(m) | some m in regex.find_all_string_submatch_n(piece_re, v, -1)])

sub_fast_re := `^repo:([A-Za-z0-9_.-]+(?:@[0-9]+)?)/(\*|[A-Za-z0-9_.-]+(?:@[0-9]+)?)(?::(\*|pull_request|ref:refs/(?:heads|tags)/[^*?:]+|environment:[^*?:]+))?$`

fast_repo("*") := any_facet

fast_repo(r) := pinned({atom_of(r)}) if r != "*"

fast_ctx(c) := any_ctx if c in {"", "*"}

else := {"env": null, "ref": null, "pr": true, "push": false} if c == "pull_request"

else := {"env": null, "ref": {substring(c, 4, -1)}, "pr": false, "push": true} if startswith(c, "ref:")

else := {"env": {substring(c, 12, -1)}, "ref": null, "pr": true, "push": true}

piece_tuple(m) := repo_path_tuple(m[2]) if m[1] == "repo"

else := with_ctx({"ref": {m[2]}, "pr": false}) if m[1] == "ref"

else := claim_scope(m[1], m[2]) if m[1] != ""

else := with_ctx({"pr": true, "push": false}) if m[3] == "pull_request"

else := wild_piece(m[3]) if iam.has_wildcard(m[3])

else := any_tuple

literal_prefix(s) := regex.find_all_string_submatch_n(`^[^*?]*`, s, 1)[0][0]

kind_prefix := {"ref": "ref:", "env": "environment:", "pr": "pull_request"}

kind_ctx := {
	"ref": {"env": null, "ref": {"*"}, "pr": false, "push": true},
	"env": {"env": {"*"}, "ref": null, "pr": true, "push": true},
	"pr": {"env": null, "ref": null, "pr": true, "push": false},
}

wild_piece(g) := with_ctx(union_ctx(ctxs)) if {
	lp := literal_prefix(g)
	ctxs := [kind_ctx[k] | some k, p in kind_prefix; startswith(p, lp)]
	count(ctxs) > 0
} else := any_tuple

# --- dimension algebra -----------------------------------------------------

collapse(s) := {"*"} if "*" in s

else := s

union_facets(fs) := {"any": true, "like": collapse(union({f.like | some f in fs; f.any}))} if {
	some f in fs
	f.any
} else := pinned(union({f.atoms | some f in fs}))

compatible(x, y) if {
	same_name(x.name, y.name)
	same_id(x.id, y.id)
}

same_name(a, b) if a == null

else if b == null

else := lower(a) == lower(b)

same_id(a, b) if a == null

else if b == null

else := a == b

like_covers(_, x) if x.name == null

like_covers(likes, x) if {
	some l in likes
	glob(l, x.name)
}

first_or_null(s) := min(s) if count(s) > 0

else := null

merge_atom(x, sets) := {"name": first_or_null(names), "id": first_or_null(ids)} if {
	names := {y.name | some s in sets; some y in s; compatible(x, y); y.name != null}
	ids := {y.id | some s in sets; some y in s; compatible(x, y); y.id != null}
}

# Fast paths first: most intersections involve one narrowing facet and
# unconstrained ones.
inter_facets(fs) := rest[0] if {
	rest := [x | some x in fs; x != any_facet]
	count(rest) > 0
	every x in rest {
		x == rest[0]
	}
} else := any_facet if {
	every x in fs {
		x == any_facet
	}
} else := {"any": true, "like": inter_patterns([f.like | some f in fs])} if {
	every f in fs {
		f.any
	}
} else := pinned(atoms) if {
	sets := [f.atoms | some f in fs; not f.any]
	likes := [f.like | some f in fs; f.any]
	atoms := {merge_atom(x, sets) |
		some s in sets
		some x in s
		every o in sets {
			some y in o
			compatible(x, y)
		}
		every l in likes {
			like_covers(l, x)
		}
	}
}

# inter_patterns(list of pattern sets): the patterns covered by every set.
# Two overlapping globs neither of which covers the other are kept both (an
# over-approximation); disjoint literals give the empty set.
inter_patterns(ls) := r if {
	r := {x |
		some s in ls
		some x in s
		every o in ls {
			some y in o
			glob(y, x)
		}
	}
	count(r) > 0
} else := union({s | some s in ls}) if {
	every s in ls {
		some x in s
		iam.has_wildcard(x)
	}
} else := set()

inter_opt(list) := null if {
	every s in list {
		s == null
	}
} else := inter_patterns([s | some s in list; s != null])

union_opt(list) := null if {
	some s in list
	s == null
} else := collapse(union({s | some s in list}))

all_true(bs) := false if false in bs

else := true

any_true(bs) if true in bs

else := false

inter_ctx(cs) := rest[0] if {
	rest := [x | some x in cs; x != any_ctx]
	count(rest) > 0
	every x in rest {
		x == rest[0]
	}
} else := any_ctx if {
	every x in cs {
		x == any_ctx
	}
} else := {
	"env": inter_opt([c.env | some c in cs]),
	"ref": inter_opt([c.ref | some c in cs]),
	"pr": all_true([c.pr | some c in cs]),
	"push": all_true([c.push | some c in cs]),
}

union_ctx(cs) := {
	"env": union_opt([c.env | some c in cs]),
	"ref": union_opt([c.ref | some c in cs]),
	"pr": any_true([c.pr | some c in cs]),
	"push": any_true([c.push | some c in cs]),
}

# intersect_tuples(ts): the runs admitted by all tuples (AND).
intersect_tuples(ts) := rest[0] if {
	rest := [x | some x in ts; x != any_tuple]
	count(rest) > 0
	every x in rest {
		x == rest[0]
	}
} else := any_tuple if {
	every x in ts {
		x == any_tuple
	}
} else := {
	"org": inter_facets([t.org | some t in ts]),
	"repo": inter_facets([t.repo | some t in ts]),
	"ctx": inter_ctx([t.ctx | some t in ts]),
	"quals": union({t.quals | some t in ts}),
}

# union_tuples(ts): the runs admitted by any tuple (OR), per dimension.
union_tuples(ts) := ts[0] if count(ts) == 1

else := {
	"org": union_facets([t.org | some t in ts]),
	"repo": union_facets([t.repo | some t in ts]),
	"ctx": union_ctx([t.ctx | some t in ts]),
	"quals": union_quals(ts),
}

union_quals(ts) := {concat(" or ", union({t.quals | some t in ts}))} if {
	every t in ts {
		count(t.quals) > 0
	}
} else := set()

tuple_empty(t) if {
	not t.org.any
	count(t.org.atoms) == 0
} else if {
	not t.repo.any
	count(t.repo.atoms) == 0
} else if {
	t.ctx.env != null
	count(t.ctx.env) == 0
} else if {
	t.ctx.ref != null
	count(t.ctx.ref) == 0
} else if {
	not t.ctx.pr
	not t.ctx.push
} else := false

# --- constraints of a statement -------------------------------------------

claim_name(key, prefix) := substring(key, count(prefix) + 1, -1) if {
	startswith(key, concat("", [prefix, ":"]))
}

# claim_constraints(stmt, prefix): one entry per operator and claim key of
# the provider: {"op", "claim", "values", "info", "source": "allow"}.
claim_constraints(stmt, prefix) := condition_constraints(get(stmt, "condition"), prefix)

condition_constraints(condition, prefix) := [c |
	some op, block in obj(condition)
	some key, vals in obj(block)
	claim := claim_name(lower(key), prefix)
	c := {"op": op, "claim": claim, "values": arr(vals), "info": op_info(op), "source": "allow"}
]

# deny_constraints(doc, prefix): Deny statements of the form
#   Deny sts:AssumeRoleWithWebIdentity if StringNotLike <prefix>:<claim> [v…]
# (one negated operator, one key) act like "StringLike <claim> [v…]" on every
# Allow statement. Other Deny statements are ignored, which can only make
# the analysis wider, never narrower.
deny_constraints(doc, prefix) := [] if {
	# fast path: a lone statement is the Allow being judged
	count(arr(get(doc, "statement"))) < 2
} else := [c |
	some s in arr(get(doc, "statement"))
	is_deny(s)
	deny_targets(s, prefix)
	allows_web_identity(s)
	cond := obj(get(s, "condition"))
	count(cond) == 1
	some op, block in cond
	count(obj(block)) == 1
	some key, vals in obj(block)
	info := op_info(op)
	info.negated
	info.qual == ""
	info.positive in pinning_bases
	claim := claim_name(lower(key), prefix)
	c := {
		"op": concat("", ["Deny ", op]),
		"claim": claim,
		"values": arr(vals),
		"info": {"qual": "", "base": info.positive, "ifexists": false, "negated": false, "positive": info.positive},
		"source": "deny",
	}
]

# Claims whose real values never contain "*" or "?": an exact operator with
# such a value can never match.
literal_claims := {
	"sub", "aud", "repository", "repository_owner", "repository_owner_id",
	"repository_id", "ref", "ref_type", "event_name", "job_workflow_ref", "workflow_ref",
}

value_dropped(c, v) if {
	not c.info.base in glob_bases
	c.claim in literal_claims
	iam.has_wildcard(v)
}

# literal_wildcards(stmt, prefix): exact-operator values with "*" or "?" that
# can never match: [{"op", "claim", "value"}].
literal_wildcards(stmt, prefix) := literal_wildcards_of(claim_constraints(stmt, prefix))

# literal_wildcards_of(constraints): literal_wildcards over claim_constraints.
literal_wildcards_of(cs) := [{"op": c.op, "claim": c.claim, "value": v} |
	some c in cs
	c.info.base in {"stringequals", "stringequalsignorecase"}
	some v in c.values
	value_dropped(c, v)
]

# foreign_condition(condition, prefix): a constraining condition on another
# OIDC provider's key (e.g. the default GitHub prefix in a statement trusting
# an enterprise issuer). Tokens of this provider never carry it, so the
# statement admits none of them.
foreign_condition(condition, prefix) if {
	some op, block in obj(condition)
	constraining(op_info(op))
	some key, _ in obj(block)
	m := regex.find_all_string_submatch_n(`^([^:]*\.[^:]*):`, lower(key), 1)
	count(m) == 1
	m[0][1] != prefix
}

active_constraints(cs, denies) := [object.union(c, {"tuples": ts}) |
	some c in array.concat(cs, denies)
	constraining(c.info)
	ts := [value_scope(c.claim, scope_value(c, v)) | some v in c.values; not value_dropped(c, v)]
]

# IgnoreCase operators: parse the value in lower case, like GitHub's keys.
scope_value(c, v) := lower(v) if c.info.base == "stringequalsignorecase"

else := v

# statement_scope(stmt, prefix, doc): who an Allow statement admits through
# provider prefix, given the whole trust document doc (for its Deny
# statements; null is fine). Returns
#   {"tuples": set of scope tuples (empty when nobody),
#    "nobody": bool,
#    "sub_conditioned": bool (some condition, of any operator, names sub),
#    "constraints": claim_constraints(stmt, prefix),
#    "active": the constraining conditions, Deny-derived ones included,
#              each with "tuples": the scope of each surviving value}
statement_scope(stmt, prefix, doc) := condition_scope(get(stmt, "condition"), prefix, deny_constraints(doc, prefix))

# condition_scope(condition, prefix, denies): statement_scope from the parts
# it depends on, so that callers can cache it per distinct condition.
condition_scope(condition, prefix, denies) := r if {
	count(denies) == 0
	r := simple_scope(condition, prefix)
} else := general_scope(condition, prefix, denies)

# simple_scope: the common shape computed directly, with the same result as
# general_scope: only aud and one sub value, plain positive operators, no
# other keys.
simple_scope(condition, prefix) := {
	"tuples": {t},
	"nobody": false,
	"sub_conditioned": true,
	"constraints": cs,
	"active": [object.union(c, {"tuples": [simple_tuple(c, t)]}) | some c in cs],
} if {
	cs := condition_constraints(condition, prefix)
	count(cs) == sum([count(obj(b)) | some b in obj(condition)])
	every c in cs {
		simple_constraint(c)
	}
	subs := [c | some c in cs; c.claim == "sub"]
	count(subs) == 1
	count(subs[0].values) == 1
	t := sub_scope(scope_value(subs[0], subs[0].values[0]))
	not tuple_empty(t)
}

simple_constraint(c) if {
	c.claim in {"aud", "sub"}
	c.info.qual == ""
	not c.info.ifexists
	c.info.base in pinning_bases
	count(c.values) > 0
	every v in c.values {
		not value_dropped(c, v)
	}
}

simple_tuple(c, t) := t if c.claim == "sub"

else := any_tuple

general_scope(condition, prefix, denies) := {
	"tuples": ts,
	"nobody": count(ts) == 0,
	"sub_conditioned": has_claim(cs, "sub"),
	"constraints": cs,
	"active": active,
} if {
	cs := condition_constraints(condition, prefix)
	active := active_constraints(cs, denies)
	ts := scope_tuples(condition, prefix, active)
}

has_claim(cs, claim) if {
	some c in cs
	c.claim == claim
} else := false

scope_tuples(condition, prefix, active) := set() if foreign_condition(condition, prefix)

else := set() if {
	some c in active
	count(c.tuples) == 0
}

else := {t |
	subs := [c | some c in active; c.claim == "sub"]
	base := base_tuples(subs)
	narrow := [union_tuples(c.tuples) | some c in active]
	some b in base
	t := intersect_tuples(array.concat([b], narrow))
	not tuple_empty(t)
}

base_tuples(subs) := subs[0].tuples if count(subs) > 0

else := [any_tuple]

# --- classification helpers ------------------------------------------------

ctx_any(c) if {
	c.env == null
	c.ref == null
	c.pr
	c.push
}

# fully_open(t): any run of any repository in any organisation.
fully_open(t) if {
	t.org.any
	"*" in t.org.like
	t.repo.any
	"*" in t.repo.like
	ctx_any(t.ctx)
	count(t.quals) == 0
}

# pull_request_code(t): pull_request runs (which execute the pull request's
# own code) are admitted: not behind a GitHub environment and not excluded
# by a ref condition.
pull_request_code(t) if {
	t.ctx.pr
	t.ctx.env == null
	ref_admits_pull(t.ctx.ref)
}

ref_admits_pull(ref) if ref == null

ref_admits_pull(ref) if {
	ref != null
	some r in ref
	glob(r, "refs/pull/1/merge")
}

# context_pinned(t): pinned to named GitHub environments, named branches,
# named tags or tag patterns with a literal prefix (release tags, "v*").
context_pinned(t) if {
	t.ctx.env != null
	every e in t.ctx.env {
		not iam.has_wildcard(e)
	}
}

context_pinned(t) if {
	t.ctx.ref != null
	every r in t.ctx.ref {
		pinned_ref(r)
	}
}

pinned_ref(r) if {
	regex.match(`^refs/(heads|tags)/`, r)
	not iam.has_wildcard(r)
}

pinned_ref(r) if regex.match(`^refs/tags/[^*?]+[*?]`, r)

# context_narrowed(t): not pinned, but limited to environments or branches
# matching a pattern with a literal prefix (e.g. "release/*", "prod-*").
context_narrowed(t) if {
	t.ctx.env != null
	every e in t.ctx.env {
		regex.match(`^[^*?]+`, e)
	}
}

context_narrowed(t) if {
	t.ctx.ref != null
	every r in t.ctx.ref {
		regex.match(`^refs/(heads|tags)/[^*?]+`, r)
	}
}

# allowlist(gh): github.organizations and github.repositories parsed once:
#   {"configured": bool, "orgs": [atom], "repos": [{"org": atom, "repo": atom}],
#    "orgs_by_name": {lower name: [atom]} (organizations entries),
#    "owners_by_name": {lower name: [atom]} (organizations and repository owners),
#    "repos_by_name": {"lower org/repo": [entry]}}
# Entries are "org" / "org/repo", optionally with GitHub ids ("acme@123").
allowlist(gh) := {
	"configured": (count(orgs) + count(repos)) > 0,
	"orgs": orgs,
	"repos": repos,
	"orgs_by_name": by_name(orgs),
	"owners_by_name": by_name(array.concat(orgs, [e.org | some e in repos])),
	"repos_by_name": {key: [e | some e in repos; repo_key(e.org, e.repo) == key] |
		some e in repos
		key := repo_key(e.org, e.repo)
	},
} if {
	orgs := [atom_of(o) | some o in arr(get(gh, "organizations"))]
	repos := [e | some r in arr(get(gh, "repositories")); e := repo_entry(r)]
}

by_name(atoms) := {lower(a.name): [b | some b in atoms; b.name != null; lower(b.name) == lower(a.name)] |
	some a in atoms
	a.name != null
}

repo_key(o, r) := lower(concat("/", [o.name, r.name])) if {
	o.name != null
	r.name != null
}

repo_entry(r) := {"org": atom_of(substring(r, 0, i)), "repo": atom_of(substring(r, i + 1, -1))} if {
	i := indexof(r, "/")
	i >= 0
}

# org_listed(atom, allow): the organisation is in github.organizations or
# owns a repository in github.repositories. Unknown parts (an id-only atom
# against a name-only entry) are given the benefit of the doubt.
org_listed(a, allow) if {
	a.name != null
	some o in object.get(allow.owners_by_name, lower(a.name), [])
	compatible(a, o)
} else if {
	a.name == null
	some o in array.concat(allow.orgs, [e.org | some e in allow.repos])
	compatible(a, o)
} else := false

# repo_listed(org atom, repo atom, allow): the repository is listed, or its
# organisation is in github.organizations.
repo_listed(oa, ra, allow) if {
	some e in object.get(allow.repos_by_name, repo_key(oa, ra), [])
	compatible(oa, e.org)
	compatible(ra, e.repo)
} else if {
	oa.name != null
	some o in object.get(allow.orgs_by_name, lower(oa.name), [])
	compatible(oa, o)
} else if {
	oa.name == null
	some o in allow.orgs
	compatible(oa, o)
} else if {
	not repo_key(oa, ra)
	some e in allow.repos
	compatible(oa, e.org)
	compatible(ra, e.repo)
} else := false

# unlisted(t, allow): labels of the organisations / repositories of tuple t
# that the allowlist does not name (empty when no allowlist is configured).
unlisted(t, allow) := {org_label(a) |
	allow.configured
	not t.org.any
	t.repo.any
	some a in t.org.atoms
	org_listed(a, allow) == false
} | {repo_label(oa, ra) |
	allow.configured
	not t.org.any
	not t.repo.any
	some oa in t.org.atoms
	some ra in t.repo.atoms
	repo_listed(oa, ra, allow) == false
}

# --- plain words -------------------------------------------------------------

# who(tuples): plain words for the set of runs that tuples admit.
who(tuples) := "nobody" if count(tuples) == 0

else := "any repository in any organisation" if {
	some t in tuples
	fully_open(t)
} else := phrase if {
	phrases := {tuple_phrase(t) | some t in tuples}
	count(phrases) == 1
	some phrase in phrases
} else := concat(" or ", {trim_prefix(tuple_phrase(t), "only ") | some t in tuples})

tuple_phrase(t) := with_quals(base_phrase(t), t.quals)

with_quals(p, q) := p if count(q) == 0

else := sprintf("%s (%s)", [p, concat("; ", q)])

base_phrase(t) := repo_phrase(t) if {
	ctx_any(t.ctx)
	t.repo.any
} else := sprintf("any branch, tag or pull request of %s", [repo_phrase(t)]) if {
	ctx_any(t.ctx)
} else := sprintf("%s of %s", [ctx_phrase(t.ctx), repo_phrase(t)])

repo_phrase(t) := sprintf("any repository%s in any organisation%s", [repo_like(t.repo), org_like(t.org)]) if {
	t.org.any
	t.repo.any
} else := sprintf("any repository named %s in any organisation%s", [concat(" or ", {a.name | some a in t.repo.atoms}), org_like(t.org)]) if {
	t.org.any
} else := sprintf("any repository of %s%s", [concat(" or ", {org_label(a) | some a in t.org.atoms}), repo_like(t.repo)]) if {
	t.repo.any
} else := concat(" or ", {repo_label(oa, ra) | some oa in t.org.atoms; some ra in t.repo.atoms})

repo_like(f) := "" if "*" in f.like

else := sprintf(" matching %s", [concat(" or ", f.like)])

org_like(f) := "" if "*" in f.like

else := sprintf(" matching %s", [concat(" or ", f.like)])

org_label(a) := sprintf("the %s organisation", [a.name]) if a.name != null

else := sprintf("the organisation with id %s", [a.id]) if a.id != null

else := "one organisation"

repo_label(oa, ra) := sprintf("%s/%s", [oa.name, ra.name]) if {
	oa.name != null
	ra.name != null
} else := sprintf("the repository with id %s", [ra.id]) if {
	ra.id != null
} else := sprintf("repository %s of %s", [ra.name, org_label(oa)])

ctx_phrase(c) := "pull requests" if {
	c.pr
	not c.push
	c.env == null
	c.ref == null
} else := env_phrase(c.env) if {
	c.env != null
	c.ref == null
} else := sprintf("%s on %s", [env_phrase(c.env), ref_list(c.ref)]) if {
	c.env != null
} else := ref_phrase(c.ref) if {
	c.ref != null
} else := "any branch or tag" if {
	not c.pr
} else := "any branch, tag or pull request"

env_phrase(s) := "any environment" if "*" in s

else := sprintf("only the %s environment", [concat(" or ", s)]) if {
	count(s) == 1
	every e in s {
		not iam.has_wildcard(e)
	}
} else := sprintf("only the %s environments", [concat(" or ", s)]) if {
	every e in s {
		not iam.has_wildcard(e)
	}
} else := sprintf("environments %s", [concat(" or ", [env_item(e) | some e in s])])

env_item(e) := sprintf("matching %s", [e]) if iam.has_wildcard(e)

else := e

ref_phrase(s) := sprintf("only %s", [ref_list(s)]) if {
	every r in s {
		not iam.has_wildcard(r)
	}
} else := ref_list(s)

ref_list(s) := concat(" or ", [ref_item(r) | some r in s])

ref_item(r) := "any branch or tag" if r in {"*", "refs/*"}

else := "any branch" if r == "refs/heads/*"

else := "any tag" if r == "refs/tags/*"

else := sprintf("branch %s", [substring(r, 11, -1)]) if {
	startswith(r, "refs/heads/")
	not iam.has_wildcard(r)
} else := sprintf("branches matching %s", [substring(r, 11, -1)]) if {
	startswith(r, "refs/heads/")
} else := sprintf("tag %s", [substring(r, 10, -1)]) if {
	startswith(r, "refs/tags/")
	not iam.has_wildcard(r)
} else := sprintf("tags matching %s", [substring(r, 10, -1)]) if {
	startswith(r, "refs/tags/")
} else := sprintf("ref %s", [r]) if {
	not iam.has_wildcard(r)
} else := sprintf("refs matching %s", [r])
