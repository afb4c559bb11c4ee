# Rotation rules: every secret's current value is younger than its
# environment allows (input.config.environments[env].max_rotation_days, plus
# grace_hours before it counts as overdue, with a warning warn_days before
# the limit), production secrets rotate automatically, and automatic rotation
# actually happens. The age is measured from last_rotated_date, or from
# created_date for a secret that was never rotated; a secret whose dates are
# unknown (CloudFormation, Terraform) gets no age finding. Time is input.now,
# never the clock.
#
# Performance (10,000 secrets, one or more findings each): the secrets are
# split by environment once (env_secrets), their dates parsed once
# (env_rotated, env_created) and their names derived once
# (secrets.display_names). Each rule loops over the configured environments,
# binds that environment's settings and thresholds to local variables, and
# then runs over that environment's secrets only, with as few expressions
# per secret as possible. Message parts that depend only on a date (and the
# environment) come from functions of those values, which OPA caches: they
# are computed once per distinct date, not once per finding.
package secretgate.rules.rotation

import rego.v1

import data.secretgate.lib.secrets

# METADATA
# title: Secret has no known environment
# description: |
#   Rotation limits, the automatic-rotation requirement and the access
#   matrix are all per environment. A secret whose environment cannot be
#   told from its name or tags, or whose environment is not configured,
#   escapes every one of them.
# custom:
#   id: rotation-environment-unknown
#   check: rotation
#   severity: low
#   remediation: Name the secret {env}/{service}/{type} with a configured environment, or tag it environment=<env>; add a new environment to .secretgate.yml under environments.
deny contains {
	"rule": "rotation-environment-unknown",
	"resource": name,
	"message": unknown_environment_message(s, name),
	"file": s.file,
	"line": s.line,
	"key": s.id,
} if {
	some s in unconfigured
	name := secrets.display_name(s)
}

# METADATA
# title: Secret is overdue for rotation
# description: |
#   A credential that has not changed for longer than its environment allows
#   has had more time to leak, through logs, laptops, CI caches or former
#   staff, and any leak stays usable. The limit plus the grace period has
#   passed. High in production environments, medium elsewhere.
# custom:
#   id: rotation-overdue
#   check: rotation
#   severity: high
#   remediation: Rotate the secret now (aws secretsmanager rotate-secret --secret-id <name>, or put a new value and revoke the old one at its issuer), then enable automatic rotation at most every max_rotation_days.
deny contains {
	"rule": "rotation-overdue",
	"resource": name,
	"message": sprintf("Secret %s %s", [name, overdue_text(ns, dates.rotated, env, cfg.max_days)]),
	"file": s.file,
	"line": s.line,
	"key": s.id,
	"severity": cfg.severity,
} if {
	some env, cfg in settings
	cfg.max_days > 0
	before := now_ns - cfg.deadline_ns
	ss := env_secrets[env]
	names := secrets.display_names
	some dates in reference_dates[env]
	some i, ns in dates.ns
	ns < before
	s := ss[i]
	name := names[i]
}

# METADATA
# title: Secret is due for rotation soon
# description: |
#   The secret reaches its environment's rotation limit within the warning
#   window (or has reached it and is inside the grace period). Rotating now
#   avoids an overdue finding that fails the pipeline. Not reported when
#   automatic rotation is scheduled before the deadline.
# custom:
#   id: rotation-due-soon
#   check: rotation
#   severity: low
#   remediation: Rotate the secret before the date in the message, or enable automatic rotation so that it happens on time.
deny contains {
	"rule": "rotation-due-soon",
	"resource": name,
	"message": sprintf("Secret %s %s", [name, due_soon_text(ns, dates.rotated, env, cfg)]),
	"file": s.file,
	"line": s.line,
	"key": s.id,
} if {
	some env, cfg in settings
	cfg.max_days > 0
	from := now_ns - cfg.deadline_ns
	to := now_ns - cfg.warn_from_ns
	ss := env_secrets[env]
	names := secrets.display_names
	some dates in reference_dates[env]
	some i, ns in dates.ns
	ns <= to
	ns >= from
	s := ss[i]
	not scheduled_in_time(s, ns, cfg)
	name := names[i]
}

