package report

import (
	"fmt"
	"strings"

	"github.com/secretgate/secretgate/internal/result"
)

// The reports the golden files are rendered from. Each is summarised with
// result's own Summarize, as the CLI does, so the tests never hand-write a
// verdict.

const docsBase = "https://github.com/secretgate/secretgate/blob/main/docs/policies.md#"

func summarized(r result.Report, failOn string) result.Report {
	t, err := result.ParseThreshold(failOn)
	if err != nil {
		panic(err)
	}
	r.Summarize(t)
	return r
}

func catalogue(rules ...result.Rule) map[string]result.Rule {
	m := map[string]result.Rule{}
	for _, r := range rules {
		if r.DocsURL == "" {
			r.DocsURL = docsBase + r.ID
		}
		r.Builtin = true
		m[r.ID] = r
	}
	return m
}

// failingReport fails at high: every severity, new and existing findings, a
// live resource without a file, a leak in history, two waived findings, a
// check in error, a skipped one and input problems.
func failingReport() result.Report {
	r := result.Report{
		Schema: result.Schema,
		Tool:   result.Tool{Name: "secretgate", Version: "1.4.0"},
		Context: result.Context{
			Mode:        "pr",
			Repository:  "acme/payments",
			SHA:         "0123456789abcdef0123456789abcdef01234567",
			PullRequest: 7,
			Account:     "123456789012",
			RoleARN:     "arn:aws:iam::123456789012:role/secretgate-ci",
			Regions:     []string{"eu-west-1"},
		},
		Checks: []result.Check{
			{ID: result.CheckNaming, Status: result.StatusFailed, Resources: 4, Unit: result.UnitSecrets, DurationMS: 3},
			{ID: result.CheckRotation, Status: result.StatusFailed, Resources: 4, Unit: result.UnitSecrets, DurationMS: 2},
			{ID: result.CheckIAM, Status: result.StatusError, Error: "AccessDenied: secretgate-ci is not authorized to perform iam:ListRoles", DurationMS: 120},
			{ID: result.CheckTrust, Status: result.StatusFailed, Resources: 2, Unit: result.UnitRoles, DurationMS: 4},
			{ID: result.CheckLeaks, Status: result.StatusFailed, Resources: 31, Unit: result.UnitCommits, DurationMS: 250},
			{ID: result.CheckResolve, Status: result.StatusSkipped, Reason: "offline run"},
			{ID: result.CheckConfig, Status: result.StatusOK, Resources: 1},
		},
		Findings: []result.Finding{
			{
				Rule: "naming-pattern", Check: result.CheckNaming, Severity: result.SeverityMedium,
				Title:       "Secret names follow {environment}/{service}/{secret_type}",
				Message:     `Secret name "Prod/Bybit/API" is not lower-case.`,
				Resource:    "Prod/Bybit/API",
				File:        "infra/cfn/secrets.yaml",
				Line:        12,
				Remediation: "Rename the secret to `prod/bybit/api`.",
				Fingerprint: "3f1c9a0d5e7b2c41", New: true,
			},
			{
				Rule: "trust-oidc-sub-wildcard", Check: result.CheckTrust, Severity: result.SeverityCritical,
				Title:       "OIDC trust pins the subject to this repository",
				Message:     "Any repository in any organisation can assume deploy-prod: the `sub` condition is `*`.",
				Resource:    "arn:aws:iam::123456789012:role/deploy-prod",
				File:        "infra/roles/deploy-prod.trust.json",
				Line:        9,
				Remediation: "Pin `token.actions.githubusercontent.com:sub` to `repo:acme/payments:environment:prod`.",
				Fingerprint: "a1b2c3d4e5f60718", New: true,
			},
			{
				Rule: "leaks-aws-access-key", Check: result.CheckLeaks, Severity: result.SeverityCritical,
				Title:       "No credentials in the repository",
				Message:     "AWS access key AKIA************MPLE committed.",
				Resource:    "AKIA************MPLE",
				File:        "deploy/env.sh",
				Line:        3,
				Commit:      "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
				Remediation: "Deactivate the key in IAM, then remove it from the history.",
				Fingerprint: "0badc0ffee000001", New: true,
			},
			{
				Rule: "trust-oidc-aud-missing", Check: result.CheckTrust, Severity: result.SeverityHigh,
				Title:       "OIDC trust requires aud sts.amazonaws.com",
				Message:     "Role deploy-staging does not require `aud` = `sts.amazonaws.com`.",
				Resource:    "arn:aws:iam::123456789012:role/deploy-staging",
				File:        "infra/cfn/roles.yaml",
				Line:        41,
				Fingerprint: "77aa88bb99cc0011", New: false,
			},
			{
				Rule: "rotation-max-age", Check: result.CheckRotation, Severity: result.SeverityHigh,
				Title:       "Secrets are rotated within their environment's limit",
				Message:     "prod/bybit/api was last rotated 132 days ago (limit 90 days for prod).",
				Resource:    "prod/bybit/api",
				Remediation: "Rotate the secret and enable automatic rotation.",
				Fingerprint: "5555666677778888", New: true,
			},
			{
				Rule: "rotation-due-soon", Check: result.CheckRotation, Severity: result.SeverityLow,
				Title:       "Secrets due for rotation soon",
				Message:     "staging/db/password is due for rotation in 9 days.",
				Resource:    "staging/db/password",
				Fingerprint: "1212343456567878", New: false,
			},
			{
				Rule: "rotation-manual", Check: result.CheckRotation, Severity: result.SeverityInfo,
				Title:       "Manual rotation",
				Message:     "dev/db/password rotates manually (dev has no limit).",
				Resource:    "dev/db/password",
				Fingerprint: "abababababababab", New: true,
			},
			{
				Rule: "rotation-max-age", Check: result.CheckRotation, Severity: result.SeverityHigh,
				Title:        "Secrets are rotated within their environment's limit",
				Message:      "prod/legacy/db was last rotated 400 days ago (limit 90 days for prod).",
				Resource:     "prod/legacy/db",
				Fingerprint:  "cdcdcdcdcdcdcdcd",
				New:          false,
				Waived:       true,
				WaiverReason: "vendor cannot rotate before Q3",
				WaiverOwner:  "payments-team",
			},
			{
				Rule: "naming-pattern", Check: result.CheckNaming, Severity: result.SeverityMedium,
				Title:        "Secret names follow {environment}/{service}/{secret_type}",
				Message:      `Secret name "legacy-db" has no environment segment.`,
				Resource:     "legacy-db",
				File:         "infra/cfn/legacy.yaml",
				Line:         5,
				Fingerprint:  "efefefefefefefef",
				New:          true,
				Waived:       true,
				WaiverReason: "decommissioned in March",
				WaiverOwner:  "platform",
			},
		},
		Inputs: result.Inputs{
			Files: 14,
			Skipped: []result.InputProblem{
				{File: "assets/logo.png", Message: "binary file"},
				{File: "dump/inventory.json", Message: "larger than 10 MiB"},
			},
			Errors: []result.InputProblem{
				{File: "infra/broken.json", Line: 3, Message: "invalid character '}' looking for beginning of object key string"},
			},
		},
		Rules: catalogue(
			result.Rule{ID: "naming-pattern", Check: result.CheckNaming, Severity: result.SeverityMedium,
				Title:       "Secret names follow {environment}/{service}/{secret_type}",
				Description: "Secret names are lower-case `{environment}/{service}/{secret_type}` so policies can tell environments apart.",
				Remediation: "Rename the secret, e.g. `prod/bybit/api`."},
			result.Rule{ID: "trust-oidc-sub-wildcard", Check: result.CheckTrust, Severity: result.SeverityCritical,
				Title:       "OIDC trust pins the subject to this repository",
				Description: "A GitHub OIDC trust policy must pin `sub` to this organisation and repository; a wildcard lets other repositories assume the role.",
				Remediation: "Use `StringEquals` or `StringLike` on `token.actions.githubusercontent.com:sub` with `repo:ORG/REPO:...`."},
			result.Rule{ID: "trust-oidc-aud-missing", Check: result.CheckTrust, Severity: result.SeverityHigh,
				Title:       "OIDC trust requires aud sts.amazonaws.com",
				Description: "Without an `aud` condition, tokens minted for other audiences are accepted.",
				Remediation: "Add `StringEquals` `token.actions.githubusercontent.com:aud` = `sts.amazonaws.com`."},
			result.Rule{ID: "leaks-aws-access-key", Check: result.CheckLeaks, Severity: result.SeverityCritical,
				Title:       "No credentials in the repository",
				Description: "An AWS access key was found in the repository or its history.",
				Remediation: "Deactivate the key, then rewrite the history."},
			result.Rule{ID: "rotation-max-age", Check: result.CheckRotation, Severity: result.SeverityHigh,
				Title:       "Secrets are rotated within their environment's limit",
				Description: "prod secrets rotate at least every 90 days, staging every 120.",
				Remediation: "Rotate the secret and enable automatic rotation."},
			result.Rule{ID: "rotation-due-soon", Check: result.CheckRotation, Severity: result.SeverityLow,
				Title:       "Secrets due for rotation soon",
				Description: "The secret reaches its rotation limit within the warning period.",
				Remediation: "Rotate the secret before the limit."},
			// rotation-manual is missing on purpose: a user rule without
			// METADATA must still render.
		),
	}
	return summarized(r, "high")
}

