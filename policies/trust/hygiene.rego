# Condition hygiene of OIDC trust statements: condition keys no token of
# the trusted provider carries (a misspelled issuer or claim, another
# provider's keys), and immutable subjects whose ids are wildcards. A key a
# token does not carry is absent from the request: under StringEquals or
# StringLike the condition never matches (nobody can assume the role);
# under ...IfExists or ForAllValues it always matches (the condition does
# nothing). Either way the role is not what its author wrote.
package secretgate.rules.trust.hygiene

import rego.v1

import data.secretgate.lib.trust as lib
import data.secretgate.rules.trust as trustrules

gh := object.get(input, ["config", "github"], {})

iss := lib.issuers(gh)

roles := [r | some r in object.get(input, "roles", []); is_object(r)]

github_claims := lib.github_claims

# Condition key prefixes of AWS's own context keys, never a provider's.
global_prefixes := {"aws", "sts", "iam", "ec2", "s3", "kms", "secretsmanager", "saml", "cognito-identity.amazonaws.com"}

# oidc_statements: Allow statements with a Federated OIDC provider, as
# [role, statement, the provider paths it trusts].
oidc_statements contains [r, s, paths] if {
	some r in roles
	is_object(r.trust)
	some s in lib.arr(r.trust.statement)
	lib.is_allow(s)
	paths := {p |
		some arn in lib.arr(object.get(lib.obj(lib.get(s, "principal")), "Federated", []))
		p := federated_path(arn)
	}
	count(paths) > 0
}

# federated_path(arn): what a Federated principal trusts: an OIDC
# provider's path (token.actions.githubusercontent.com), a SAML provider
# ("saml-provider/okta"), or a web identity provider by name
# (cognito-identity.amazonaws.com, accounts.google.com). None of the last
# two issues a GitHub token, so GitHub's keys on them never match either.
federated_path(arn) := lib.provider_path(arn) if {
	lib.provider_path(arn)
} else := lower(substring(arn, i + 1, -1)) if {
	is_string(arn)
	startswith(arn, "arn:")
	i := indexof(arn, ":saml-provider/")
	i > 0
} else := lower(arn) if {
	is_string(arn)
	not startswith(arn, "arn:")
	arn != ""
}

# keyed[[r, s, paths, op, key, prefix, claim]]: each provider-looking
# condition key of those statements.
keyed contains [r, s, paths, op, key, prefix, claim] if {
	some [r, s, paths] in oidc_statements
	some op, keys in lib.obj(s.condition)
	some key, _ in keys
	[[_, prefix, claim]] := regex.find_all_string_submatch_n(`^(.+):([^:]*)$`, key, 1)
	contains(prefix, ".")
	not prefix in global_prefixes
}

# effect(op): what an absent key does under op.
effect(op) := "does nothing (an absent key satisfies it)" if {
	endswith(op, "IfExists")
} else := "does nothing (an absent key satisfies it)" if {
	startswith(op, "ForAllValues:")
} else := "does nothing by itself" if {
	op == "Null"
} else := "never matches, so no token can assume the role through this statement"

# An absent key that blocks every token breaks the role: low, whatever
# its power. One that makes the condition do nothing widens the role:
# medium, raised by the role's power through the "condition-void" row of
# docs/trust.md's matrix (the scope it then admits is reported by the
# scope rules at their own severity).
severity(op, r) := "low" if {
	effect(op) == "never matches, so no token can assume the role through this statement"
} else := object.get(trustrules.power_severity_of("medium", "medium", "condition-void", trustrules.role_power(r)), "severity", "medium")

# void_power_note(op, r, s): " Any workflow the rest of statement 0
# admits can assume deploy, which has AdministratorAccess." for a
# condition that does nothing on a powerful role, "" otherwise.
void_power_note(op, r, s) := "" if {
	effect(op) == "never matches, so no token can assume the role through this statement"
} else := trustrules.power_note_of(r, trustrules.role_power(r), sprintf("any workflow the rest of statement %d admits", [s.index]))

name_of(role) := role.name if {
	is_string(role.name)
	role.name != ""
} else := object.get(role, "id", "")

line_of(r, s) := object.get(s, "line", object.get(r, "line", 0))

file_of(r, s) := object.get(s, "file", object.get(r.trust, "file", object.get(r, "file", "")))

# nearest(paths, prefix): the trusted provider a misspelled prefix most
# likely meant: the GitHub one when the statement trusts exactly one.
nearest(paths) := p if {
	gp := {q | some q in paths; lib.is_github_issuer(q, iss)}
	count(gp) == 1
	some p in gp
}

