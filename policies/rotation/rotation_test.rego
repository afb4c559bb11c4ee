package secretgate.rules.rotation_test

import rego.v1

import data.secretgate.rules.rotation

now := "2026-11-26T12:00:00Z"

now_ns := time.parse_rfc3339_ns(now)

day := 86400000000000

hour := 3600000000000

second := 1000000000

config := {
	"environments": {
		"prod": {"max_rotation_days": 90, "warn_days": 14, "grace_hours": 24, "require_rotation": true, "production": true},
		"staging": {"max_rotation_days": 120, "warn_days": 14, "grace_hours": 24, "require_rotation": false, "production": false},
		"dev": {"max_rotation_days": 0, "warn_days": 0, "grace_hours": 24, "require_rotation": false, "production": false},
	},
	"environment_order": ["prod", "staging", "dev"],
	"naming": {"pattern": "{env}/{service}/{type}", "regex": ""},
}

# ago(ns) is the RFC 3339 time ns before now.
ago(ns) := time.format([now_ns - ns, "UTC", "2006-01-02T15:04:05Z07:00"])

# An inventory secret, rotating automatically (no schedule problem), whose
# value is age_ns old.
secret(name, env, age_ns) := {
	"id": concat("", ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:", name, "-AbCdEf"]),
	"name": name,
	"environment": env,
	"rotation_enabled": true,
	"rotation_days": 30,
	"created_date": "2024-01-01T00:00:00Z",
	"last_rotated_date": ago(age_ns),
	"source": "inventory",
	"file": "inventory.json",
	"line": 12,
}

findings(ss) := fs if {
	fs := rotation.deny with input as {"now": now, "config": config, "secrets": ss}
}

findings_with(ss, cfg) := fs if {
	fs := rotation.deny with input as {"now": now, "config": cfg, "secrets": ss}
}

one(fs, rule) := f if {
	matches := [x | some x in fs; x.rule == rule]
	count(matches) == 1
	f := matches[0]
}

rules(fs) := {f.rule | some f in fs}

# --- overdue -----------------------------------------------------------------

test_overdue_prod_message if {
	s := object.union(secret("prod/bybit/api", "prod", 0), {"last_rotated_date": "2026-07-18T12:00:00Z"})
	f := one(findings([s]), "rotation-overdue")
	f.message == "Secret prod/bybit/api was last rotated 131 days ago (2026-07-18); prod allows 90."
	f.severity == "high"
	f.resource == "prod/bybit/api"
	f.file == "inventory.json"
	f.line == 12
	f.key == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/api-AbCdEf"
}

test_overdue_staging_is_medium if {
	f := one(findings([secret("staging/db/password", "staging", 200 * day)]), "rotation-overdue")
	f.severity == "medium"
	f.message == sprintf("Secret staging/db/password was last rotated 200 days ago (%s); staging allows 120.", [substring(ago(200 * day), 0, 10)])
}

test_never_rotated_uses_created_date if {
	s := object.remove(object.union(secret("prod/db/password", "prod", 0), {"created_date": ago(100 * day)}), ["last_rotated_date"])
	f := one(findings([s]), "rotation-overdue")
	f.message == sprintf("Secret prod/db/password was created 100 days ago (%s) and has never been rotated; prod allows 90.", [substring(ago(100 * day), 0, 10)])
}

test_empty_last_rotated_uses_created_date if {
	s := object.union(secret("prod/db/password", "prod", 0), {"last_rotated_date": "", "created_date": ago(95 * day)})
	contains(one(findings([s]), "rotation-overdue").message, "was created 95 days ago")
}

test_last_rotated_preferred_over_created if {
	s := object.union(secret("prod/db/password", "prod", 10 * day), {"created_date": ago(400 * day)})
	count(findings([s])) == 0
}

test_young_secret_passes if {
	count(findings([secret("prod/bybit/api", "prod", 10 * day)])) == 0
}

# --- boundaries --------------------------------------------------------------

test_boundary_exactly_at_limit_is_due_not_overdue if {
	fs := findings([object.remove(secret("prod/bybit/api", "prod", 90 * day), ["rotation_days"])])
	rules(fs) == {"rotation-due-soon"}
	f := one(fs, "rotation-due-soon")
	contains(f.message, "was last rotated 90 days ago")
	contains(f.message, sprintf("prod allows 90: the limit was reached on %s and the 24-hour grace period ends at %s.", [substring(ago(0), 0, 10), ago(-24 * hour)]))
}

test_boundary_within_grace_is_not_overdue if {
	fs := findings([secret("prod/bybit/api", "prod", (90 * day) + (23 * hour))])
	rules(fs) == {"rotation-due-soon"}
}

test_boundary_end_of_grace_is_not_overdue if {
	fs := findings([secret("prod/bybit/api", "prod", (90 * day) + (24 * hour))])
	rules(fs) == {"rotation-due-soon"}
}

test_boundary_just_past_grace_is_overdue if {
	fs := findings([secret("prod/bybit/api", "prod", ((90 * day) + (24 * hour)) + second)])
	rules(fs) == {"rotation-overdue"}
	one(fs, "rotation-overdue").severity == "high"
}

test_boundary_warning_window_start if {
	f := one(findings([secret("prod/bybit/api", "prod", 76 * day)]), "rotation-due-soon")
	f.message == sprintf("Secret prod/bybit/api was last rotated 76 days ago (%s); prod allows 90, so it must be rotated by %s.", [substring(ago(76 * day), 0, 10), substring(ago(-14 * day), 0, 10)])
	not f.severity
}

test_boundary_just_before_warning_window if {
	count(findings([secret("prod/bybit/api", "prod", (76 * day) - second)])) == 0
}

test_zero_grace_hours if {
	cfg := object.union(config, {"environments": {"prod": {"max_rotation_days": 90, "warn_days": 14, "grace_hours": 0, "require_rotation": true, "production": true}}})
	rules(findings_with([secret("prod/bybit/api", "prod", (90 * day) + second)], cfg)) == {"rotation-overdue"}
	rules(findings_with([secret("prod/bybit/api", "prod", 90 * day)], cfg)) == {"rotation-due-soon"}
}

test_zero_warn_days_warns_only_from_limit if {
	cfg := object.union(config, {"environments": {"staging": {"max_rotation_days": 120, "warn_days": 0, "grace_hours": 24}}})
	count(findings_with([secret("staging/db/password", "staging", (120 * day) - second)], cfg)) == 0
	rules(findings_with([secret("staging/db/password", "staging", 120 * day)], cfg)) == {"rotation-due-soon"}
}

test_warning_suppressed_when_rotation_scheduled_in_time if {
	s := object.union(secret("prod/bybit/api", "prod", 80 * day), {"next_rotation_date": ago(-3 * day)})
	count(findings([s])) == 0
}

test_warning_kept_when_next_rotation_after_deadline if {
	s := object.union(secret("prod/bybit/api", "prod", 80 * day), {"next_rotation_date": ago(-30 * day)})
	rules(findings([s])) == {"rotation-due-soon"}
}

test_warning_kept_when_rotation_disabled if {
	s := object.union(secret("staging/bybit/api", "staging", 110 * day), {"rotation_enabled": false, "next_rotation_date": ago(-3 * day)})
	rules(findings([s])) == {"rotation-due-soon"}
}

# --- unknown dates -------------------------------------------------------------

test_unknown_dates_no_age_finding if {
	s := object.remove(secret("staging/db/password", "staging", 0), ["last_rotated_date", "created_date"])
	count(findings([s])) == 0
}

test_malformed_dates_no_age_finding if {
	s := object.union(secret("staging/db/password", "staging", 0), {"last_rotated_date": "last tuesday", "created_date": "n/a"})
	count(findings([s])) == 0
}

test_date_only_format_accepted if {
	s := object.union(secret("prod/bybit/api", "prod", 0), {"last_rotated_date": "2026-07-18"})
	contains(one(findings([s]), "rotation-overdue").message, "was last rotated 131 days ago (2026-07-18)")
}

test_future_date_no_finding if {
	count(findings([secret("prod/bybit/api", "prod", -5 * day)])) == 0
}

# --- environment ---------------------------------------------------------------

test_missing_environment if {
	s := object.remove(secret("bybit-api-key", "", 500 * day), ["environment"])
	fs := findings([s])
	rules(fs) == {"rotation-environment-unknown"}
	f := one(fs, "rotation-environment-unknown")
	f.message == "Secret bybit-api-key has no environment (neither its name nor an environment tag names one of prod, staging, dev), so no rotation limit applies."
	f.resource == "bybit-api-key"
}

test_empty_environment if {
	rules(findings([secret("bybit-api-key", "", 5 * day)])) == {"rotation-environment-unknown"}
}

test_unconfigured_environment if {
	f := one(findings([secret("qa/bybit/api", "qa", 500 * day)]), "rotation-environment-unknown")
	f.message == `Secret qa/bybit/api is in environment "qa", which is not configured (configured: prod, staging, dev), so no rotation limit applies.`
}

test_default_config_prod_90_days if {
	fs := rotation.deny with input as {"now": now, "secrets": [secret("prod/bybit/api", "prod", 100 * day)]}
	f := one(fs, "rotation-overdue")
	contains(f.message, "prod allows 90")
	f.severity == "high"
}

# --- automatic rotation required ---------------------------------------------

test_prod_rotation_disabled if {
	s := object.union(secret("prod/bybit/api", "prod", 5 * day), {"rotation_enabled": false})
	f := one(findings([s]), "rotation-not-enabled")
	f.message == "Secret prod/bybit/api does not have automatic rotation enabled; prod requires it."
	f.severity == "high"
}

test_prod_rotation_enabled_passes if {
	count(findings([secret("prod/bybit/api", "prod", 5 * day)])) == 0
}

test_staging_rotation_disabled_allowed if {
	s := object.union(secret("staging/bybit/api", "staging", 5 * day), {"rotation_enabled": false})
	count(findings([s])) == 0
}

test_cloudformation_prod_without_schedule if {
	s := {"id": "stack.yaml#ApiSecret", "name": "prod/bybit/api", "environment": "prod", "rotation_enabled": null, "source": "cloudformation", "file": "stack.yaml", "line": 40}
	f := one(findings([s]), "rotation-not-enabled")
	f.message == "Secret prod/bybit/api is declared in CloudFormation without an AWS::SecretsManager::RotationSchedule; prod requires automatic rotation."
	f.file == "stack.yaml"
	f.line == 40
}

test_terraform_prod_without_schedule if {
	s := {"id": "plan.json#aws_secretsmanager_secret.api", "name": "prod/bybit/api", "environment": "prod", "source": "terraform", "file": "plan.json", "line": 9}
	f := one(findings([s]), "rotation-not-enabled")
	f.message == "Secret prod/bybit/api is declared in Terraform without an aws_secretsmanager_secret_rotation; prod requires automatic rotation."
}

test_iac_prod_with_rotation_days_passes if {
	s := {"id": "stack.yaml#ApiSecret", "name": "prod/bybit/api", "environment": "prod", "rotation_enabled": null, "rotation_days": 30, "source": "cloudformation", "file": "stack.yaml", "line": 40}
	count(findings([s])) == 0
}

test_iac_prod_with_schedule_expression_passes if {
	s := {"id": "plan.json#rot", "name": "prod/bybit/api", "environment": "prod", "rotation_schedule": "rate(30 days)", "source": "terraform", "file": "plan.json", "line": 9}
	count(findings([s])) == 0
}

test_iac_prod_rotation_explicitly_false if {
	s := {"id": "plan.json#api", "name": "prod/bybit/api", "environment": "prod", "rotation_enabled": false, "source": "terraform", "file": "plan.json", "line": 9}
	f := one(findings([s]), "rotation-not-enabled")
	contains(f.message, "does not have automatic rotation enabled")
}

test_inventory_unknown_rotation_not_guessed if {
	s := object.union(secret("prod/bybit/api", "prod", 5 * day), {"rotation_enabled": null})
	count(findings([s])) == 0
}

test_required_rotation_outside_production_is_medium if {
	cfg := object.union(config, {"environments": {"staging": {"max_rotation_days": 120, "warn_days": 14, "grace_hours": 24, "require_rotation": true, "production": false}}})
	s := object.union(secret("staging/bybit/api", "staging", 5 * day), {"rotation_enabled": false})
	f := one(findings_with([s], cfg), "rotation-not-enabled")
	f.severity == "medium"
	contains(f.message, "staging requires it")
}

# --- schedule ------------------------------------------------------------------

test_schedule_longer_than_limit if {
	s := object.union(secret("prod/bybit/api", "prod", 5 * day), {"rotation_days": 180})
	f := one(findings([s]), "rotation-schedule-too-long")
	f.message == "Secret prod/bybit/api rotates every 180 days; prod allows 90."
	f.severity == "high"
}

test_schedule_equal_to_limit_passes if {
	s := object.union(secret("prod/bybit/api", "prod", 5 * day), {"rotation_days": 90})
	count(findings([s])) == 0
}

test_schedule_rate_expression if {
	s := object.union(object.remove(secret("staging/bybit/api", "staging", 5 * day), ["rotation_days"]), {"rotation_schedule": "rate(150 days)"})
	f := one(findings([s]), "rotation-schedule-too-long")
	f.message == "Secret staging/bybit/api rotates every 150 days; staging allows 120."
	f.severity == "medium"
}

test_schedule_cron_not_judged if {
	s := object.union(object.remove(secret("prod/bybit/api", "prod", 5 * day), ["rotation_days"]), {"rotation_schedule": "cron(0 8 1 */6 ? *)"})
	count(findings([s])) == 0
}

test_schedule_on_disabled_rotation_not_reported_twice if {
	s := object.union(secret("prod/bybit/api", "prod", 5 * day), {"rotation_days": 365, "rotation_enabled": false})
	rules(findings([s])) == {"rotation-not-enabled"}
}

# --- manual environments -------------------------------------------------------

test_manual_environment_states_age if {
	f := one(findings([secret("dev/bybit/api", "dev", 400 * day)]), "rotation-manual")
	f.message == sprintf("Secret dev/bybit/api is rotated manually (dev has no rotation limit); it was last rotated 400 days ago (%s).", [substring(ago(400 * day), 0, 10)])
	not f.severity
}

test_manual_environment_never_rotated if {
	s := object.remove(object.union(secret("dev/db/password", "dev", 0), {"created_date": ago(30 * day)}), ["last_rotated_date"])
	contains(one(findings([s]), "rotation-manual").message, "it was created 30 days ago")
}

test_manual_environment_unknown_age if {
	s := object.remove(secret("dev/db/password", "dev", 0), ["last_rotated_date", "created_date"])
	f := one(findings([s]), "rotation-manual")
	f.message == "Secret dev/db/password is rotated manually (dev has no rotation limit); its age is unknown."
}

test_manual_environment_no_overdue if {
	rules(findings([secret("dev/bybit/api", "dev", 4000 * day)])) == {"rotation-manual"}
}

# --- failing rotation ------------------------------------------------------------

test_rotation_failing_prod if {
	s := object.union(secret("prod/bybit/api", "prod", 40 * day), {"next_rotation_date": ago(10 * day)})
	f := one(findings([s]), "rotation-failing")
	f.message == sprintf("Automatic rotation of secret prod/bybit/api is failing: the next rotation was due on %s (10 days ago) and has not happened.", [substring(ago(10 * day), 0, 10)])
	f.severity == "high"
}

test_rotation_failing_staging_is_medium if {
	s := object.union(secret("staging/bybit/api", "staging", 40 * day), {"next_rotation_date": ago(3 * day)})
	one(findings([s]), "rotation-failing").severity == "medium"
}

test_rotation_failing_within_grace if {
	s := object.union(secret("prod/bybit/api", "prod", 40 * day), {"next_rotation_date": ago(23 * hour)})
	count(findings([s])) == 0
}

test_rotation_failing_just_past_grace if {
	s := object.union(secret("prod/bybit/api", "prod", 40 * day), {"next_rotation_date": ago((24 * hour) + second)})
	rules(findings([s])) == {"rotation-failing"}
}

test_rotation_not_failing_when_rotated_after_due_date if {
	s := object.union(secret("prod/bybit/api", "prod", 2 * day), {"next_rotation_date": ago(5 * day)})
	count(findings([s])) == 0
}

test_rotation_not_failing_when_disabled if {
	s := object.union(secret("staging/bybit/api", "staging", 2 * day), {"rotation_enabled": false, "next_rotation_date": ago(50 * day)})
	count(findings([s])) == 0
}

test_rotation_failing_unknown_environment_is_medium if {
	s := object.union(secret("bybit-api", "", 60 * day), {"next_rotation_date": ago(50 * day)})
	one(findings([s]), "rotation-failing").severity == "medium"
}

# --- names -----------------------------------------------------------------------

test_arn_named_secret_reported_by_name if {
	s := secret("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/api-AbCdEf", "prod", 200 * day)
	f := one(findings([s]), "rotation-overdue")
	f.resource == "prod/bybit/api"
	startswith(f.message, "Secret prod/bybit/api was last rotated 200 days ago")
}

test_many_secrets_independent if {
	fs := findings([
		secret("prod/a/api", "prod", 5 * day),
		secret("prod/b/api", "prod", 100 * day),
		secret("staging/c/api", "staging", 130 * day),
		secret("dev/d/api", "dev", 1 * day),
	])
	{[f.rule, f.resource] | some f in fs} == {
		["rotation-overdue", "prod/b/api"],
		["rotation-overdue", "staging/c/api"],
		["rotation-manual", "dev/d/api"],
	}
}
