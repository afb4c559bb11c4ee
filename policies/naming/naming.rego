# Naming rules: every Secrets Manager secret follows the configured naming
# convention, by default {env}/{service}/{type} with lower-case segments and
# env one of the configured environments (prod/bybit/api, staging/db/password).
# Names given as ARNs are judged without the ARN prefix and without the
# random "-AbCdEf" suffix Secrets Manager appends; names that are still
# templates (CloudFormation !Sub, Terraform interpolation) are not judged.
#
# Performance (10,000 secrets): names come from secrets.plain_names, shared
# with the rotation rules; each rule binds the configuration it needs
# (regex, environments, tag keys) to local variables before its loop over
# the secrets, so that the loop does not look them up per secret.
package secretgate.rules.naming

import rego.v1

import data.secretgate.lib.secrets

# METADATA
# title: Secret name does not follow the naming convention
# description: |
#   Access policies, rotation limits and audits rely on the environment being
#   the first part of a secret's name: an IAM policy that grants a dev role
#   arn:...:secret:dev/* is only safe when every prod secret really starts
#   with prod/. A secret named outside the convention falls through those
#   rules, so its environment, owner service and purpose are guesswork.
# custom:
#   id: naming-pattern
#   check: naming
#   severity: medium
#   remediation: Create the secret again under a conforming name such as prod/bybit/api (lower-case {env}/{service}/{type}, env one of the configured environments), move readers to the new name, and delete the old secret. Secrets Manager cannot rename a secret.
deny contains {
	"rule": "naming-pattern",
	"resource": name,
	"message": sprintf("Secret name %q does not follow the naming pattern %s: %s.", [name, secrets.naming_pattern, concat("; ", reasons)]),
	"file": s.file,
	"line": s.line,
	"key": s.id,
} if {
	rx := secrets.naming_regex
	some i, name in names
	not regex.match(rx, name)
	s := input.secrets[i]
	reasons := name_problems(name)
}

# METADATA
# title: Secret's environment tag contradicts its name
# description: |
#   A secret named prod/... but tagged environment=dev (or the other way
#   round) is judged by one environment's rules and granted by the other's:
#   IAM conditions on secretsmanager:ResourceTag/environment let the dev
#   roles read it while its name promises prod-only access.
# custom:
#   id: naming-environment-mismatch
#   check: naming
#   severity: medium
#   remediation: Make the environment tag equal the environment segment of the name, or recreate the secret under the right environment's name.
deny contains {
	"rule": "naming-environment-mismatch",
	"resource": name,
	"message": sprintf("Secret %s is tagged %s=%s but its name puts it in %s.", [name, key, value, name_env]),
	"file": s.file,
	"line": s.line,
	"key": s.id,
} if {
	idx := secrets.env_index
	envs := secrets.environment_names
	rx := secrets.naming_regex
	tag_keys := environment_tag_keys
	judged := names
	some i, s in input.secrets
	tags := s.tags
	some key in tag_keys
	value := tags[key]
	is_string(value)
	name := judged[i]
	name_env := split(name, "/")[idx]
	value != name_env
	tag_env := lower(value)
	tag_env != lower(name_env)
	tag_env in envs
	regex.match(rx, name)
}

# The spellings of the environment tag key that are looked up (a lookup per
# spelling costs the same whatever the number of tags; walking the tags of
# 10,000 secrets costs more as soon as they have a few).
environment_tag_keys := ["environment", "Environment", "ENVIRONMENT", "env", "Env", "ENV"]

# names maps the index of every secret whose name is known (and not a
# template) to the name the convention judges: the plain names as they are
# (secrets.plain_names), the others through secrets.secret_name, in a pass
# skipped when every name is plain.
names := secrets.plain_names if {
	count(other_names) == 0
} else := object.union(other_names, secrets.plain_names)

other_names := {i: name |
	plain := secrets.plain_names
	count(plain) < count(input.secrets)
	some i, s in input.secrets
	not plain[i]
	name := secrets.secret_name(s)
	not secrets.unresolved(name)
}

# name_problems lists, in plain words, what is wrong with a name that does
# not match the regex; the last resort names the regex itself.
name_problems(name) := problems if {
	found := [p | some check in problem_checks; some p in check_problem(check, name)]
	count(found) > 0
	problems := found
} else := [sprintf("it does not match the regular expression %s", [secrets.naming_regex])]

problem_checks := ["count", "empty", "upper", "literal", "environment", "characters", "start"]

check_problem("count", name) := [sprintf("it has %s (%s), the pattern has %d", [segments_text(count(segs)), segs_quoted(segs), count(secrets.pattern_segments)])] if {
	segs := split(name, "/")
	count(segs) != count(secrets.pattern_segments)
}

check_problem("empty", name) := ["it has an empty segment (a leading, trailing or double \"/\")"] if {
	some seg in split(name, "/")
	seg == ""
}

check_problem("upper", name) := [sprintf("segments must be lower-case: %s", [segs_quoted(upper)])] if {
	upper := [seg | some seg in split(name, "/"); seg != lower(seg)]
	count(upper) > 0
}

check_problem("literal", name) := [sprintf("segment %d must be %q, not %q", [i + 1, lit, segs[i]]) |
	segs := split(name, "/")
	some i, lit in secrets.pattern_segments
	not regex.match(`^\{[^{}]*\}$`, lit)
	i < count(segs)
	lower(segs[i]) != lit
]

check_problem("environment", name) := [sprintf("%q is not a configured environment (%s)", [env, secrets.environment_list])] if {
	segs := split(name, "/")
	secrets.env_index < count(segs)
	env := segs[secrets.env_index]
	env != ""
	not lower(env) in secrets.environment_names
}

check_problem("characters", name) := [sprintf("it contains characters that are not allowed: %s (use a-z, 0-9, \".\", \"_\" and \"-\")", [concat(" ", [sprintf("%q", [c]) | some c in chars])])] if {
	chars := sort({c | some c in regex.find_n(`[^a-z0-9._/-]`, lower(name), -1)})
	count(chars) > 0
}

check_problem("start", name) := [sprintf("segments must start with a letter or digit: %s", [segs_quoted(bad)])] if {
	bad := [seg | some seg in split(name, "/"); regex.match(`^[._-]`, seg)]
	count(bad) > 0
}

segments_text(1) := "1 segment"

segments_text(n) := sprintf("%d segments", [n]) if n != 1

segs_quoted(segs) := concat(", ", [sprintf("%q", [s]) | some s in segs])