// cleanReport passes: every check ok but one skipped, no findings at all.
func cleanReport() result.Report {
	r := result.Report{
		Schema:  result.Schema,
		Tool:    result.Tool{Name: "secretgate", Version: "1.4.0"},
		Context: result.Context{Mode: "local", Repository: "acme/payments", SHA: "fedcba9876543210fedcba9876543210fedcba98"},
		Checks: []result.Check{
			{ID: result.CheckNaming, Status: result.StatusOK, Resources: 3, Unit: result.UnitSecrets},
			{ID: result.CheckRotation, Status: result.StatusOK, Resources: 3, Unit: result.UnitSecrets},
			{ID: result.CheckIAM, Status: result.StatusOK, Resources: 2, Unit: result.UnitPolicies},
			{ID: result.CheckTrust, Status: result.StatusOK, Resources: 2, Unit: result.UnitRoles},
			{ID: result.CheckLeaks, Status: result.StatusOK, Resources: 18, Unit: result.UnitFiles},
			{ID: result.CheckResolve, Status: result.StatusNoInput, Reason: "no credentials configured"},
			{ID: result.CheckConfig, Status: result.StatusOK},
		},
		Inputs: result.Inputs{Files: 6},
	}
	return summarized(r, "high")
}

// Hostile values: what a pull request author controls (file names, and
// through them messages and resources) trying to break the Markdown,
// mention people, inject HTML or terminal escapes, or reorder text.
const (
	hostileFile     = "infra/\u202ewe\u200b|rd `name` <script>alert(1)</script> @acme/security-team\n<!-- x -->\ufeff.json\u2060"
	hostileMessage  = "Role trusts `repo:*` | see <!-- hidden --> @acme/admins & <img src=x onerror=alert(1)>\nsecond line $x^2$ [click](javascript:alert(1)) ~~strike~~ \x1b[31mred\x1b[0m \u202eevil \u2066iso\u2069 zw\u200cj\u200dx"
	hostileResource = "arn:aws:iam::123456789012:role/``x``|<b>y</b>"
)

