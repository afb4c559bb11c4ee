# Leak rules: what the leak scanner (the gitleaks engine) found in the
# working tree, the staged changes, a range of commits or the history. The
# facts are redacted before Rego sees them (input.leaks[_].redacted holds at
# most four characters); these rules decide severity and say where and who.
#
# Ranking of a leak that is not a live value:
#   critical  a cloud, code-hosting, payment or signing credential in a
#             production path (a path with a production environment's name,
#             or prod/production/prd, as a directory or a part of the name)
#   high      everything else outside test code
#   medium    such a credential in test code, fixtures or examples
#   low       any other match in test code, fixtures or examples
# A leaked value that equals a live secret value is critical wherever it
# lies, and reported by its own rule so that waiving leaks-secret on test
# fixtures never hides it.
#
# A match that is a credential's name in the loaded .secretgate.yml (the
# scanner marks it: input.leaks[_].config_reference, when the file, the
# line of a credential's secret: entry and the matched text all agree) is
# not a leak: the configuration names secrets, it does not hold them. A
# live value is reported all the same.
#
# Every finding's resource is the file path, so a waiver with resource
# "testdata/**" waives the leaks below testdata/. Its key is gitleaks'
# fingerprint (file:rule:line, commit:file:rule:line in commit scopes), the
# form .gitleaksignore uses.
package secretgate.rules.leaks

import rego.v1

import data.secretgate.lib.environments

# METADATA
# title: Leaked value is a live secret
# description: |
#   The leaked string equals the current or previous value of a Secrets
#   Manager secret. Whoever can read the repository, its forks, clones, CI
#   logs or history can use the credential now, with everything it grants.
#   Values are compared in memory, in constant time; neither is stored or
#   printed.
# custom:
#   id: leaks-live-secret
#   check: leaks
#   severity: critical
#   remediation: Rotate now, following https://github.com/secretgate/secretgate/blob/main/docs/runbooks/SECRET_ROTATION.md — stop or pin the consumers, revoke the leaked value at its issuer, cancel what it can do, rotate in Secrets Manager, restart, verify. Then remove the value from the code and read it from Secrets Manager at run time. Deleting the line does not un-leak it (it stays in git history and every clone); rotating does.
deny contains {
	"rule": "leaks-live-secret",
	"resource": l.file,
	"message": concat("", ["This is the live value of ", live, ": ", match_text(l), commit_text(l), "."]),
	"file": l.file,
	"line": l.line,
	"key": l.fingerprint,
	"commit": object.get(l, "commit", ""),
} if {
	some l in input.leaks
	live := live_secret(l)
}

# METADATA
# title: Secret leaked into the repository
# description: |
#   The gitleaks engine found a credential in the code: in the working tree,
#   in staged changes, in a commit of the pull request or in the history. A
#   secret in git is readable by everyone with access to the repository and
#   stays in its history and every clone after the line is deleted.
#   Severity depends on the kind of credential and where it lies: critical
#   for a cloud, code-hosting, payment or signing credential in a production
#   path, high elsewhere, medium or low in test code, fixtures and examples.
#   The name of a credential listed in .secretgate.yml (e.g.
#   dev/canaryph/db, which gitleaks' generic-api-key rule can take for a
#   key) is not reported: it names a secret, it is not one.
# custom:
#   id: leaks-secret
#   check: leaks
#   severity: high
#   remediation: Treat the value as compromised and rotate it (https://github.com/secretgate/secretgate/blob/main/docs/runbooks/SECRET_ROTATION.md), then remove it from the code and read it from Secrets Manager at run time. If it is not a secret (a test fixture, an example), add its fingerprint to .gitleaksignore or waive leaks-secret for the path in .secretgate.yml with a reason and an expiry (in a pull request, through the base branch, whose judge it is), or mark the line with a gitleaks:allow comment (honoured outside pull requests only).
deny contains {
	"rule": "leaks-secret",
	"resource": l.file,
	"message": concat("", ["Possible ", kind_text(l), ": ", match_text(l), commit_text(l), ".", ranking_text(sev)]),
	"file": l.file,
	"line": l.line,
	"key": l.fingerprint,
	"commit": object.get(l, "commit", ""),
	"severity": sev,
} if {
	some l in input.leaks
	not live_secret(l)
	not config_reference(l)
	test := in_test_path(l.file)
	sev := severity(l.rule_id, l.file, test)
}

# config_reference(l) says what l names in the configuration file when the
# scanner found its text to be a credential's name there.
config_reference(l) := r if {
	r := object.get(l, "config_reference", "")
	is_string(r)
	r != ""
}

