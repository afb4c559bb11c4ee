# IAM condition operators: parsing an operator as written
# ("ForAnyValue:StringLike", "StringEqualsIfExists") and IAM's verdict for one
# operator and key over a request's values (holds). Part of the trust
# library (trust.rego): same package.
package secretgate.lib.trust

import rego.v1

import data.secretgate.lib.iam

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
