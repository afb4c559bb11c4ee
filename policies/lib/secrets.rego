# METADATA
# title: Secret, environment and resource helpers
# description: |
#   Functions shared by the naming, rotation and least-privilege rules: the
#   configured environments (with defaults), secret names as the convention
#   sees them, dates, and whether an IAM resource pattern can reach the
#   secrets of an environment.
package secretgate.lib.secrets

import rego.v1

import data.secretgate.lib.environments as environments_config
import data.secretgate.lib.iam

# ---------------------------------------------------------------------------
# Environments
# ---------------------------------------------------------------------------

# The configured environments, with the defaults, live in their own small
# package (lib/environments.rego) so that the leak rules, which need only
# them, compile without this one; these names stay for the rules and user
# policies that use them.
default_environments := environments_config.defaults

default_warn_days := environments_config.default_warn_days

default_grace_hours := environments_config.default_grace_hours

default_pattern := "{env}/{service}/{type}"

# environments is input.config.environments, or the defaults when absent.
environments := environments_config.configured

environment_names := {name | some name, _ in environments}

# environment_order lists the environments in configuration order (then any
# left out of input.config.environment_order, sorted), for messages. Without
# an order, prod, staging and dev come first.
environment_order := array.concat(ordered, rest) if {
	ordered := [e | some e in configured_order; e in environment_names]
	rest := sort([e | some e in environment_names; not e in ordered])
}

configured_order := order if {
	order := object.get(input, ["config", "environment_order"], null)
	is_array(order)
	count(order) > 0
} else := ["prod", "staging", "dev"]

environment_list := concat(", ", environment_order)

# Numeric settings of an environment; a missing or non-numeric value takes
# the default.
max_rotation_days(env) := number_or(object.get(environments[env], "max_rotation_days", 0), 0)

warn_days(env) := number_or(object.get(environments[env], "warn_days", default_warn_days), default_warn_days)

grace_hours(env) := number_or(object.get(environments[env], "grace_hours", default_grace_hours), default_grace_hours)

# requires_rotation(env) is true or false (undefined for an unknown env).
requires_rotation(env) := object.get(environments[env], "require_rotation", false) == true

# is_production: the environment says so; an environment object without a
# "production" key counts as production when it is called prod or production.
is_production(env) if environments[env].production == true

is_production(env) if {
	cfg := environments[env]
	not "production" in object.keys(cfg)
	env in {"prod", "production"}
}

number_or(x, _) := x if is_number(x)

number_or(x, d) := d if not is_number(x)

as_array(x) := x if is_array(x)

as_array(x) := [] if not is_array(x)

# ---------------------------------------------------------------------------
# Secret names
# ---------------------------------------------------------------------------

# arn_secret_name("arn:aws:secretsmanager:<region>:<acct>:secret:<name>")
# is <name> as the ARN spells it (with the random suffix, if any).
arn_secret_name(arn) := name if {
	parts := split(arn, ":")
	count(parts) >= 7
	parts[0] == "arn"
	parts[2] == "secretsmanager"
	parts[5] == "secret"
	name := concat(":", array.slice(parts, 6, count(parts)))
}

# strip_arn_suffix removes the "-AbCdEf" that Secrets Manager appends to
# the name in a secret's ARN.
strip_arn_suffix(name) := substring(name, 0, count(name) - 7) if {
	count(name) > 7
	regex.match(`-[A-Za-z0-9]{6}$`, name)
} else := name

# secret_name(s) is the name the naming convention judges: the name, or the
# name part of an ARN (given as name or arn) without the random suffix.
# Undefined when the secret's name is unknown.
secret_name(s) := n if {
	n := s.name
	is_string(n)
	n != ""
	not startswith(n, "arn:")
} else := strip_arn_suffix(arn_secret_name(s.name)) if {
	is_string(s.name)
	startswith(s.name, "arn:")
} else := strip_arn_suffix(arn_secret_name(s.arn)) if {
	not nonempty_string(object.get(s, "name", null))
}

nonempty_string(x) if {
	is_string(x)
	x != ""
}

# display_name(s) names a secret in findings even when its name is unknown.
display_name(s) := n if {
	n := secret_name(s)
} else := s.arn if {
	object.get(s, "arn", "") != ""
} else := s.id

# plain_names maps the index of every secret whose name is plain (a
# non-empty string, no ARN, no "{" that could make it a template) to that
# name: secret_name and display_name return such names unchanged. Nearly
# every name is plain, so rules over 10,000 secrets read names from here
# (computed once, with one regex per secret) instead of calling the
# functions per secret and per rule.
plain_names := {i: n |
	rx := plain_name_regex
	some i, s in input.secrets
	n := s.name
	is_string(n)
	regex.match(rx, n)
}

