package secretgate.rules.resolve_test

import rego.v1

import data.secretgate.rules.resolve

config := {
	"environments": {
		"prod": {"max_rotation_days": 90, "warn_days": 14, "grace_hours": 24, "require_rotation": true, "production": true},
		"live-eu": {"max_rotation_days": 90, "warn_days": 14, "grace_hours": 24, "require_rotation": true, "production": true},
		"staging": {"max_rotation_days": 120, "warn_days": 14, "grace_hours": 24, "require_rotation": false, "production": false},
		"dev": {"max_rotation_days": 0, "warn_days": 14, "grace_hours": 24, "require_rotation": false, "production": false},
	},
	"environment_order": ["prod", "live-eu", "staging", "dev"],
	"waivers": [],
}

# good is a prod api credential that resolves cleanly.
good := {
	"secret": "prod/bybit/api",
	"type": "api",
	"fields": ["api_key", "api_secret"],
	"checked": true,
	"readable": true,
	"version_id": "v1",
	"format": "json",
	"empty": false,
	"placeholder": false,
	"missing_fields": [],
	"empty_fields": [],
	"placeholder_fields": [],
	"previous_required": true,
	"has_previous": true,
	"environment": "prod",
	"file": ".secretgate.yml",
	"line": 7,
}

cred(patch) := object.union(good, patch)

in_env(env, patch) := object.union(cred({"secret": sprintf("%s/bybit/api", [env]), "environment": env, "previous_required": env == "prod"}), patch)

findings(cs) := fs if {
	fs := resolve.deny with input as {"now": "2026-11-26T12:00:00Z", "config": config, "credentials": cs}
}

only(cs) := f if {
	fs := findings(cs)
	count(fs) == 1
	some f in fs
}

rules_of(cs) := {f.rule | some f in findings(cs)}

# --- clean ---------------------------------------------------------------------

test_good_credential_has_no_findings if {
	count(findings([good])) == 0
}

test_no_credentials_no_findings if {
	count(findings([])) == 0
}

test_plain_string_without_fields_is_fine if {
	count(findings([cred({"type": "", "fields": [], "format": "string"})])) == 0
}

test_binary_without_fields_is_fine if {
	count(findings([cred({"type": "", "fields": [], "format": "binary"})])) == 0
}

# --- not checked ------------------------------------------------------------------

test_unchecked_credentials_are_not_judged if {
	cs := [cred({"checked": false, "readable": false, "error_class": class, "error": "x"}) |
		some class in ["throttled", "timeout", "unreachable", "service_error"]
	]
	count(findings(cs)) == 0
}

test_unknown_previous_is_not_judged if {
	count(findings([cred({"has_previous": null})])) == 0
}

# --- unreadable and not found ------------------------------------------------------

test_access_denied_is_a_finding if {
	f := only([cred({"readable": false, "error_class": "access_denied", "error": "AccessDeniedException: User: arn:aws:sts::1:assumed-role/ci/x is not authorized"})])
	f.rule == "resolve-unreadable"
	f.severity == "critical"
	f.resource == "prod/bybit/api"
	f.file == ".secretgate.yml"
	f.line == 7
	f.message == "The role cannot read prod/bybit/api, which the application needs: access denied (AccessDeniedException: User: arn:aws:sts::1:assumed-role/ci/x is not authorized)."
}

test_decryption_failure_is_unreadable if {
	f := only([cred({"readable": false, "error_class": "decryption_failed"})])
	f.rule == "resolve-unreadable"
	contains(f.message, "KMS key")
	contains(f.message, "(decryption_failed)")
}

test_unreadable_outside_production_is_high if {
	f := only([in_env("staging", {"readable": false, "error_class": "access_denied", "error": "denied"})])
	f.rule == "resolve-unreadable"
	f.severity == "high"
}

test_not_found if {
	f := only([cred({"readable": false, "error_class": "not_found", "region": "eu-west-1"})])
	f.rule == "resolve-not-found"
	f.severity == "critical"
	f.message == "Credential prod/bybit/api does not exist in eu-west-1."
}

test_scheduled_for_deletion if {
	f := only([in_env("dev", {"readable": false, "error_class": "deleted"})])
	f.rule == "resolve-not-found"
	f.severity == "high"
	f.message == "Credential dev/bybit/api is scheduled for deletion."
}

test_unreadable_credential_gets_no_shape_findings if {
	rules_of([cred({"readable": false, "error_class": "access_denied", "format": "", "has_previous": null, "missing_fields": ["api_key"]})]) == {"resolve-unreadable"}
}

