package secretgate.rules.naming_test

import rego.v1

import data.secretgate.rules.naming

config := {
	"environments": {
		"prod": {"max_rotation_days": 90, "warn_days": 14, "grace_hours": 24, "require_rotation": true, "production": true},
		"staging": {"max_rotation_days": 120, "warn_days": 14, "grace_hours": 24, "require_rotation": false, "production": false},
		"dev": {"max_rotation_days": 0, "warn_days": 0, "grace_hours": 24, "require_rotation": false, "production": false},
	},
	"environment_order": ["prod", "staging", "dev"],
	"naming": {"pattern": "{env}/{service}/{type}", "regex": ""},
}

secret(name) := {
	"id": concat("", ["inventory.json#", name]),
	"name": name,
	"source": "inventory",
	"file": "inventory.json",
	"line": 7,
}

tagged(name, tags) := object.union(secret(name), {"tags": tags})

findings(ss) := fs if {
	fs := naming.deny with input as {"now": "2026-11-26T12:00:00Z", "config": config, "secrets": ss}
}

findings_with(ss, cfg) := fs if {
	fs := naming.deny with input as {"now": "2026-11-26T12:00:00Z", "config": cfg, "secrets": ss}
}

# one(fs, rule) is the only finding of rule in fs.
one(fs, rule) := f if {
	matches := [x | some x in fs; x.rule == rule]
	count(matches) == 1
	f := matches[0]
}

rules(fs) := {f.rule | some f in fs}

# --- conforming names -------------------------------------------------------

test_conforming_names_pass if {
	count(findings([secret("prod/bybit/api"), secret("staging/db/password"), secret("dev/bybit/api")])) == 0
}

test_digits_hyphens_dots_underscores_allowed if {
	count(findings([secret("prod/bybit-futures/api_key.v2"), secret("dev/svc1/key2")])) == 0
}

test_arn_name_judged_without_prefix_and_suffix if {
	count(findings([secret("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/api-AbCdEf")])) == 0
}

test_name_from_arn_field if {
	s := object.union(secret(""), {"arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:Prod/bybit/api-AbCdEf"})
	f := one(findings([s]), "naming-pattern")
	f.resource == "Prod/bybit/api"
}

# --- what is wrong -----------------------------------------------------------

test_upper_case_segments if {
	f := one(findings([secret("prod/Bybit/API")]), "naming-pattern")
	f.message == `Secret name "prod/Bybit/API" does not follow the naming pattern {env}/{service}/{type}: segments must be lower-case: "Bybit", "API".`
}

test_upper_case_environment_is_not_unknown if {
	f := one(findings([secret("PROD/bybit/api")]), "naming-pattern")
	contains(f.message, `segments must be lower-case: "PROD"`)
	not contains(f.message, "not a configured environment")
}

test_too_few_segments if {
	f := one(findings([secret("prod/bybit")]), "naming-pattern")
	f.message == `Secret name "prod/bybit" does not follow the naming pattern {env}/{service}/{type}: it has 2 segments ("prod", "bybit"), the pattern has 3.`
}

test_too_many_segments if {
	f := one(findings([secret("prod/bybit/api/v2")]), "naming-pattern")
	contains(f.message, "it has 4 segments")
	contains(f.message, "the pattern has 3")
}

test_single_segment if {
	f := one(findings([secret("bybit-api-key")]), "naming-pattern")
	contains(f.message, `it has 1 segment ("bybit-api-key"), the pattern has 3`)
	contains(f.message, `"bybit-api-key" is not a configured environment (prod, staging, dev)`)
}

test_unknown_environment if {
	f := one(findings([secret("qa/bybit/api")]), "naming-pattern")
	f.message == `Secret name "qa/bybit/api" does not follow the naming pattern {env}/{service}/{type}: "qa" is not a configured environment (prod, staging, dev).`
}

test_production_spelled_out_is_unknown if {
	f := one(findings([secret("production/bybit/api")]), "naming-pattern")
	contains(f.message, `"production" is not a configured environment`)
}

test_illegal_characters if {
	f := one(findings([secret("prod/by bit/api+key@x")]), "naming-pattern")
	contains(f.message, `it contains characters that are not allowed: " " "+" "@"`)
}

test_non_ascii_character if {
	f := one(findings([secret("prod/bybít/api")]), "naming-pattern")
	contains(f.message, `characters that are not allowed: "í"`)
}

test_empty_segment if {
	f := one(findings([secret("prod//api")]), "naming-pattern")
	contains(f.message, "it has an empty segment")
}

test_trailing_slash if {
	f := one(findings([secret("prod/bybit/api/")]), "naming-pattern")
	contains(f.message, "it has an empty segment")
	contains(f.message, "it has 4 segments")
}

test_segment_must_start_alphanumeric if {
	f := one(findings([secret("prod/_bybit/api")]), "naming-pattern")
	contains(f.message, `segments must start with a letter or digit: "_bybit"`)
}

