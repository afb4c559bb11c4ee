# Rotation rules: every secret's current value is younger than its
# environment allows (input.config.environments[env].max_rotation_days, plus
# grace_hours before it counts as overdue, with a warning warn_days before
# the limit), production secrets rotate automatically, and automatic rotation
# actually happens. The age is measured from last_rotated_date, or from
# created_date for a secret that was never rotated; a secret whose dates are
# unknown (CloudFormation, Terraform) gets no age finding. Time is input.now,
# never the clock.
#
# Performance (10,000 secrets): the secrets are split by environment once
# (env_secrets), their dates parsed and their names derived once (refs,
# rotated_ns, secrets.display_names). Each rule loops over the environments
# (a handful), binds that environment's settings and thresholds, and then
# runs over that environment's secrets only, comparing times with
# thresholds; ages are computed only for the messages of findings.
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
	count(input.secrets) > configured_count
	cfgs := settings
	some s in input.secrets
	not cfgs[object.get(s, "environment", null)]
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
	"message": sprintf("%s; %s allows %d.", [age_text(name, ref), env, cfg.max_days]),
	"file": s.file,
	"line": s.line,
	"key": s.id,
	"severity": cfg.severity,
} if {
	some env, cfg in settings
	cfg.max_days > 0
	before := thresholds[env].overdue_before_ns
	r := refs
	names := secrets.display_names
	some i, s in env_secrets[env]
	ref := r[i]
	ref[0] < before
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
	"message": due_soon_message(name, env, ref, cfg),
	"file": s.file,
	"line": s.line,
	"key": s.id,
} if {
	some env, cfg in settings
	cfg.max_days > 0
	t := thresholds[env]
	from := t.overdue_before_ns
	to := t.warn_before_ns
	r := refs
	names := secrets.display_names
	some i, s in env_secrets[env]
	ref := r[i]
	ref[0] <= to
	ref[0] >= from
	not scheduled_in_time(s, ref, cfg)
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
	"message": sprintf("Automatic rotation of secret %s is failing: the next rotation was due on %s (%s ago) and has not happened.", [name, secrets.format_date(next), secrets.days_text(secrets.whole_days(now_ns - next))]),
	"file": s.file,
	"line": s.line,
	"key": s.id,
	"severity": group.severity,
} if {
	last := rotated_ns
	names := secrets.display_names
	some group in failing_groups
	before := group.before
	some i, s in group.secrets
	next_text := s.next_rotation_date
	next_text != ""
	object.get(s, "rotation_enabled", null) != false
	next := secrets.parse_time(next_text)
	next < before
	not_rotated_since(last, i, next)
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
	max_days := cfg.max_days
	max_days > 0
	names := secrets.display_names
	some i, s in env_secrets[env]
	object.get(s, "rotation_enabled", null) != false
	days := schedule_days(s)
	days > max_days
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
	"message": manual_message(name, env, r, i),
	"file": s.file,
	"line": s.line,
	"key": s.id,
} if {
	some env, cfg in settings
	cfg.max_days <= 0
	r := refs
	names := secrets.display_names
	some i, s in env_secrets[env]
	name := names[i]
}

# ---------------------------------------------------------------------------
# Settings and ages, computed once
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

# thresholds turns each environment's limits into absolute times: a value
# set before overdue_before_ns is overdue, one set before warn_before_ns is
# due soon. Comparing times is much cheaper in OPA than computing an age per
# secret; ages are computed only for the messages of findings.
thresholds := {env: {
	"overdue_before_ns": now_ns - cfg.deadline_ns,
	"warn_before_ns": now_ns - cfg.warn_from_ns,
} |
	some env, cfg in settings
}

# refs maps the index of every secret with a known date to its reference
# date [ns, rotated]: the last rotation, or the creation of a secret never
# rotated (see reference_date; built here without a call per secret).
refs := object.union(
	{i: [ns, false] | some i, ns in created_ns},
	{i: [ns, true] | some i, ns in rotated_ns},
)

# rotated_ns maps the index of every secret with a valid last_rotated_date
# to that time.
rotated_ns := {i: ns |
	some i, s in input.secrets
	ns := secrets.parse_time(s.last_rotated_date)
}

# created_ns maps the index of every secret without a valid
# last_rotated_date, but with a valid created_date, to its creation time.
created_ns := {i: ns |
	rotated := rotated_ns
	some i, s in input.secrets
	not rotated[i]
	ns := secrets.parse_time(s.created_date)
}