# METADATA
# title: Automatic rotation is failing
# description: |
#   Secrets Manager's next rotation date has passed (beyond the grace
#   period) without a rotation: the rotation function is failing or was
#   removed, and the secret silently ages while everyone believes it
#   rotates. High in production environments, medium elsewhere.
# custom:
#   id: rotation-failing
#   check: rotation
#   severity: high
#   remediation: Check the rotation Lambda's CloudWatch logs and the secret's versions (a stuck AWSPENDING version blocks rotation), fix the function or its permissions, then run aws secretsmanager rotate-secret --secret-id <name>.
deny contains {
	"rule": "rotation-failing",
	"resource": name,
	"message": sprintf("Automatic rotation of secret %s is failing: the next rotation was due on %s and has not happened.", [name, failing_since_text(next)]),
	"file": s.file,
	"line": s.line,
	"key": s.id,
	"severity": group.severity,
} if {
	names := secrets.display_names
	some group in failing_groups
	before := group.before
	last := group.rotated
	some i, s in group.secrets
	next := secrets.parse_time(s.next_rotation_date)
	next < before
	object.get(s, "rotation_enabled", null) != false

	# not rotated since: no valid last_rotated_date, or one before next
	# (null, for a missing date, sorts before every number)
	object.get(last, i, null) < next
	name := names[i]
}

# METADATA
# title: Automatic rotation is not enabled
# description: |
#   Environments that require rotation (production by default) must rotate
#   automatically: manual rotation is forgotten, and a leaked production
#   credential stays valid until somebody notices. A secret declared in
#   CloudFormation or Terraform without a rotation schedule counts as not
#   rotating.
# custom:
#   id: rotation-not-enabled
#   check: rotation
#   severity: high
#   remediation: Attach a rotation function and schedule (aws secretsmanager rotate-secret --secret-id <name> --rotation-lambda-arn <arn> --rotation-rules AutomaticallyAfterDays=<max>; AWS::SecretsManager::RotationSchedule in CloudFormation; aws_secretsmanager_secret_rotation in Terraform).
deny contains {
	"rule": "rotation-not-enabled",
	"resource": name,
	"message": not_enabled_message(s, name),
	"file": s.file,
	"line": s.line,
	"key": s.id,
	"severity": cfg.severity,
} if {
	some env, cfg in settings
	cfg.require_rotation
	names := secrets.display_names
	some i, s in env_secrets[env]
	object.get(s, "rotation_enabled", null) != true
	rotation_missing(s)
	name := names[i]
}

# METADATA
# title: Rotation schedule is longer than the environment allows
# description: |
#   A secret that rotates automatically, but less often than its
#   environment's limit, is overdue between rotations by design. High in
#   production environments, medium elsewhere.
# custom:
#   id: rotation-schedule-too-long
#   check: rotation
#   severity: high
#   remediation: Set the rotation schedule to at most the environment's max_rotation_days (AutomaticallyAfterDays, or a rate() expression that runs at least that often).
deny contains {
	"rule": "rotation-schedule-too-long",
	"resource": name,
	"message": sprintf("Secret %s rotates every %s; %s allows %d.", [name, secrets.days_text(days), env, cfg.max_days]),
	"file": s.file,
	"line": s.line,
	"key": s.id,
	"severity": cfg.severity,
} if {
	some env, cfg in settings
	cfg.max_days > 0
	ss := env_secrets[env]
	names := secrets.display_names
	some i, days in long_schedules[env]
	s := ss[i]
	object.get(s, "rotation_enabled", null) != false
	name := names[i]
}

# METADATA
# title: Secret is rotated manually
# description: |
#   The environment has no rotation limit (max_rotation_days 0, manual
#   rotation). This is reported for the record, with the secret's age when
#   it is known, so that very old credentials are seen.
# custom:
#   id: rotation-manual
#   check: rotation
#   severity: info
#   remediation: Nothing is required; rotate the secret when it is shared, exposed or old, or set max_rotation_days for the environment to enforce a limit.
deny contains {
	"rule": "rotation-manual",
	"resource": name,
	"message": sprintf("Secret %s is rotated manually (%s has no rotation limit); %s.", [name, env, manual_age(ns, dates.rotated)]),
	"file": s.file,
	"line": s.line,
	"key": s.id,
} if {
	some env, cfg in settings
	cfg.max_days <= 0
	ss := env_secrets[env]
	names := secrets.display_names
	some dates in manual_dates[env]
	some i, ns in dates.ns
	s := ss[i]
	name := names[i]
}

# ---------------------------------------------------------------------------
# Settings, secrets by environment and dates, computed once
# ---------------------------------------------------------------------------

now_ns := secrets.parse_time(input.now)

# A next rotation date before failing_before_ns[env] (now minus the grace
# period) means rotation is failing.
failing_before_ns := {env: t | some env, cfg in settings; t := now_ns - cfg.grace_ns}

default_failing_before_ns := now_ns - (secrets.default_grace_hours * secrets.hour_ns)

