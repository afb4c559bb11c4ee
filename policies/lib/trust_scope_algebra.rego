# Scope analysis, dimension algebra: intersecting and uniting scope tuples
# (trust_scope.rego describes their shape) facet by facet. Part of the
# trust library (trust.rego): same package.
package secretgate.lib.trust

import rego.v1

import data.secretgate.lib.iam

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
