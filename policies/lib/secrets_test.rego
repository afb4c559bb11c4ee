package secretgate.lib.secrets_test

import rego.v1

import data.secretgate.lib.secrets

cfg_input := {"config": {
	"environments": {
		"prod": {"max_rotation_days": 60, "warn_days": 7, "grace_hours": 12, "require_rotation": true, "production": true},
		"qa": {"max_rotation_days": 30, "warn_days": 5, "grace_hours": 0, "require_rotation": false, "production": false},
	},
	"environment_order": ["qa", "prod"],
}}

# --- environments ----------------------------------------------------------

test_default_environments_without_config if {
	secrets.environment_names == {"prod", "staging", "dev"} with input as {}
	secrets.max_rotation_days("prod") == 90 with input as {}
	secrets.max_rotation_days("staging") == 120 with input as {}
	secrets.max_rotation_days("dev") == 0 with input as {}
	secrets.grace_hours("prod") == 24 with input as {}
	secrets.requires_rotation("prod") with input as {}
	not secrets.requires_rotation("staging") with input as {}
	secrets.is_production("prod") with input as {}
	not secrets.is_production("dev") with input as {}
}

test_default_environments_when_config_environments_null if {
	secrets.environment_names == {"prod", "staging", "dev"} with input as {"config": {"environments": null}}
}

test_configured_environments_replace_defaults if {
	secrets.environment_names == {"prod", "qa"} with input as cfg_input
	secrets.max_rotation_days("prod") == 60 with input as cfg_input
	secrets.warn_days("qa") == 5 with input as cfg_input
	secrets.grace_hours("qa") == 0 with input as cfg_input
}

test_environment_order_follows_config if {
	secrets.environment_order == ["qa", "prod"] with input as cfg_input
	secrets.environment_list == "qa, prod" with input as cfg_input
}

test_environment_order_appends_unlisted_sorted if {
	inp := {"config": {"environments": {"b": {}, "a": {}, "c": {}}, "environment_order": ["c"]}}
	secrets.environment_order == ["c", "a", "b"] with input as inp
}

test_environment_order_without_config_order if {
	inp := {"config": {"environments": {"dev": {}, "ops": {}, "prod": {}, "staging": {}}}}
	secrets.environment_order == ["prod", "staging", "dev", "ops"] with input as inp
}

test_missing_settings_take_defaults if {
	inp := {"config": {"environments": {"ops": {"max_rotation_days": 30}}}}
	secrets.warn_days("ops") == 14 with input as inp
	secrets.grace_hours("ops") == 24 with input as inp
	secrets.requires_rotation("ops") == false with input as inp
}

test_production_by_name_only_without_flag if {
	inp := {"config": {"environments": {"prod": {"max_rotation_days": 90}, "production": {"production": false}}}}
	secrets.is_production("prod") with input as inp
	not secrets.is_production("production") with input as inp
}

# --- names -------------------------------------------------------------------

test_secret_name_plain if secrets.secret_name({"name": "prod/bybit/api"}) == "prod/bybit/api"