# plain_name_regex: non-empty, no "{", not starting with "arn:".
plain_name_regex := `^(?:[^a{]|a(?:$|[^r{]|r(?:$|[^n{]|n(?:$|[^:{]))))[^{]*$`

# display_names maps the index of every secret to display_name(secret),
# when that is defined. The secrets without a plain name take the slow
# path, skipped entirely when there are none.
display_names := plain_names if {
	count(other_display_names) == 0
} else := object.union(other_display_names, plain_names)

other_display_names := {i: n |
	count(plain_names) < count(input.secrets)
	plain := plain_names
	some i, s in input.secrets
	not plain[i]
	n := display_name(s)
}

# unresolved(name) is true for names that are still templates
# (CloudFormation !Sub, Terraform interpolation, dynamic references).
unresolved(name) if {
	contains(name, "{")
	regex.match(`\$\{|\{\{resolve:`, name)
}

# naming_pattern is the configured pattern, e.g. "{env}/{service}/{type}".
naming_pattern := p if {
	p := object.get(input, ["config", "naming", "pattern"], "")
	is_string(p)
	p != ""
} else := default_pattern

pattern_segments := split(naming_pattern, "/")

# env_index is the position of {env} (or {environment}) in the pattern.
env_index := i if {
	some i, seg in pattern_segments
	seg in {"{env}", "{environment}"}
}

# env_scope_example(env) is a secret-name pattern that reaches the secrets
# of environment env, and no other's, under the naming pattern: "prod/*"
# for "{env}/{service}/{type}", "*/prod/*" for "{service}/{env}/{type}"
# (IAM's * crosses slashes). Without an {env} segment: "prod/*".
env_scope_example(env) := concat("", [env_example_prefix, env, env_example_suffix])

env_example_prefix := "*/" if {
	env_index > 0
} else := ""

env_example_suffix := "" if {
	env_index == count(pattern_segments) - 1
} else := "/*"

segment_regex := `[a-z0-9][a-z0-9._-]*`

# naming_regex is input.config.naming.regex, or the pattern compiled with
# the configured environments.
naming_regex := r if {
	r := object.get(input, ["config", "naming", "regex"], "")
	is_string(r)
	r != ""
} else := concat("", ["^", concat("/", [segment_pattern(seg) | some seg in pattern_segments]), "$"])

segment_pattern(seg) := env_alternation if {
	seg in {"{env}", "{environment}"}
} else := segment_regex if {
	regex.match(`^\{[^{}]*\}$`, seg)
} else := regex_quote(seg)

env_alternation := concat("", ["(?:", concat("|", [regex_quote(e) | some e in environment_order]), ")"])

regex_quote(s) := regex.replace(s, `[\\.+*?()|\[\]{}^$]`, `\$0`)

# ---------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------

day_ns := 86400000000000

hour_ns := 3600000000000

# parse_time(s) is s in nanoseconds since the epoch: RFC 3339, or a plain
# date (midnight UTC). Undefined for empty or malformed strings.
parse_time(s) := time.parse_rfc3339_ns(s) if {
	is_string(s)
	regex.match(`^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$`, s)
} else := time.parse_rfc3339_ns(concat("", [s, "T00:00:00Z"])) if {
	is_string(s)
	regex.match(`^\d{4}-\d{2}-\d{2}$`, s)
}

format_date(ns) := time.format([ns, "UTC", "2006-01-02"])

format_time(ns) := time.format([ns, "UTC", "2006-01-02T15:04:05Z07:00"])

whole_days(ns) := floor(ns / day_ns)

days_text(n) := "1 day" if n == 1

days_text(n) := sprintf("%d days", [n]) if n != 1

# ---------------------------------------------------------------------------
# IAM resources
# ---------------------------------------------------------------------------

# probe_arn(r, service, resource) builds an ARN of service with the given
# resource part, borrowing partition, region and account from the pattern r
# when r spells them out. A resource pattern that matches the probe covers
# every resource of that kind (the probe's name is one no real resource has
# a reason to start with).
probe_arn(r, service, resource) := concat(":", [parts[0], parts[1], service, parts[3], parts[4], resource]) if {
	parts := split(r, ":")
	count(parts) >= 6
}

probe_arn(r, service, resource) := concat(":", ["arn", "aws", service, "us-east-1", "000000000000", resource]) if {
	count(split(r, ":")) < 6
}

probe_name := "=@=probe"

# covers_all(r, service, kind): the resource pattern r matches every
# resource of that kind, e.g. covers_all("*", "secretsmanager", "secret:"),
# covers_all("arn:aws:iam::123456789012:role/*", "iam", "role/").
# Patterns without a wildcard, and ARNs of another service, are ruled out
# before the (costly) wildcard match.
covers_all(r, service, kind) if {
	iam.has_wildcard(r)
	service_may_match(split(r, ":"), service)
	iam.like(r, probe_arn(r, service, concat("", [kind, probe_name])))
}

