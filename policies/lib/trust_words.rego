# Plain words for scope tuples: who a trust statement admits ("any
# repository in the acme organisation, only the prod environment"). Part of
# the trust library (trust.rego): same package.
package secretgate.lib.trust

import rego.v1

import data.secretgate.lib.iam

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
