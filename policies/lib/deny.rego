# METADATA
# title: What is left after Deny, and what conditions limit
# description: |
#   IAM's explicit Deny and an Allow's Condition, in the plain words the
#   IAM findings and role power use. An unconditional Deny removes an action
#   from an Allow statement when it covers that action (through Action, or
#   through a NotAction that cannot match it) on every resource the Allow
#   names (Resource patterns that contain the Allow's, or a NotResource that
#   cannot match them). A Deny with a Condition removes nothing: it is named
#   as a limit. Pattern containment is decided soundly and conservatively
#   (covers): when in doubt an action is not removed, so the words and the
#   power may claim too much, never too little.
package secretgate.lib.deny

import rego.v1

import data.secretgate.lib.iam
import data.secretgate.lib.secrets

arr(x) := x if is_array(x)

else := [x] if is_string(x)

else := []

is_deny(st) if lower(object.get(st, "effect", "")) == "deny"

has_condition(st) if {
	c := object.get(st, "condition", null)
	is_object(c)
	count(c) > 0
}

unconditional(d) if {
	is_deny(d)
	not has_condition(d)
}

# denies_in(statements): the Deny statements of a list, each with only the
# elements that decide what it removes (and its index and Sid, for words).
denies_in(statements) := [object.filter(st, ["effect", "action", "not_action", "resource", "not_resource", "condition", "index", "sid"]) |
	some st in statements
	is_deny(st)
]

# ---------------------------------------------------------------------------
# Pattern containment and overlap
# ---------------------------------------------------------------------------

# covers(outer, inner): every string the IAM wildcard pattern inner matches,
# outer matches too. Sound: when inner has wildcards, each of them must fall
# inside a "*" of outer (the wildcard is replaced by a character no literal
# of outer matches), and an outer "?" could stand for a single character
# only, so it is not trusted to cover a wildcard.
covers(outer, inner) if outer == inner

else if {
	not iam.has_wildcard(inner)
	iam.like(outer, inner)
} else if {
	iam.has_wildcard(inner)
	not contains(outer, "?")
	iam.like(outer, regex.replace(inner, `[*?]`, "\u0001"))
} else := false

# covers_ci is covers ignoring case, as IAM compares actions.
covers_ci(outer, inner) := covers(lower(outer), lower(inner))

# may_overlap(a, b): some string may match both patterns. An
# over-approximation (the literal prefixes and suffixes are compatible),
# used where "overlaps" must not be missed: a NotAction or NotResource
# element that may overlap keeps a Deny from covering.
may_overlap(a, b) if a == b

else if {
	iam.has_wildcard(a)
	compatible(a, b)
} else if {
	iam.has_wildcard(b)
	compatible(a, b)
} else := false

compatible(a, b) if {
	pa := literal_prefix(a)
	pb := literal_prefix(b)
	prefix_compatible(pa, pb)
	sa := literal_suffix(a)
	sb := literal_suffix(b)
	suffix_compatible(sa, sb)
}

prefix_compatible(x, y) if startswith(x, y)

prefix_compatible(x, y) if startswith(y, x)

suffix_compatible(x, y) if endswith(x, y)

suffix_compatible(x, y) if endswith(y, x)

literal_prefix(p) := regex.split(`[*?]`, p)[0]

literal_suffix(p) := parts[count(parts) - 1] if {
	parts := regex.split(`[*?]`, p)
}

may_overlap_ci(a, b) := may_overlap(lower(a), lower(b))

# ---------------------------------------------------------------------------
# What a Deny covers
# ---------------------------------------------------------------------------

# covers_action(d, a): the Deny statement d covers every action the action
# pattern a matches.
covers_action(d, a) if {
	some p in arr(object.get(d, "action", null))
	covers_ci(p, a)
} else if {
	nas := object.get(d, "not_action", null)
	is_array(nas)
	every p in nas {
		not may_overlap_ci(p, a)
	}
} else := false

# may_cover_action(d, a): the Deny statement d may cover some action the
# pattern a matches.
may_cover_action(d, a) if {
	some p in arr(object.get(d, "action", null))
	may_overlap_ci(p, a)
} else if {
	nas := object.get(d, "not_action", null)
	is_array(nas)
	not covers_all_of(nas, a)
} else := false

covers_all_of(patterns, a) if {
	some p in patterns
	covers_ci(p, a)
}

# covers_resource(d, r): the Deny statement d covers every resource the
# pattern r matches.
covers_resource(d, r) if {
	some p in arr(object.get(d, "resource", null))
	covers(p, r)
} else if {
	nrs := object.get(d, "not_resource", null)
	is_array(nrs)
	every p in nrs {
		not may_overlap(p, r)
	}
} else := false