func hostileReport() result.Report {
	long := strings.Repeat("very-long-directory-name/", 40) + "policy.json"
	r := result.Report{
		Schema:  result.Schema,
		Tool:    result.Tool{Name: "secretgate", Version: "0.0.0-dev"},
		Context: result.Context{Mode: "pr", Repository: "acme/payments", SHA: "abc`def|<x>@acme/all"},
		Checks: []result.Check{
			{ID: result.CheckTrust, Status: result.StatusFailed, Resources: 2},
			{ID: result.CheckIAM, Status: result.StatusError, Error: "timeout | <i>x</i> @acme/ops\nretry later"},
			{ID: result.CheckResolve, Status: result.StatusSkipped, Reason: "`offline` <!-- run -->"},
		},
		Findings: []result.Finding{
			{
				Rule: "trust-oidc-sub-wildcard", Check: result.CheckTrust, Severity: result.SeverityHigh,
				Title:       "OIDC trust pins the subject",
				Message:     hostileMessage,
				Resource:    hostileResource,
				File:        hostileFile,
				Line:        2,
				Remediation: "Run `aws iam update-assume-role-policy --role-name x` then ping @octocat",
				Fingerprint: "fp-hostile-1", New: true,
			},
			{
				Rule: "custom|rule`x`", Check: result.CheckTrust, Severity: result.SeverityMedium,
				Title:       "<b>custom</b> rule @acme/x",
				Message:     "```\ncode fence\n```\n# heading\n- list\n> quote",
				Resource:    "@acme/payments-admins",
				File:        long,
				Line:        1,
				Fingerprint: "fp-hostile-2", New: true,
			},
			{
				Rule: "trust-oidc-sub-wildcard", Check: result.CheckTrust, Severity: result.SeverityLow,
				Title:        "OIDC trust pins the subject",
				Message:      "waived <b>one</b>",
				Resource:     "role/x",
				Fingerprint:  "fp-hostile-3",
				Waived:       true,
				WaiverReason: "ok @acme/leads <b>bold</b>\nnext | cell",
				WaiverOwner:  "@acme/payments",
			},
		},
		Inputs: result.Inputs{
			Files: 3,
			Errors: []result.InputProblem{
				{File: "bad|file`.json", Line: 1, Message: "unexpected <EOF> @here"},
			},
		},
		Rules: map[string]result.Rule{
			"trust-oidc-sub-wildcard": {
				ID: "trust-oidc-sub-wildcard", Check: result.CheckTrust, Severity: result.SeverityHigh,
				Title:       "OIDC trust pins the subject",
				Description: "Pins `sub`.",
				Remediation: "Pin it.",
				DocsURL:     "https://example.com/docs/a b(c)|d<e>",
			},
			"custom|rule`x`": {
				ID: "custom|rule`x`", Check: result.CheckTrust, Severity: result.SeverityMedium,
				Title:       "<b>custom</b> rule @acme/x",
				Description: "custom <script>x</script>",
				DocsURL:     "javascript:alert(1)",
			},
		},
	}
	return summarized(r, "high")
}