service_may_match(parts, _) if count(parts) < 3

service_may_match(parts, service) if {
	count(parts) >= 3
	iam.like(parts[2], service)
}

# grants_on_all(st, service, kind): the statement's resources cover every
# resource of the kind: a covering Resource element, or a NotResource that
# does not exclude them all.
grants_on_all(st, service, kind) if {
	resources_cover_all(object.get(st, "resource", null), object.get(st, "not_resource", null), service, kind)
}

# resources_cover_all(resource, not_resource, service, kind) is
# grants_on_all for a statement with these Resource and NotResource
# elements, as true or false: a function of a few small values only, whose
# results OPA caches per distinct arguments (policies repeat the same
# resource lists many times, and a false result is cached too).
resources_cover_all(resource, not_resource, service, kind) if {
	some r in resource
	covers_all(r, service, kind)
} else if {
	is_array(not_resource)
	not excludes_all(not_resource, service, kind)
} else := false

excludes_all(not_resource, service, kind) if {
	some r in not_resource
	covers_all(r, service, kind)
}

# secret_name_pattern(r) is the secret-name part of a resource pattern that
# can match Secrets Manager secrets ("*" when the pattern reaches every
# name); undefined for resources that are not secrets.
secret_name_pattern(r) := name if {
	parts := split(r, ":")
	count(parts) >= 7
	iam.like(parts[2], "secretsmanager")
	iam.like(parts[5], "secret")
	name := concat(":", array.slice(parts, 6, count(parts)))
} else := "*" if {
	covers_every_name(r)
} else := "*" if {
	count(split(r, ":")) < 7
	endswith(r, "*")
	iam.like(r, probe_arn(r, "secretsmanager", concat("", ["secret:", probe_name])))
}

# covers_every_name(n): a name pattern that matches any secret name.
covers_every_name(n) if regex.match(`^[*?]*\*[*?]*$`, n)

# name_in_env(n, env): the secret-name pattern n may match a name of the
# environment env under the naming pattern (env as its {env} segment).
name_in_env(n, _) if covers_every_name(n)

name_in_env(n, env) if {
	not covers_every_name(n)
	literal_env_segment(n) == env
}

name_in_env(n, env) if {
	not covers_every_name(n)
	not literal_env_segment(n)
	regex.globs_match(iam_glob(n), env_glob(env))
}

# literal_env_segment(n) is the {env} segment of a name pattern when no
# wildcard can move it (none in or before it): the cheap, common case.
literal_env_segment(n) := segs[env_index] if {
	segs := split(n, "/")
	count(segs) > env_index + 1
	not iam.has_wildcard(concat("/", array.slice(segs, 0, env_index + 1)))
}

literal_env_segment(n) := segs[env_index] if {
	segs := split(n, "/")
	count(segs) == env_index + 1
	count(pattern_segments) == env_index + 1
	not iam.has_wildcard(n)
}

# name_covers_env(n, env): the pattern n matches every name of env.
name_covers_env(n, env) if iam.like(n, env_probe(env))

env_probe(env) := concat("/", [probe_segment(i, env) | some i, _ in pattern_segments])

probe_segment(i, env) := env if i == env_index

probe_segment(i, _) := probe_name if i != env_index

# iam_glob turns an IAM wildcard pattern into the regex-like glob of
# regex.globs_match.
iam_glob(p) := replace(replace(regex.replace(p, `[\\.+()|\[\]{}^$]`, `\$0`), "*", ".*"), "?", ".")

env_glob(env) := regex_quote(env) if {
	count(pattern_segments) == 1
	env_index == 0
}

env_glob(env) := concat("", [regex_quote(env), "/.*"]) if {
	count(pattern_segments) > 1
	env_index == 0
}

env_glob(env) := concat("", [segments_before_env, regex_quote(env), "/.*"]) if {
	env_index > 0
	env_index < count(pattern_segments) - 1
}

env_glob(env) := concat("", [segments_before_env, regex_quote(env)]) if {
	env_index > 0
	env_index == count(pattern_segments) - 1
}

# segments_before_env matches the segments in front of {env}: characters
# Secrets Manager allows in names, other than "/".
segments_before_env := concat("", [`[A-Za-z0-9_+=.@\-]*/` | some _ in numbers.range(1, env_index)])

# list_text joins at most five items and says how many more there are.
list_text(items) := concat(", ", items) if count(items) <= 5

list_text(items) := sprintf("%s and %d more", [concat(", ", array.slice(items, 0, 5)), count(items) - 5]) if count(items) > 5