# reference_date is [ns, rotated]: the last rotation, or the creation of a
# secret never rotated.
reference_date(s) := [ns, true] if {
	ns := secrets.parse_time(s.last_rotated_date)
} else := [ns, false] if {
	ns := secrets.parse_time(s.created_date)
}

# failing_groups splits the secrets by the threshold of rotation-failing:
# one group per configured environment, and the secrets of other (or no)
# environments grouped by object.get(s, "environment", "").
failing_groups := array.concat(
	[{"before": now_ns - cfg.grace_ns, "severity": cfg.severity, "secrets": env_secrets[env]} | some env, cfg in settings],
	[{"before": object.get(failing_before_ns, env, default_failing_before_ns), "severity": object.get(settings, [env, "severity"], "medium"), "secrets": ss} |
		some env, ss in unconfigured_secrets
	],
)

# unconfigured_secrets groups the secrets whose environment is not
# configured by object.get(s, "environment", ""); empty (and not computed)
# when every secret has a configured environment.
unconfigured_secrets := {env: ss |
	count(input.secrets) > configured_count
	cfgs := settings
	some s in input.secrets
	not cfgs[object.get(s, "environment", null)]
	env := object.get(s, "environment", "")
	ss := {i: x | some i, x in input.secrets; not cfgs[object.get(x, "environment", null)]; object.get(x, "environment", "") == env}
}

# env_severity ranks rotation findings higher in production environments.
env_severity(env) := "high" if secrets.is_production(env)

env_severity(env) := "medium" if not secrets.is_production(env)

# ---------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------

# scheduled_in_time: automatic rotation is on and its next run comes before
# the deadline (and has not been missed), so a warning would be noise.
scheduled_in_time(s, ref, cfg) if {
	s.rotation_enabled == true
	next := secrets.parse_time(s.next_rotation_date)
	next >= now_ns
	next <= ref[0] + cfg.deadline_ns
}

# not_rotated_since(last, i, next): secret i (last is rotated_ns) has not
# been rotated at or after next: no valid last_rotated_date, or an earlier
# one. (null sorts before every number, so a missing date is earlier.)
not_rotated_since(last, i, next) if object.get(last, i, null) < next

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

# ref is reference_date(s): [ns, rotated].
age_text(name, ref) := sprintf("Secret %s %s", [name, age_clause(ref)])

age_clause(ref) := sprintf("was last rotated %s ago (%s)", [secrets.days_text(secrets.whole_days(now_ns - ref[0])), secrets.format_date(ref[0])]) if {
	ref[1]
} else := sprintf("was created %s ago (%s) and has never been rotated", [secrets.days_text(secrets.whole_days(now_ns - ref[0])), secrets.format_date(ref[0])])

due_soon_message(name, env, ref, cfg) := sprintf("%s; %s allows %d, so it must be rotated by %s.", [age_text(name, ref), env, cfg.max_days, secrets.format_date(ref[0] + cfg.limit_ns)]) if {
	now_ns - ref[0] < cfg.limit_ns
} else := sprintf("%s; %s allows %d: the limit was reached on %s and the %d-hour grace period ends at %s.", [age_text(name, ref), env, cfg.max_days, secrets.format_date(ref[0] + cfg.limit_ns), cfg.grace_hours, secrets.format_time(ref[0] + cfg.deadline_ns)])

not_enabled_message(s, name) := sprintf("Secret %s is declared in CloudFormation without an AWS::SecretsManager::RotationSchedule; %s requires automatic rotation.", [name, s.environment]) if {
	s.source == "cloudformation"
	object.get(s, "rotation_enabled", null) != false
} else := sprintf("Secret %s is declared in Terraform without an aws_secretsmanager_secret_rotation; %s requires automatic rotation.", [name, s.environment]) if {
	s.source == "terraform"
	object.get(s, "rotation_enabled", null) != false
} else := sprintf("Secret %s does not have automatic rotation enabled; %s requires it.", [name, s.environment])

# manual_message(name, env, r, i): r is refs, i the secret's index.
manual_message(name, env, r, i) := sprintf("Secret %s is rotated manually (%s has no rotation limit); it %s.", [name, env, age_clause(r[i])]) if {
	r[i]
} else := sprintf("Secret %s is rotated manually (%s has no rotation limit); its age is unknown.", [name, env])