live_secret(l) := s if {
	s := object.get(l, "live_secret", "")
	is_string(s)
	s != ""
}

# --- severity -----------------------------------------------------------------

# severity ranks a leak of a rule in a file; test says whether the file is
# test code (in_test_path), worked out once per leak.
severity(rule_id, file, test) := "critical" if {
	not test
	high_value(rule_id)
	in_production_path(file)
} else := "medium" if {
	test
	high_value(rule_id)
} else := "low" if {
	test
} else := "high"

ranking_text(sev) := " Ranked critical: a cloud, code-hosting, payment or signing credential in a production path." if {
	sev == "critical"
} else := " Ranked lower: it lies in test code, fixtures or examples." if {
	sev in {"medium", "low"}
} else := ""

# high_value_prefixes start the gitleaks rule ids of credentials that open
# cloud accounts, source code, payments or signatures.
high_value_prefixes := [
	"aws-", "gcp-", "azure-", "alibaba-", "digitalocean-", "heroku-",
	"github-", "gitlab-", "bitbucket-",
	"hashicorp-", "vault-", "doppler-", "pulumi-",
	"stripe-", "square-", "paypal-",
	"private-key", "pkcs12-", "age-secret-key",
]

high_value(rule_id) if strings.any_prefix_match(rule_id, high_value_prefixes)

# Directory names (any level) and file name patterns of test code,
# fixtures and examples.
fixture_dirs := {
	"test", "tests", "testdata", "testing", "__tests__", "e2e",
	"spec", "specs", "fixture", "fixtures", "__fixtures__",
	"mock", "mocks", "__mocks__", "example", "examples", "sample", "samples",
}

fixture_file_pattern := `(^test_|_test\.|\.test\.|\.spec\.|_spec\.|^fake_|^mock_)`

# in_test_path(p) is true when p is test code, fixtures or examples, and
# false otherwise.
default in_test_path(_) := false

in_test_path(p) if {
	parts := split(lower(p), "/")
	some i, d in parts
	i < count(parts) - 1
	d in fixture_dirs
}

in_test_path(p) if {
	parts := split(lower(p), "/")
	regex.match(fixture_file_pattern, parts[count(parts) - 1])
}

# production_names are the names of the configured production
# environments, plus the usual spellings.
production_names := {lower(name) | some name, env in environments.configured; object.get(env, "production", false) == true} | {"prod", "production", "prd"}

# A production path has a production name as a directory or as a part of a
# file name between "/", ".", "-" or "_": config/prod/app.env,
# .env.production, values-prod.yaml, prod.tfvars, config/live-eu/app.env
# (for an environment named live-eu); not src/product/.
in_production_path(p) if {
	words := concat("", ["/", regex.replace(lower(p), `[/._-]+`, "/"), "/"])
	some name in production_words
	contains(words, name)
}

# production_words are the production names as in_production_path looks
# for them, worked out once.
production_words := {sprintf("/%s/", [regex.replace(name, `[/._-]+`, "/")]) | some name in production_names}

# --- message parts ------------------------------------------------------------
#
# Built with concat rather than sprintf, which formats each argument anew:
# this runs once per leak, and a tree may hold hundreds.

kind_text(l) := concat("", [kind, " (gitleaks rule ", l.rule_id, ")"]) if {
	kind := kind_names[l.rule_id]
} else := concat("", ["secret (gitleaks rule ", l.rule_id, ")"])

kind_names := {
	"aws-access-token": "AWS access key",
	"private-key": "private key",
	"generic-api-key": "generic API key or password",
	"github-pat": "GitHub personal access token",
	"github-fine-grained-pat": "GitHub fine-grained token",
	"gitlab-pat": "GitLab personal access token",
	"gcp-api-key": "Google Cloud API key",
	"slack-bot-token": "Slack bot token",
	"stripe-access-token": "Stripe key",
}

match_text(l) := concat("", [value_text(l), " in ", l.file, " line ", format_int(l.line, 10)])

value_text(l) := concat("", ["a match ", l.redacted]) if {
	l.redacted != ""
} else := "a file whose name gives it away"

commit_text(l) := concat("", [", added in commit ", substring(l.commit, 0, 7), " by ", l.author]) if {
	object.get(l, "commit", "") != ""
	object.get(l, "author", "") != ""
} else := concat("", [", added in commit ", substring(l.commit, 0, 7)]) if {
	object.get(l, "commit", "") != ""
} else := ""