# covers_resources_of(d, st): d covers every resource the statement st
# names: each of its Resource patterns, or (for a NotResource) every
# resource at all.
covers_resources_of(d, st) if {
	rs := object.get(st, "resource", null)
	is_array(rs)
	count(rs) > 0
	every r in rs {
		covers_resource(d, r)
	}
} else if {
	not is_array(object.get(st, "resource", null))
	covers_resource(d, "*")
} else := false

# removes(d, a, st): the Deny statement d removes the action pattern a from
# the Allow statement st: unconditional, covering a, on every resource st
# names.
removes(d, a, st) if {
	unconditional(d)
	covers_action(d, a)
	covers_resources_of(d, st)
} else := false

# removed(denies, a, st): one of denies removes the action (pattern) a from
# the Allow statement st.
removed(denies, a, st) if {
	some d in denies
	removes(d, a, st)
} else := false

# allow_patterns(st): the action patterns an Allow statement grants: its
# Action, or "*" for a NotAction (what is left of it is never listed).
allow_patterns(st) := arr(st.action) if is_array(object.get(st, "action", null))

else := ["*"]

# fully_removed(denies, st): the unconditional Deny statements of denies
# remove everything the Allow statement st grants.
fully_removed(denies, st) if {
	count(denies) > 0
	every a in allow_patterns(st) {
		removed(denies, a, st)
	}
} else := false

# relevant(denies, st, actions): the Deny statements that may take one of
# the action patterns away from the Allow statement st (on some resource it
# names), in document order.
relevant(denies, st, actions) := [d |
	some d in denies
	may_take(d, st, actions)
]

may_take(d, st, actions) if {
	some a in actions
	may_cover_action(d, a)
	may_cover_some_resource(d, st)
}

# may_take_from(d, st): d may take away something st grants.
may_take_from(d, st) := may_take(d, st, allow_patterns(st))

may_cover_some_resource(d, st) if {
	rs := object.get(st, "resource", null)
	is_array(rs)
	some r in rs
	some p in arr(object.get(d, "resource", null))
	may_overlap(p, r)
} else if {
	is_array(object.get(d, "not_resource", null))
} else if {
	not is_array(object.get(st, "resource", null))
} else := false

# notes(denies, st): what the Deny statements that may take something
# from st do, as a sentence ("Statement 4 (Sid DenyPermissionsManagement)
# denies secretsmanager:*Policy on *; statement 3 denies
# secretsmanager:UntagResource on * when its condition on aws:TagKeys
# holds."), or "".
notes(denies, st) := notes_on(denies, st, allow_patterns(st))

# notes_on(denies, st, actions): notes about the Deny statements that may
# take one of the action patterns from st (a finding about one action names
# only the Deny statements that concern it).
notes_on(denies, st, actions) := "" if count(relevant(denies, st, actions)) == 0

else := sprintf(" %s.", [capital_first(concat("; ", [note(d) | some d in relevant(denies, st, actions)]))])

note(d) := sprintf("statement %d%s denies %s on %s", [object.get(d, "index", 0), sid_text(d), action_text(d), resource_text(d)]) if {
	not has_condition(d)
} else := sprintf("statement %d%s denies %s on %s when its condition on %s holds", [object.get(d, "index", 0), sid_text(d), action_text(d), resource_text(d), secrets.list_text(condition_keys(d.condition))])

capital_first(s) := concat("", [upper(substring(s, 0, 1)), substring(s, 1, -1)])

sid_text(d) := sprintf(" (Sid %s)", [d.sid]) if {
	is_string(object.get(d, "sid", null))
	d.sid != ""
} else := ""

action_text(d) := secrets.list_text(arr(d.action)) if is_array(object.get(d, "action", null))

else := sprintf("every action except %s", [secrets.list_text(arr(object.get(d, "not_action", [])))])

resource_text(d) := secrets.list_text(arr(d.resource)) if is_array(object.get(d, "resource", null))

else := sprintf("every resource except %s", [secrets.list_text(arr(object.get(d, "not_resource", [])))])

# ---------------------------------------------------------------------------
# What an Allow's Condition limits
# ---------------------------------------------------------------------------

# Operators under which a tag condition admits only the listed values (a
# missing tag fails them).
tag_operator(op) if {
	trim_prefix(lower(op), "foranyvalue:") in {"stringequals", "stringequalsignorecase", "stringlike"}
}

resource_tag_prefixes := ["aws:resourcetag/", "secretsmanager:resourcetag/"]

resource_tag(k) := trim_prefix(k, p) if {
	some p in resource_tag_prefixes
	startswith(k, p)
}

# tag_limits(cond): {tag: [values]} of the resource tags the condition
# requires (over every operator that limits them), each value in words.
tag_limits(cond) := {tag: vals |
	some tag in {resource_tag(k) | some op, keys in cond; tag_operator(op); some k, _ in keys}
	vals := [value_words(tag, v) |
		some op, keys in cond
		tag_operator(op)
		some k, vs in keys
		resource_tag(k) == tag
		some v in vs
	]
}

principal_tag_re := `^\$\{aws:principaltag/([^}]+)\}$`