# --- format ----------------------------------------------------------------------

test_invalid_json if {
	f := only([cred({"format": "invalid_json"})])
	f.rule == "resolve-unparsable"
	f.severity == "critical"
	f.message == "Credential prod/bybit/api is not valid JSON: it starts like an object and does not parse; the application needs api_key, api_secret."
}

test_plain_string_where_fields_are_needed if {
	f := only([cred({"format": "string"})])
	f.rule == "resolve-wrong-format"
	f.message == "Credential prod/bybit/api holds a plain string, but the application needs a JSON object with api_key, api_secret."
}

test_binary_where_json_type_is_needed if {
	f := only([cred({"type": "json", "fields": [], "format": "binary"})])
	f.rule == "resolve-wrong-format"
	f.message == "Credential prod/bybit/api holds binary data, but type json needs a JSON object."
}

test_binary_where_string_is_needed if {
	f := only([in_env("staging", {"type": "string", "fields": [], "format": "binary"})])
	f.rule == "resolve-wrong-format"
	f.severity == "high"
	f.message == "Credential staging/bybit/api holds binary data, but type string needs a SecretString."
}

test_json_where_any_value_will_do if {
	count(findings([cred({"type": "", "fields": []})])) == 0
}

# --- fields -----------------------------------------------------------------------

test_missing_fields_one_finding_each if {
	fs := findings([cred({"missing_fields": ["api_key", "api_secret"]})])
	{f.message | some f in fs; f.rule == "resolve-missing-field"} == {
		"Credential prod/bybit/api has no field api_key.",
		"Credential prod/bybit/api has no field api_secret.",
	}
	every f in fs {
		f.severity == "critical"
	}
}

test_missing_field_keys_differ_per_field if {
	fs := findings([cred({"missing_fields": ["api_key", "api_secret"]})])
	{f.key | some f in fs} == {"api_key", "api_secret"}
}

test_empty_field if {
	f := only([in_env("dev", {"empty_fields": ["api_secret"]})])
	f.rule == "resolve-empty-field"
	f.severity == "high"
	f.message == "Credential dev/bybit/api has an empty field api_secret."
	f.key == "api_secret"
}

test_empty_value if {
	f := only([cred({"type": "", "fields": [], "format": "string", "empty": true})])
	f.rule == "resolve-empty-field"
	f.message == "Credential prod/bybit/api is empty."
	f.key == ""
}

test_placeholder_fields_in_prod_are_critical if {
	fs := findings([cred({"placeholder_fields": ["api_key"]})])
	count(fs) == 1
	some f in fs
	f.rule == "resolve-placeholder"
	f.severity == "critical"
	f.message == "Credential prod/bybit/api has a placeholder in field api_key, not a real value."
}

test_placeholder_outside_production_is_medium if {
	f := only([in_env("staging", {"placeholder_fields": ["api_key"]})])
	f.severity == "medium"
}

test_configured_production_environment_ranks_critical if {
	f := only([in_env("live-eu", {"placeholder_fields": ["api_key"], "previous_required": true})])
	f.severity == "critical"
}

test_placeholder_value if {
	f := only([cred({"type": "string", "fields": [], "format": "string", "placeholder": true})])
	f.rule == "resolve-placeholder"
	f.message == "Credential prod/bybit/api is a placeholder, not a real value."
}

test_several_problems_each_reported if {
	rules_of([cred({"missing_fields": ["api_key"], "empty_fields": ["api_secret"], "has_previous": false})]) == {
		"resolve-missing-field", "resolve-empty-field", "resolve-no-previous-version",
	}
}

# --- rollback ---------------------------------------------------------------------

test_prod_without_previous_version if {
	f := only([cred({"has_previous": false})])
	f.rule == "resolve-no-previous-version"
	f.severity == "high"
	f.message == "Credential prod/bybit/api has no AWSPREVIOUS version: a bad rotation could not be rolled back (prod)."
}

test_previous_not_required if {
	count(findings([in_env("dev", {"has_previous": false})])) == 0
}

test_previous_required_outside_production_is_medium if {
	f := only([in_env("staging", {"has_previous": false, "previous_required": true})])
	f.severity == "medium"
}

# --- values never reach Rego --------------------------------------------------------

test_messages_name_secrets_and_fields_only if {
	fs := findings([cred({"missing_fields": ["api_key"], "placeholder_fields": ["api_secret"], "has_previous": false})])
	every f in fs {
		contains(f.message, "prod/bybit/api")
	}
}