// manyFindings builds n findings cycling through every severity, with
// some existing and some waived ones, for the trimming tests.
func manyFindings(n int) result.Report {
	r := result.Report{
		Schema:  result.Schema,
		Tool:    result.Tool{Name: "secretgate", Version: "1.4.0"},
		Context: result.Context{Mode: "pr"},
		Checks:  []result.Check{{ID: result.CheckLeaks, Status: result.StatusFailed, Resources: n}},
	}
	for i := range n {
		sev := result.Severity(i % 5)
		r.Findings = append(r.Findings, result.Finding{
			Rule:        fmt.Sprintf("leaks-rule-%d", i%7),
			Check:       result.CheckLeaks,
			Severity:    sev,
			Title:       "No credentials in the repository",
			Message:     fmt.Sprintf("Finding %d: a %s credential-shaped value in a generated file, redacted as AKIA************%04d.", i, sev, i%10000),
			Resource:    fmt.Sprintf("AKIA************%04d", i%10000),
			File:        fmt.Sprintf("services/svc-%03d/config/settings-%d.env", i%500, i),
			Line:        i%300 + 1,
			Remediation: "Remove the value and rotate it.",
			Fingerprint: fmt.Sprintf("fp-%08d", i),
			New:         i%3 != 0,
			Waived:      i%11 == 0,
		})
	}
	return summarized(r, "high")
}