value_words(tag, v) := "the caller's" if {
	m := regex.find_all_string_submatch_n(principal_tag_re, lower(v), 1)
	m[0][1] == lower(tag)
} else := sprintf("the caller's %s tag", [m[0][1]]) if {
	m := regex.find_all_string_submatch_n(principal_tag_re, lower(v), 1)
	count(m) > 0
} else := v

# other_keys(cond): the condition keys that are not a tag limit, in
# canonical spelling, sorted.
other_keys(cond) := sort({key_text(k) |
	some op, keys in cond
	some k, _ in keys
	not tag_limit_key(op, k)
})

tag_limit_key(op, k) if {
	tag_operator(op)
	resource_tag(k)
}

condition_keys(cond) := sort({key_text(k) | some _, keys in cond; some k, _ in keys})

# limits(st, noun): what the Allow statement's Condition limits, as a
# phrase to follow its resources: ", only secrets tagged access-project
# equal to the caller's tag, and only when its condition on aws:TagKeys
# holds", or "".
limits(st, noun) := concat("", [tag_phrase(cond, noun), other_phrase(cond)]) if {
	cond := object.get(st, "condition", {})
	is_object(cond)
} else := ""

tag_phrase(cond, noun) := "" if count(tag_limits(cond)) == 0

else := sprintf(", only %s tagged %s", [noun, and_list(array.concat(own_tag_words(cond), other_tag_words(cond)))])

# own_tag_words: the tags that must equal the caller's tag of the same
# name, in one phrase.
own_tag_words(cond) := [] if count(own_tags(cond)) == 0

else := [sprintf("%s equal to the caller's tag", [tags[0]])] if {
	tags := own_tags(cond)
	count(tags) == 1
} else := [sprintf("%s equal to the caller's tags of the same name", [and_list(own_tags(cond))])]

own_tags(cond) := sort([tag | some tag, vals in tag_limits(cond); vals == ["the caller's"]])

other_tag_words(cond) := [sprintf("%s equal to %s", [tag, concat(" or ", vals)]) |
	some tag in sort(object.keys(tag_limits(cond)))
	vals := tag_limits(cond)[tag]
	vals != ["the caller's"]
]

# and_list(["a", "b", "c"]) is "a, b and c".
and_list(items) := items[0] if count(items) == 1

else := sprintf("%s and %s", [concat(", ", array.slice(items, 0, count(items) - 1)), items[count(items) - 1]]) if count(items) > 1

else := ""

other_phrase(cond) := "" if count(other_keys(cond)) == 0

else := sprintf(", and only when its condition on %s holds", [secrets.list_text(other_keys(cond))])

# key_text(k): a lower-cased condition key in its documented spelling
# (aws:ResourceTag/access-project, aws:TagKeys); keys it does not know are
# shown as they are.
key_text(k) := concat("", [canonical_prefixes[p], trim_prefix(k, p)]) if {
	some p in object.keys(canonical_prefixes)
	startswith(k, p)
} else := canonical_keys[k] if {
	canonical_keys[k]
} else := k

canonical_prefixes := {
	"aws:resourcetag/": "aws:ResourceTag/",
	"aws:requesttag/": "aws:RequestTag/",
	"aws:principaltag/": "aws:PrincipalTag/",
	"secretsmanager:resourcetag/": "secretsmanager:ResourceTag/",
	"kms:encryptioncontext:": "kms:EncryptionContext:",
}

canonical_keys := {
	"aws:tagkeys": "aws:TagKeys",
	"aws:sourceip": "aws:SourceIp",
	"aws:sourcevpc": "aws:SourceVpc",
	"aws:sourcevpce": "aws:SourceVpce",
	"aws:sourcearn": "aws:SourceArn",
	"aws:sourceaccount": "aws:SourceAccount",
	"aws:principalarn": "aws:PrincipalArn",
	"aws:principalorgid": "aws:PrincipalOrgID",
	"aws:principalaccount": "aws:PrincipalAccount",
	"aws:requestedregion": "aws:RequestedRegion",
	"aws:securetransport": "aws:SecureTransport",
	"aws:multifactorauthpresent": "aws:MultiFactorAuthPresent",
	"aws:currenttime": "aws:CurrentTime",
	"aws:calledvia": "aws:CalledVia",
	"aws:viaawsservice": "aws:ViaAWSService",
	"aws:username": "aws:username",
	"aws:userid": "aws:userid",
	"iam:passedtoservice": "iam:PassedToService",
	"iam:permissionsboundary": "iam:PermissionsBoundary",
	"kms:viaservice": "kms:ViaService",
	"kms:calleraccount": "kms:CallerAccount",
	"secretsmanager:secretid": "secretsmanager:SecretId",
	"secretsmanager:versionstage": "secretsmanager:VersionStage",
	"secretsmanager:resource/allowrotationlambdaarn": "secretsmanager:resource/AllowRotationLambdaArn",
}