# settings holds each configured environment's limits, in nanoseconds.
settings := {env: {
	"max_days": max_days,
	"limit_ns": limit_ns,
	"grace_hours": grace_hours,
	"grace_ns": grace_ns,
	"warn_from_ns": limit_ns - (secrets.warn_days(env) * secrets.day_ns),
	"deadline_ns": limit_ns + grace_ns,
	"require_rotation": secrets.requires_rotation(env),
	"severity": env_severity(env),
} |
	some env in secrets.environment_names
	max_days := secrets.max_rotation_days(env)
	limit_ns := max_days * secrets.day_ns
	grace_hours := secrets.grace_hours(env)
	grace_ns := grace_hours * secrets.hour_ns
}

# env_secrets maps each configured environment to its secrets, by index
# in input.secrets (one pass: the inner comprehension is indexed on env).
env_secrets := {env: ss |
	some env, _ in settings
	ss := {i: s | some i, s in input.secrets; s.environment == env}
}

# configured_count is the number of secrets in a configured environment.
configured_count := sum([count(ss) | some ss in env_secrets])

# unconfigured maps the index of every secret whose environment is missing
# or not configured to the secret; not computed when there are none.
unconfigured := {i: s |
	count(input.secrets) > configured_count
	cfgs := settings
	some i, s in input.secrets
	not cfgs[object.get(s, "environment", null)]
}

# env_rotated maps each configured environment to {index: time} for its
# secrets with a valid last_rotated_date.
env_rotated := {env: {i: ns | some i, s in ss; ns := secrets.parse_time(s.last_rotated_date)} |
	some env, ss in env_secrets
}

# env_created maps each configured environment to {index: time} for its
# secrets that were never rotated (no valid last_rotated_date) but have a
# valid created_date. (The secrets without a valid last_rotated_date are
# found with a set difference, which OPA computes natively, instead of a
# lookup per secret in Rego.)
env_created := {env: created |
	some env, ss in env_secrets
	never_rotated := object.keys(ss) - object.keys(env_rotated[env])
	created := {i: ns | some i in never_rotated; ns := secrets.parse_time(ss[i].created_date)}
}

# reference_dates lists, per configured environment, the reference dates of
# its secrets: the last rotation, or the creation of a secret never rotated.
reference_dates := {env: [
	{"ns": env_rotated[env], "rotated": true},
	{"ns": env_created[env], "rotated": false},
] |
	some env, _ in env_secrets
}

# long_schedules maps each configured environment with a rotation limit to
# {index: schedule_days(secret)} for its secrets whose schedule is longer
# than the limit. Two cheap scans instead of a function call per secret:
# a positive rotation_days is the interval; only secrets without one, but
# with a rotation_schedule, need schedule_days.
long_schedules := {env: object.union(by_days, by_schedule) |
	some env, cfg in settings
	max_days := cfg.max_days
	max_days > 0
	ss := env_secrets[env]
	by_days := {i: d | some i, s in ss; d := s.rotation_days; d > max_days; is_number(d)}
	by_schedule := {i: d |
		some i, s in ss
		s.rotation_schedule
		d := schedule_days(s)
		d > max_days
	}
}

# manual_dates is reference_dates of the environments without a rotation
# limit plus, with "rotated" null, their secrets without a known date (ns
# null), for the messages of rotation-manual.
manual_dates := {env: array.concat(reference_dates[env], [{"ns": undated, "rotated": null}]) |
	some env, cfg in settings
	cfg.max_days <= 0
	dated := object.keys(env_rotated[env]) | object.keys(env_created[env])
	undated := {i: null | some i in (object.keys(env_secrets[env]) - dated)}
}

# failing_groups splits the secrets by the threshold of rotation-failing
# (a next rotation date before "before" means rotation is failing): one
# group per configured environment, and the other secrets grouped by
# object.get(s, "environment", ""). rotated maps their indexes to their
# last rotation times.
failing_groups := array.concat(
	[{"before": now_ns - cfg.grace_ns, "severity": cfg.severity, "secrets": env_secrets[env], "rotated": env_rotated[env]} |
		some env, cfg in settings
	],
	[{
		"before": object.get(failing_before_ns, env, default_failing_before_ns),
		"severity": object.get(settings, [env, "severity"], "medium"),
		"secrets": ss,
		"rotated": {i: ns | some i, s in ss; ns := secrets.parse_time(s.last_rotated_date)},
	} |
		some env in {object.get(s, "environment", "") | some s in unconfigured}
		ss := {i: s | some i, s in unconfigured; object.get(s, "environment", "") == env}
	],
)

