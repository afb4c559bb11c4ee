# Scope analysis of a whole statement: the constraints its condition puts on
# GitHub's claims, the Deny statements that narrow it, and the resulting
# scope tuples (statement_scope). Part of the trust library (trust.rego):
# same package.
package secretgate.lib.trust

import rego.v1

import data.secretgate.lib.deny as denylib
import data.secretgate.lib.iam

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
# Allow statement. A Deny without a condition refuses every token
# ("source": "deny-all"); a Deny with one positive operator and one key
# ("source": "deny-positive") refuses the Allow statements whose every
# admitted value of that claim it covers (refusal). Other Deny statements
# are ignored, which can only make the analysis wider, never narrower.
deny_constraints(doc, prefix) := [] if {
	# fast path: a lone statement is the Allow being judged
	count(arr(get(doc, "statement"))) < 2
} else := array.concat(negated_denies(doc, prefix), refusing_denies(doc, prefix))

refusing_denies(doc, prefix) := array.concat(deny_all(doc, prefix), deny_positive(doc, prefix))

deny_all(doc, prefix) := [c |
	some i, s in arr(get(doc, "statement"))
	is_deny(s)
	deny_targets(s, prefix)
	allows_web_identity(s)
	count(obj(get(s, "condition"))) == 0
	c := {"op": "Deny", "claim": "", "values": [], "source": "deny-all", "stmt": object.get(s, "index", i)}
]

deny_positive(doc, prefix) := [c |
	some i, s in arr(get(doc, "statement"))
	is_deny(s)
	deny_targets(s, prefix)
	allows_web_identity(s)
	cond := obj(get(s, "condition"))
	count(cond) == 1
	some op, block in cond
	count(obj(block)) == 1
	some key, vals in obj(block)
	info := op_info(op)
	not info.negated
	not info.ifexists
	info.qual == ""
	info.base in {"stringequals", "stringlike"}
	c := {
		"op": concat("", ["Deny ", op]),
		"claim": claim_name(lower(key), prefix),
		"values": arr(vals),
		"info": info,
		"source": "deny-positive",
		"stmt": object.get(s, "index", i),
	}
]

