# Classifying scope tuples (open to anyone, pull-request code, a pinned or
# narrowed context) and checking them against the configured allowlist of
# organisations and repositories. Part of the trust library (trust.rego):
# same package.
package secretgate.lib.trust

import rego.v1

import data.secretgate.lib.iam

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
