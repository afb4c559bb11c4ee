package secretgate.rules.leaks_test

import rego.v1

import data.secretgate.rules.leaks

config := {
	"environments": {
		"prod": {"max_rotation_days": 90, "warn_days": 14, "grace_hours": 24, "require_rotation": true, "production": true},
		"live-eu": {"max_rotation_days": 90, "warn_days": 14, "grace_hours": 24, "require_rotation": true, "production": true},
		"staging": {"max_rotation_days": 120, "warn_days": 14, "grace_hours": 24, "require_rotation": false, "production": false},
	},
	"environment_order": ["prod", "live-eu", "staging"],
	"waivers": [],
}

leak(rule_id, file) := {
	"rule_id": rule_id,
	"description": "desc",
	"redacted": "AKIA…",
	"entropy": 3.7,
	"fingerprint": concat(":", [file, rule_id, "2"]),
	"file": file,
	"line": 2,
}

aws(file) := leak("aws-access-token", file)

findings(ls) := fs if {
	fs := leaks.deny with input as {"now": "2026-11-26T12:00:00Z", "config": config, "leaks": ls}
}

# one(fs, rule) is the only finding of rule in fs.
one(fs, rule) := f if {
	matches := [x | some x in fs; x.rule == rule]
	count(matches) == 1
	f := matches[0]
}

severity_of(l) := one(findings([l]), "leaks-secret").severity

# --- severity -------------------------------------------------------------------

test_aws_key_in_prod_config_is_critical if {
	severity_of(aws("config/prod/app.env")) == "critical"
	severity_of(aws("deploy/.env.production")) == "critical"
	severity_of(aws("helm/values-prod.yaml")) == "critical"
	severity_of(aws("terraform/prod.tfvars")) == "critical"
}

test_configured_production_environment_names_count if {
	severity_of(aws("config/live-eu/app.env")) == "critical"
	severity_of(aws("config/staging/app.env")) == "high"
}

test_prod_is_a_word_not_a_substring if {
	severity_of(aws("src/product/catalog.py")) == "high"
	severity_of(aws("reproduce.sh")) == "high"
}

test_aws_key_elsewhere_is_high if {
	severity_of(aws("src/app.py")) == "high"
}

test_generic_match_in_prod_is_high if {
	severity_of(leak("generic-api-key", "config/prod/app.env")) == "high"
}

test_fixtures_rank_lower if {
	severity_of(aws("testdata/keys.env")) == "medium"
	severity_of(aws("internal/fixtures/prod/app.env")) == "medium"
	severity_of(aws("pkg/client_test.go")) == "medium"
	severity_of(aws("src/__tests__/api.test.js")) == "medium"
	severity_of(leak("generic-api-key", "tests/prod/conf.yaml")) == "low"
	severity_of(leak("slack-webhook-url", "docs/examples/app.env")) == "low"
}

test_file_named_test_dir_is_not_a_test_path if {
	# "test" as the file name itself (not a directory) is no test directory.
	severity_of(aws("config/test")) == "high"
}

test_private_key_in_prod_is_critical if {
	severity_of(leak("private-key", "deploy/prod/tls.key")) == "critical"
}

# --- message, resource, key -------------------------------------------------------

test_message_names_kind_value_place_and_ranking if {
	f := one(findings([aws("config/prod/app.env")]), "leaks-secret")
	f.message == "Possible AWS access key (gitleaks rule aws-access-token): a match AKIA… in config/prod/app.env line 2. Ranked critical: a cloud, code-hosting, payment or signing credential in a production path."
	f.resource == "config/prod/app.env"
	f.file == "config/prod/app.env"
	f.line == 2
	f.key == "config/prod/app.env:aws-access-token:2"
}

test_commit_and_author_in_message if {
	l := object.union(aws("src/app.py"), {"commit": "0123456789abcdef0123456789abcdef01234567", "author": "Carol Leaker"})
	f := one(findings([l]), "leaks-secret")
	f.message == "Possible AWS access key (gitleaks rule aws-access-token): a match AKIA… in src/app.py line 2, added in commit 0123456 by Carol Leaker."
	f.commit == "0123456789abcdef0123456789abcdef01234567"
}

test_commit_without_author if {
	l := object.union(aws("src/app.py"), {"commit": "0123456789abcdef0123456789abcdef01234567"})
	f := one(findings([l]), "leaks-secret")
	contains(f.message, ", added in commit 0123456.")
}

test_unknown_rule_kind if {
	f := one(findings([leak("acme-internal-token", "a.txt")]), "leaks-secret")
	startswith(f.message, "Possible secret (gitleaks rule acme-internal-token): ")
}

test_path_only_rule_has_no_value if {
	l := object.union(leak("pkcs12-file", "certs/prod.p12"), {"redacted": ""})
	f := one(findings([l]), "leaks-secret")
	contains(f.message, "a file whose name gives it away in certs/prod.p12")
}

test_message_in_test_path_explains_ranking if {
	f := one(findings([aws("testdata/keys.env")]), "leaks-secret")
	endswith(f.message, "Ranked lower: it lies in test code, fixtures or examples.")
}

# --- live values ------------------------------------------------------------------

test_live_value_is_critical_and_named if {
	l := object.union(aws("testdata/keys.env"), {"live_secret": "prod/bybit/api", "commit": "0123456789abcdef0123456789abcdef01234567", "author": "Carol Leaker"})
	fs := findings([l])
	f := one(fs, "leaks-live-secret")
	f.message == "This is the live value of prod/bybit/api: a match AKIA… in testdata/keys.env line 2, added in commit 0123456 by Carol Leaker."
	not f.severity # the metadata's critical applies
	f.resource == "testdata/keys.env"
	count([x | some x in fs; x.rule == "leaks-secret"]) == 0
}

test_empty_live_secret_is_no_live_value if {
	l := object.union(aws("src/app.py"), {"live_secret": ""})
	fs := findings([l])
	count([x | some x in fs; x.rule == "leaks-live-secret"]) == 0
	one(fs, "leaks-secret")
}

# --- credential names in the configuration ------------------------------------------

test_credential_name_in_config_is_skipped if {
	l := object.union(leak("generic-api-key", ".secretgate.yml"), {"config_reference": "credential name"})
	count(findings([l])) == 0
}

test_unmarked_match_in_config_is_reported if {
	one(findings([leak("generic-api-key", ".secretgate.yml")]), "leaks-secret")
	one(findings([object.union(leak("generic-api-key", ".secretgate.yml"), {"config_reference": ""})]), "leaks-secret")
}

test_only_the_marked_leak_is_skipped if {
	name := object.union(leak("generic-api-key", ".secretgate.yml"), {"config_reference": "credential name"})
	key := object.union(aws(".secretgate.yml"), {"line": 7, "fingerprint": ".secretgate.yml:aws-access-token:7"})
	f := one(findings([name, key]), "leaks-secret")
	f.line == 7
	f.key == ".secretgate.yml:aws-access-token:7"
}

test_live_value_is_reported_even_when_marked if {
	l := object.union(leak("generic-api-key", ".secretgate.yml"), {"config_reference": "credential name", "live_secret": "dev/canaryph/db"})
	one(findings([l]), "leaks-live-secret")
}

test_no_leaks_no_findings if {
	count(findings([])) == 0
}
