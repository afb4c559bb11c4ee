# METADATA
# title: IAM matching helpers
# description: |
#   Functions shared by the built-in rules: IAM's string matching semantics
#   for conditions, actions and resources.
package secretgate.lib.iam

import rego.v1

# like(pattern, value) is IAM's StringLike: "*" matches any run of
# characters (including none), "?" exactly one; everything else, including
# characters that are special to other glob dialects ("[", "{"), is literal.
like(pattern, value) if {
	not contains(pattern, "*")
	not contains(pattern, "?")
	pattern == value
}

like(pattern, value) if {
	has_wildcard(pattern)
	regex.match(like_regex(pattern), value)
}

# like_ci is like() ignoring case, as IAM compares actions.
like_ci(pattern, value) := like(lower(pattern), lower(value))

has_wildcard(s) if contains(s, "*")

has_wildcard(s) if contains(s, "?")

# like_regex turns an IAM wildcard pattern into an anchored Go regular
# expression.
like_regex(pattern) := r if {
	quoted := regex.replace(pattern, `[\\.+()|\[\]{}^$*?]`, `\$0`)
	starred := replace(quoted, `\*`, `(?s:.*)`)
	r := concat("", ["^", replace(starred, `\?`, `(?s:.)`), "$"])
}

# action_matches(pattern, action): does an Action element cover action?
action_matches(pattern, action) if like_ci(pattern, action)

# allows_action(statement, action): an Allow statement grants action,
# through Action or through NotAction.
allows_action(st, action) if {
	st.effect == "Allow"
	some p in st.action
	action_matches(p, action)
}

allows_action(st, action) if {
	st.effect == "Allow"
	st.not_action != null
	every p in st.not_action {
		not action_matches(p, action)
	}
}

# secret_name_of_arn extracts the secret name part of a Secrets Manager ARN
# pattern, or the whole resource when it is "*".
secret_name_of_arn(arn) := name if {
	parts := split(arn, ":")
	count(parts) >= 7
	parts[2] == "secretsmanager"
	name := concat(":", array.slice(parts, 6, count(parts)))
}