test_several_problems_listed if {
	f := one(findings([secret("QA/Bybit")]), "naming-pattern")
	contains(f.message, "it has 2 segments")
	contains(f.message, `segments must be lower-case: "QA", "Bybit"`)
	contains(f.message, `"QA" is not a configured environment`)
}

test_finding_fields if {
	f := one(findings([secret("Prod/bybit/api")]), "naming-pattern")
	f.resource == "Prod/bybit/api"
	f.file == "inventory.json"
	f.line == 7
	f.key == "inventory.json#Prod/bybit/api"
	not f.severity
}

test_arn_name_finding_names_the_secret_not_the_arn if {
	f := one(findings([secret("arn:aws:secretsmanager:eu-west-1:123456789012:secret:bybit_api-AbCdEf")]), "naming-pattern")
	f.resource == "bybit_api"
	not contains(f.message, "arn:")
	not contains(f.message, "AbCdEf")
}

test_one_finding_per_bad_secret if {
	fs := findings([secret("prod/bybit/api"), secret("Prod/x/y"), secret("qa/x/y")])
	count(fs) == 2
	{f.resource | some f in fs} == {"Prod/x/y", "qa/x/y"}
}

# --- what is not judged ------------------------------------------------------

test_template_names_not_judged if {
	count(findings([secret("${Environment}/bybit/api"), secret("{{resolve:ssm:/name}}")])) == 0
}

test_unknown_name_not_judged if {
	count(findings([{"id": "stack.json#Secret", "name": "", "source": "cloudformation", "file": "stack.json", "line": 3}])) == 0
}

# --- configuration -----------------------------------------------------------

test_configured_environment_accepted if {
	cfg := {"environments": {"qa": {"max_rotation_days": 30}}, "environment_order": ["qa"], "naming": {"pattern": "{env}/{service}/{type}", "regex": ""}}
	count(findings_with([secret("qa/bybit/api")], cfg)) == 0
	f := one(findings_with([secret("prod/bybit/api")], cfg), "naming-pattern")
	contains(f.message, `"prod" is not a configured environment (qa)`)
}

test_default_config_when_absent if {
	fs := naming.deny with input as {"secrets": [secret("prod/bybit/api"), secret("uat/bybit/api")]}
	f := one(fs, "naming-pattern")
	f.resource == "uat/bybit/api"
	contains(f.message, "(prod, staging, dev)")
}

test_custom_regex_used if {
	cfg := object.union(config, {"naming": {"pattern": "{env}/{service}/{type}", "regex": `^(prod|dev)/[a-z]+/(api|password)$`}})
	count(findings_with([secret("prod/bybit/api")], cfg)) == 0
	f := one(findings_with([secret("prod/bybit/token")], cfg), "naming-pattern")
	f.message == `Secret name "prod/bybit/token" does not follow the naming pattern {env}/{service}/{type}: it does not match the regular expression ^(prod|dev)/[a-z]+/(api|password)$.`
}

test_custom_pattern_env_second if {
	cfg := object.union(config, {"naming": {"pattern": "{service}/{env}/{type}", "regex": ""}})
	count(findings_with([secret("bybit/prod/api")], cfg)) == 0
	f := one(findings_with([secret("prod/bybit/api")], cfg), "naming-pattern")
	contains(f.message, `"bybit" is not a configured environment`)
}

test_pattern_literal_segment if {
	cfg := object.union(config, {"naming": {"pattern": "apps/{env}/{service}", "regex": ""}})
	count(findings_with([secret("apps/prod/bybit")], cfg)) == 0
	f := one(findings_with([secret("app/prod/bybit")], cfg), "naming-pattern")
	contains(f.message, `segment 1 must be "apps", not "app"`)
}

# --- environment tag ---------------------------------------------------------

test_environment_tag_mismatch if {
	f := one(findings([tagged("prod/bybit/api", {"Environment": "dev"})]), "naming-environment-mismatch")
	f.message == "Secret prod/bybit/api is tagged Environment=dev but its name puts it in prod."
	f.resource == "prod/bybit/api"
	f.key == "inventory.json#prod/bybit/api"
}

test_environment_tag_key_env_any_case if {
	f := one(findings([tagged("dev/db/password", {"ENV": "Staging"})]), "naming-environment-mismatch")
	contains(f.message, "tagged ENV=Staging")
}

test_environment_tag_matches if {
	count(findings([tagged("prod/bybit/api", {"environment": "prod", "team": "payments"})])) == 0
}

test_environment_tag_case_insensitive_match if {
	count(findings([tagged("prod/bybit/api", {"Environment": "PROD"})])) == 0
}

test_environment_tag_unknown_value_ignored if {
	# "production" is not a configured environment: not a contradiction we can judge
	count(findings([tagged("prod/bybit/api", {"environment": "production"})])) == 0
}

test_environment_tag_not_checked_on_bad_names if {
	fs := findings([tagged("Prod/bybit/api", {"environment": "dev"})])
	rules(fs) == {"naming-pattern"}
}