# METADATA
# title: OIDC trust condition names a provider the statement does not trust
# description: |
#   A condition key's prefix names the OIDC provider whose token carries
#   the claim. A prefix that is not one of the statement's Federated
#   providers — a misspelled issuer such as
#   token.actions.githubuser.content.com, or GitHub's keys on a GitLab or
#   Cognito provider — is a key no presented token has: the condition
#   either never matches (the role is broken, low) or, with IfExists or
#   ForAllValues, does nothing (the role is wider than written: medium,
#   raised by the role's power through the "condition-void" row of
#   https://github.com/secretgate/secretgate/blob/main/docs/trust.md's matrix).
# custom:
#   id: trust-oidc-condition-provider-mismatch
#   check: trust
#   severity: medium
#   remediation: Write the condition key with the trusted provider's host, e.g. token.actions.githubusercontent.com:sub for GitHub's provider.
deny contains {
	"rule": "trust-oidc-condition-provider-mismatch",
	"resource": name_of(r),
	"message": sprintf("Role %s: condition %s %s names provider %s, which statement %d does not trust (it trusts %s): no presented token carries the key, so the condition %s.%s%s", [name_of(r), op, key, prefix, s.index, concat(", ", sort(paths)), effect(op), suggestion(paths, claim), void_power_note(op, r, s)]),
	"file": file_of(r, s),
	"line": line_of(r, s),
	"key": sprintf("%d|%s|%s", [s.index, op, key]),
	"severity": severity(op, r),
} if {
	some [r, s, paths, op, key, prefix, claim] in keyed
	not prefix in paths
}

suggestion(paths, claim) := sprintf(" Did you mean %s:%s?", [p, claim]) if {
	p := nearest(paths)
} else := ""

# METADATA
# title: OIDC trust condition uses a claim GitHub's tokens do not have
# description: |
#   GitHub's OIDC tokens carry a fixed set of claims (sub, aud, repository,
#   ref, environment, job_workflow_ref, …). A condition on any other claim
#   — a misspelling such as repo_owner or enviroment (the message names the
#   nearest claim: "Did you mean environment?") — is a key no token
#   has: the condition either never matches (the role is broken, low) or,
#   with IfExists or ForAllValues, does nothing (medium, raised by the
#   role's power through the "condition-void" row of
#   https://github.com/secretgate/secretgate/blob/main/docs/trust.md's matrix).
# custom:
#   id: trust-oidc-condition-unknown-claim
#   check: trust
#   severity: medium
#   remediation: Use a claim GitHub issues (https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#understanding-the-oidc-token).
deny contains {
	"rule": "trust-oidc-condition-unknown-claim",
	"resource": name_of(r),
	"message": sprintf("Role %s: condition %s %s uses claim %q, which GitHub's OIDC tokens do not carry, so the condition %s.%s%s", [name_of(r), op, key, claim, effect(op), claim_hint(claim), void_power_note(op, r, s)]),
	"file": file_of(r, s),
	"line": line_of(r, s),
	"key": sprintf("%d|%s|%s", [s.index, op, key]),
	"severity": severity(op, r),
} if {
	some [r, s, paths, op, key, prefix, claim] in keyed
	prefix in paths
	lib.is_github_issuer(prefix, iss)
	not lower(claim) in github_claims
}

# claim_hint(claim): a known claim spelled alike: the same letters
# without separators, else the nearest within two edits (one edit before
# two; alphabetical among equals), else the longest one it starts with or
# that starts with it.
claim_hint(claim) := sprintf(" Did you mean %s?", [k]) if {
	some k in github_claims
	squash(k) == squash(claim)
} else := sprintf(" Did you mean %s?", [k]) if {
	k := lib.nearest_claim(lower(claim))
} else := sprintf(" Did you mean %s?", [k]) if {
	alike := [[count(k), k] |
		some k in github_claims
		prefixed(claim, k)
	]
	count(alike) > 0
	[_, k] := max(alike)
} else := ""

prefixed(a, b) if {
	count(a) >= 4
	startswith(b, a)
}

prefixed(a, b) if {
	count(b) >= 4
	startswith(a, b)
}

squash(s) := replace(replace(lower(s), "_", ""), "-", "")

# METADATA
# title: Immutable OIDC subject with wildcard ids
# description: |
#   The immutable subject format (repo:acme@123/payments@456:…) names an
#   organisation and a repository by their numeric ids, so that a deleted
#   and re-created (or renamed and squatted) organisation or repository of
#   the same name cannot assume the role. A wildcard in place of an id
#   (acme@*, payments@*) matches any id and gives that protection up.
#   Medium, raised by the role's power through the "namesake" row of
#   https://github.com/secretgate/secretgate/blob/main/docs/trust.md's matrix.
# custom:
#   id: trust-oidc-immutable-id-wildcard
#   check: trust
#   severity: medium
#   remediation: Write the organisation's and repository's numeric ids (the repository_owner_id and repository_id claims) instead of the wildcards.
deny contains object.union(
	{
		"rule": "trust-oidc-immutable-id-wildcard",
		"resource": name_of(r),
		"message": sprintf("Role %s: subject %q puts a wildcard where an immutable subject has a numeric id, so any organisation or repository of that name matches — including one re-created after a deletion or rename.%s", [name_of(r), v, trustrules.power_note_of(r, trustrules.role_power(r), "an organisation or repository re-created under that name")]),
		"file": file_of(r, s),
		"line": line_of(r, s),
		"key": sprintf("%d|%s", [s.index, v]),
	},
	trustrules.power_severity_of("medium", "medium", "namesake", trustrules.role_power(r)),
) if {
	some [r, s, paths] in oidc_statements
	some op, keys in lib.obj(s.condition)
	some key, values in keys
	endswith(key, ":sub")
	some v in values
	regex.match(`^repo:[^:/]*@[^:/]*[*?][^:/]*/|^repo:[^:/]*/[^:]*@[^:]*[*?]`, v)
}