test_secret_name_arn_strips_prefix_and_suffix if {
	secrets.secret_name({"name": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/api-AbCdEf"}) == "prod/bybit/api"
}

test_secret_name_arn_without_suffix_kept if {
	secrets.secret_name({"name": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db/pw"}) == "prod/db/pw"
}

test_secret_name_plain_never_stripped if {
	# a plain name that happens to end in -xxxxxx is the name itself
	secrets.secret_name({"name": "prod/db/master-passwd"}) == "prod/db/master-passwd"
}

test_secret_name_from_arn_field if {
	secrets.secret_name({"name": "", "arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dev/db/password-x1Y2z3"}) == "dev/db/password"
}

test_secret_name_unknown if {
	not secrets.secret_name({"name": "", "id": "stack.json#Secret"})
	secrets.display_name({"name": "", "id": "stack.json#Secret"}) == "stack.json#Secret"
}

# Names that secret_name and display_name return unchanged, and that
# cannot be templates, are plain; every other name takes the slow path.
name_cases := {"secrets": [
	{"id": "0", "name": "prod/bybit/api"},
	{"id": "1", "name": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/api-AbCdEf"},
	{"id": "2", "name": "${Env}/bybit/api"},
	{"id": "3", "name": "", "arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dev/db/password-x1Y2z3"},
	{"id": "4", "name": "a"},
	{"id": "5", "name": "arn"},
	{"id": "6", "name": "arnx:y"},
	{"id": "7", "name": "prod/{x}/y"},
	{"id": "8", "name": 5},
	{"id": "9", "arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:qa/x/y-AbCdEf"},
	{"id": "10", "name": "", "arn": ""},
	{"id": "11", "name": "ARN:aws:x"},
	{"id": "12", "name": "{{resolve:ssm:/x}}"},
]}

test_plain_names if {
	secrets.plain_names == {0: "prod/bybit/api", 4: "a", 5: "arn", 6: "arnx:y", 11: "ARN:aws:x"} with input as name_cases
}

test_display_names_are_display_name if {
	names := secrets.display_names with input as name_cases
	names == {i: n | some i, s in name_cases.secrets; n := secrets.display_name(s)}
	count(names) == count(name_cases.secrets)
}

test_display_names_all_plain if {
	inp := {"secrets": [{"id": "x", "name": "prod/a/b"}, {"id": "y", "name": "dev/a/b"}]}
	secrets.display_names == {0: "prod/a/b", 1: "dev/a/b"} with input as inp
}

test_unresolved_templates if {
	secrets.unresolved("${Env}/bybit/api")
	secrets.unresolved("{{resolve:ssm:/x}}")
	not secrets.unresolved("prod/bybit/api")
}

test_naming_regex_default if {
	secrets.naming_regex == `^(?:prod|staging|dev)/[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$` with input as {"config": {"environment_order": ["prod", "staging", "dev"]}}
}

test_naming_regex_from_config if {
	secrets.naming_regex == `^x$` with input as {"config": {"naming": {"pattern": "{env}/{service}/{type}", "regex": `^x$`}}}
}

test_naming_regex_literal_segment_quoted if {
	inp := {"config": {"naming": {"pattern": "apps.v1/{env}/{service}"}, "environments": {"prod": {}}}}
	secrets.naming_regex == `^apps\.v1/(?:prod)/[a-z0-9][a-z0-9._-]*$` with input as inp
	secrets.env_index == 1 with input as inp
}

test_resources_cover_all_is_true_or_false if {
	secrets.resources_cover_all(["*"], null, "secretsmanager", "secret:") == true
	secrets.resources_cover_all(["arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/*"], null, "secretsmanager", "secret:") == false
	secrets.resources_cover_all(null, ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/*"], "secretsmanager", "secret:") == true
	secrets.resources_cover_all(null, ["*"], "secretsmanager", "secret:") == false
	secrets.resources_cover_all(null, null, "kms", "key/") == false
	secrets.grants_on_all({"resource": ["arn:aws:kms:*:*:key/*"]}, "kms", "key/")
	not secrets.grants_on_all({"resource": ["arn:aws:kms:eu-west-1:123456789012:key/abc"]}, "kms", "key/")
	not secrets.grants_on_all({}, "kms", "key/")
}

# --- time ----------------------------------------------------------------------

test_parse_time_rfc3339 if secrets.parse_time("2026-07-18T00:00:00Z") == 1784332800000000000

test_parse_time_offset if secrets.parse_time("2026-07-18T02:00:00+02:00") == 1784332800000000000

test_parse_time_date_only if secrets.parse_time("2026-07-18") == 1784332800000000000

test_parse_time_rejects_garbage if {
	not secrets.parse_time("")
	not secrets.parse_time("yesterday")
	not secrets.parse_time("18/07/2026")
	not secrets.parse_time(null)
}

test_days_text if {
	secrets.days_text(1) == "1 day"
	secrets.days_text(0) == "0 days"
	secrets.days_text(131) == "131 days"
}

test_whole_days_floors if secrets.whole_days((2 * secrets.day_ns) - 1) == 1

# --- resources -------------------------------------------------------------------

test_covers_all_secrets if {
	secrets.covers_all("*", "secretsmanager", "secret:")
	secrets.covers_all("arn:aws:secretsmanager:eu-west-1:123456789012:secret:*", "secretsmanager", "secret:")
	secrets.covers_all("arn:aws:secretsmanager:*:*:secret:*", "secretsmanager", "secret:")
	secrets.covers_all("arn:aws:secretsmanager:*", "secretsmanager", "secret:")
	secrets.covers_all("arn:*", "secretsmanager", "secret:")
}

test_covers_all_secrets_not_scoped_patterns if {
	not secrets.covers_all("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/*", "secretsmanager", "secret:")
	not secrets.covers_all("arn:aws:secretsmanager:eu-west-1:123456789012:secret:*/bybit/*", "secretsmanager", "secret:")
	not secrets.covers_all("arn:aws:s3:::bucket/*", "secretsmanager", "secret:")
	not secrets.covers_all("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/api-AbCdEf", "secretsmanager", "secret:")
}

test_covers_all_roles if {
	secrets.covers_all("*", "iam", "role/")
	secrets.covers_all("arn:aws:iam::123456789012:role/*", "iam", "role/")
	secrets.covers_all("arn:aws:iam::*:*", "iam", "role/")
	not secrets.covers_all("arn:aws:iam::123456789012:role/app-*", "iam", "role/")
	not secrets.covers_all("arn:aws:iam::123456789012:role/deploy", "iam", "role/")
}

test_covers_all_keys if {
	secrets.covers_all("arn:aws:kms:eu-west-1:123456789012:key/*", "kms", "key/")
	not secrets.covers_all("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "kms", "key/")
}

test_secret_name_pattern if {
	secrets.secret_name_pattern("*") == "*"
	secrets.secret_name_pattern("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/*") == "prod/bybit/*"
	secrets.secret_name_pattern("arn:aws:secretsmanager:*:*:secret:*") == "*"
	secrets.secret_name_pattern("arn:aws:secretsmanager:*") == "*"
	not secrets.secret_name_pattern("arn:aws:s3:::bucket/*")
	not secrets.secret_name_pattern("arn:aws:ssm:eu-west-1:123456789012:parameter/prod/x")
}

test_name_in_env if {
	secrets.name_in_env("prod/bybit/*", "prod")
	secrets.name_in_env("*", "prod")
	secrets.name_in_env("*/bybit/*", "prod")
	secrets.name_in_env("p*", "prod")
	secrets.name_in_env("pr?d/*", "prod")
	secrets.name_in_env("prod/bybit/api-AbCdEf", "prod")
	not secrets.name_in_env("dev/*", "prod")
	not secrets.name_in_env("production/x", "prod")
	not secrets.name_in_env("prod", "prod")
	not secrets.name_in_env("dev/prod/x", "prod")
}

test_name_in_env_special_characters_literal if {
	not secrets.name_in_env("pro.d/*", "prod")
	not secrets.name_in_env("(prod)/*", "prod")
}

test_name_in_env_env_in_second_segment if {
	inp := {"config": {"naming": {"pattern": "{service}/{env}/{type}"}}}
	secrets.name_in_env("bybit/prod/*", "prod") with input as inp
	secrets.name_in_env("bybit/*", "prod") with input as inp
	not secrets.name_in_env("bybit/dev/*", "prod") with input as inp

	# wildcards before {env} are judged by glob intersection: "?" stays in
	# the first segment here, so the second segment is still "dev"
	not secrets.name_in_env("b?bit/dev/*", "prod") with input as inp
	secrets.name_in_env("b?bit/pr*", "prod") with input as inp
}

test_name_covers_env if {
	secrets.name_covers_env("prod/*", "prod")
	secrets.name_covers_env("*", "prod")
	secrets.name_covers_env("p*", "prod")
	not secrets.name_covers_env("prod/bybit/*", "prod")
	not secrets.name_covers_env("dev/*", "prod")
}

test_list_text if {
	secrets.list_text(["a", "b"]) == "a, b"
	secrets.list_text(["1", "2", "3", "4", "5", "6", "7"]) == "1, 2, 3, 4, 5 and 2 more"
}