negated_denies(doc, prefix) := [c |
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

value_dropped(c, v) if literal_wildcard(c, v)

# A sub value that GitHub never issues (trust_subject.rego) never matches.
value_dropped(c, v) if malformed_value(c, v)

literal_wildcard(c, v) if {
	not c.info.base in glob_bases
	c.claim in literal_claims
	iam.has_wildcard(v)
}

malformed_value(c, v) if {
	c.claim == "sub"
	c.info.base in pinning_bases
	not c.info.negated
	malformed_subject(v, c.info.base == "stringequalsignorecase")
}

# An empty audience is in no token: a workflow that asks for none gets its
# owner's URL.
malformed_value(c, "") if {
	c.claim == "aud"
	c.info.base in pinning_bases
	not c.info.negated
}

# literal_wildcards(stmt, prefix): exact-operator values with "*" or "?" that
# can never match: [{"op", "claim", "value"}].
literal_wildcards(stmt, prefix) := literal_wildcards_of(claim_constraints(stmt, prefix))

# literal_wildcards_of(constraints): literal_wildcards over claim_constraints.
literal_wildcards_of(cs) := [{"op": c.op, "claim": c.claim, "value": v} |
	some c in cs
	c.info.base in {"stringequals", "stringequalsignorecase"}
	some v in c.values
	literal_wildcard(c, v)
]

# malformed_subjects_of(constraints): sub values that GitHub never issues:
# [{"op", "claim", "value", "reason"}].
malformed_subjects_of(cs) := [{"op": c.op, "claim": c.claim, "value": v, "reason": r} |
	some c in cs
	c.claim == "sub"
	c.info.base in pinning_bases
	not c.info.negated
	some v in c.values
	r := malformed_subject(v, c.info.base == "stringequalsignorecase")
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

# unknown_claim_condition(condition, prefix): a constraining condition
# (StringEquals, StringLike, ForAnyValue:…, without IfExists) on a key of
# the provider whose claim GitHub's tokens never carry (a misspelling such
# as "enviroment" or "sbu"). The key is absent from every request, so the
# condition never matches and the statement admits no token, whatever its
# other conditions say (trust-oidc-condition-unknown-claim reports it).
unknown_claim_condition(condition, prefix) if {
	some c in condition_constraints(condition, prefix)
	constraining(c.info)
	not c.claim in github_claims
}

active_constraints(cs, denies) := [object.union(c, {"tuples": ts}) |
	some c in array.concat(cs, denies)
	not object.get(c, "source", "") in {"deny-all", "deny-positive"}
	constrains(c)
	ts := [value_scope(c.claim, scope_value(c, v)) | some v in c.values; not value_dropped(c, v)]
]

# constrains(c): the constraint narrows who can assume the role. Besides
# the constraining operators, ForAllValues and ...IfExists constrain the
# claims that every token GitHub issues carries (they are true only when the
# claim is absent, which never happens for these): the attacker simulation,
# whose tokens carry them, agrees.
constrains(c) if constraining(c.info)

constrains(c) if {
	c.claim in always_present_claims
	not c.info.negated
	c.info.positive in pinning_bases
	c.info.qual != "any"
}

# Claims present in every GitHub Actions token (and in every simulated one);
# aud is also in every AssumeRoleWithWebIdentity request.
always_present_claims := {"sub", "aud", "repository", "repository_owner"}

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
#              each with "tuples": the scope of each surviving value,
#    "denies": deny_constraints(doc, prefix)}
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
	"refused_by": null,
	"sub_conditioned": true,
	"constraints": cs,
	"active": [object.union(c, {"tuples": [simple_tuple(c, t)]}) | some c in cs],
	"denies": [],
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
	"refused_by": refused,
	"denies": denies,
} if {
	cs := condition_constraints(condition, prefix)
	active := active_constraints(cs, denies)
	refused := refusal(cs, denies)
	ts := refused_tuples(scope_tuples(condition, prefix, active), refused)
}

refused_tuples(ts, refused) := set() if {
	refused != null
} else := ts

# refusal(cs, denies): the Deny (a deny_constraints entry) that refuses
# every token an Allow statement with constraints cs admits, or null: one
# without a condition, or one whose positive condition covers every value
# the Allow admits for that claim (the Allow's own StringEquals or
# StringLike values on it, each matched by a Deny value: equal under
# StringEquals, contained (lib/deny.covers) under StringLike), or whose
# value "*" under StringLike matches any value of a claim every token
# carries.
refusal(cs, denies) := d if {
	some d in denies
	d.source == "deny-all"
} else := d if {
	some d in denies
	d.source == "deny-positive"
	refuses_all(d, cs)
} else := null

refuses_all(d, _) if {
	d.info.base == "stringlike"
	d.claim in always_present_claims
	some dv in d.values
	regex.match(`^\*+$`, dv)
}

refuses_all(d, cs) if {
	some c in cs
	c.claim == d.claim
	c.source == "allow"
	not c.info.negated
	not c.info.ifexists
	c.info.qual == ""
	c.info.base in {"stringequals", "stringlike"}
	vs := [v | some v in c.values; not value_dropped(c, v)]
	count(vs) > 0
	every v in vs {
		deny_value_covers(d, c, v)
	}
}

deny_value_covers(d, _, v) if {
	d.info.base == "stringequals"
	v in d.values
}

deny_value_covers(d, c, v) if {
	d.info.base == "stringlike"
	c.info.base == "stringequals"
	some dv in d.values
	iam.like(dv, v)
}

deny_value_covers(d, c, v) if {
	d.info.base == "stringlike"
	c.info.base == "stringlike"
	some dv in d.values
	denylib.covers(dv, v)
}

has_claim(cs, claim) if {
	some c in cs
	c.claim == claim
} else := false

scope_tuples(condition, prefix, active) := set() if foreign_condition(condition, prefix)

else := set() if unknown_claim_condition(condition, prefix)

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
