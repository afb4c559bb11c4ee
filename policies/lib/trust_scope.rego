# Scope analysis, part one: the scope tuple (which organisations,
# repositories and workflow contexts a condition value admits) of one claim
# value or subject pattern. Part of the trust library (trust.rego): same
# package; trust_scope_algebra.rego combines tuples, and
# trust_statement_scope.rego applies both to a statement.
package secretgate.lib.trust

import rego.v1

import data.secretgate.lib.iam

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