# env_severity ranks rotation findings higher in production environments.
env_severity(env) := "high" if secrets.is_production(env)

env_severity(env) := "medium" if not secrets.is_production(env)

# ---------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------

# scheduled_in_time: automatic rotation is on and its next run comes before
# the deadline (and has not been missed), so a warning would be noise.
# ns is the secret's reference date.
scheduled_in_time(s, ns, cfg) if {
	s.rotation_enabled == true
	next := secrets.parse_time(s.next_rotation_date)
	next >= now_ns
	next <= ns + cfg.deadline_ns
}

iac_sources := {"cloudformation", "terraform"}

# rotation_missing: rotation is off, or an infrastructure-as-code secret
# declares no rotation schedule at all (rotation_enabled unknown).
rotation_missing(s) if s.rotation_enabled == false

rotation_missing(s) if {
	object.get(s, "rotation_enabled", null) == null
	object.get(s, "source", "") in iac_sources
	not has_schedule(s)
}

has_schedule(s) if object.get(s, "rotation_days", 0) > 0

has_schedule(s) if secrets.nonempty_string(object.get(s, "rotation_schedule", ""))

# schedule_days is the rotation interval in days: AutomaticallyAfterDays,
# or a rate() expression in days.
schedule_days(s) := s.rotation_days if {
	is_number(s.rotation_days)
	s.rotation_days > 0
} else := to_number(m[1]) if {
	m := regex.find_all_string_submatch_n(`^rate\(\s*(\d+)\s+days?\s*\)$`, object.get(s, "rotation_schedule", ""), 1)[0]
}

# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------

unknown_environment_message(s, name) := sprintf("Secret %s has no environment (neither its name nor an environment tag names one of %s), so no rotation limit applies.", [name, secrets.environment_list]) if {
	not secrets.nonempty_string(object.get(s, "environment", ""))
} else := sprintf("Secret %s is in environment %q, which is not configured (configured: %s), so no rotation limit applies.", [name, s.environment, secrets.environment_list])

# age_clause(ref) describes a secret's age; ref is its reference date
# [ns, rotated].
age_clause(ref) := sprintf("was last rotated %s ago (%s)", [secrets.days_text(secrets.whole_days(now_ns - ref[0])), secrets.format_date(ref[0])]) if {
	ref[1]
} else := sprintf("was created %s ago (%s) and has never been rotated", [secrets.days_text(secrets.whole_days(now_ns - ref[0])), secrets.format_date(ref[0])])

# overdue_text is the rotation-overdue message after "Secret <name> ", for
# the reference date [ns, rotated] in env.
overdue_text(ns, rotated, env, max_days) := sprintf("%s; %s allows %d.", [age_clause([ns, rotated]), env, max_days])

# due_soon_text is the rotation-due-soon message after "Secret <name> ",
# for the reference date [ns, rotated] in env with settings cfg.
due_soon_text(ns, rotated, env, cfg) := sprintf("%s; %s allows %d, so it must be rotated by %s.", [age_clause([ns, rotated]), env, cfg.max_days, secrets.format_date(ns + cfg.limit_ns)]) if {
	now_ns - ns < cfg.limit_ns
} else := sprintf("%s; %s allows %d: the limit was reached on %s and the %d-hour grace period ends at %s.", [age_clause([ns, rotated]), env, cfg.max_days, secrets.format_date(ns + cfg.limit_ns), cfg.grace_hours, secrets.format_time(ns + cfg.deadline_ns)])

# failing_since_text(next) is "<date> (<n> days ago)" for a missed next
# rotation date.
failing_since_text(next) := sprintf("%s (%s ago)", [secrets.format_date(next), secrets.days_text(secrets.whole_days(now_ns - next))])

not_enabled_message(s, name) := sprintf("Secret %s is declared in CloudFormation without an AWS::SecretsManager::RotationSchedule; %s requires automatic rotation.", [name, s.environment]) if {
	s.source == "cloudformation"
	object.get(s, "rotation_enabled", null) != false
} else := sprintf("Secret %s is declared in Terraform without an aws_secretsmanager_secret_rotation; %s requires automatic rotation.", [name, s.environment]) if {
	s.source == "terraform"
	object.get(s, "rotation_enabled", null) != false
} else := sprintf("Secret %s does not have automatic rotation enabled; %s requires it.", [name, s.environment])

# manual_age(ns, rotated) states a secret's age for rotation-manual, from
# its reference date [ns, rotated] (rotated null: no known date).
manual_age(_, null) := "its age is unknown"

manual_age(ns, rotated) := sprintf("it %s", [age_clause([ns, rotated])]) if rotated != null
