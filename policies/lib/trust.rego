# METADATA
# title: GitHub Actions OIDC trust analysis
# description: |
#   Functions shared by the trust rules and by anything that must explain an
#   AssumeRoleWithWebIdentity decision: IAM's condition semantics over a
#   concrete set of token claims (condition_admits, policy_admits), and a scope
#   analysis that says which organisations, repositories and workflow contexts
#   a trust statement admits (statement_scope, who).
#
#   One package in several files, by concern: trust.rego (accessors,
#   configuration, principals and actions), trust_operators.rego (condition
#   operators), trust_admits.rego (conditions over concrete claims),
#   trust_scope.rego, trust_scope_algebra.rego and trust_statement_scope.rego
#   (scope analysis), trust_classify.rego (classifying scopes, the
#   allowlist), trust_words.rego (plain words), trust_explain.rego
#   (explaining one decision).
package secretgate.lib.trust

import rego.v1

import data.secretgate.lib.iam

default_issuer := "token.actions.githubusercontent.com"

default_audience := "sts.amazonaws.com"

web_identity_action := "sts:AssumeRoleWithWebIdentity"

# ---------------------------------------------------------------------------
# Small helpers: the input is normalised, but user rules and tests pass
# partial objects, so every accessor tolerates null and missing fields.

obj(x) := x if is_object(x)

else := {}

arr(x) := x if is_array(x)

else := [x] if is_string(x)

else := []

get(o, k) := object.get(obj(o), k, null)

str(x) := x if is_string(x)

else := ""

# ---------------------------------------------------------------------------
# Configuration (input.config.github, defaults applied when absent).

issuers(gh) := [normal_issuer(i) | some i in arr(get(gh, "issuers"))] if {
	count(arr(get(gh, "issuers"))) > 0
} else := [default_issuer]

normal_issuer(i) := trim_suffix(trim_prefix(trim_prefix(lower(i), "https://"), "http://"), "/")

audience(gh) := a if {
	a := str(get(gh, "audience"))
	a != ""
} else := default_audience

# ---------------------------------------------------------------------------
# Principals and actions.

# provider_path(arn): the provider part of an IAM OIDC provider ARN,
# lower-cased ("token.actions.githubusercontent.com",
# "token.actions.githubusercontent.com/acme"). CloudFormation's
# "${AWS::AccountId}" and partitions other than aws are accepted.
provider_path(arn) := lower(substring(arn, i + 15, -1)) if {
	is_string(arn)
	startswith(arn, "arn:")
	i := indexof(arn, ":oidc-provider/")
	i > 0
	count(arn) > i + 15
}

# is_github_issuer(path, issuers): path is a configured issuer or an
# enterprise form of one (issuer + "/" + enterprise slug).
is_github_issuer(path, iss) if path in iss

is_github_issuer(path, iss) if {
	some i in iss
	startswith(path, concat("", [i, "/"]))
}

# github_providers(stmt, gh): the set of GitHub provider paths named in the
# statement's Federated principal. The path is also the condition key prefix.
github_providers(stmt, gh) := providers_in(stmt, issuers(gh))

# providers_in(stmt, issuers): github_providers with the issuer list
# already computed (issuers(gh)).
providers_in(stmt, iss) := {p |
	some arn in arr(object.get(obj(get(stmt, "principal")), "Federated", []))
	p := provider_path(arn)
	is_github_issuer(p, iss)
}

federates(stmt, prefix) if {
	some arn in arr(get(get(stmt, "principal"), "Federated"))
	provider_path(arn) == prefix
}

aws_star(stmt) if "*" in arr(get(get(stmt, "principal"), "AWS"))

is_allow(stmt) if lower(str(get(stmt, "effect"))) == "allow"

is_deny(stmt) if lower(str(get(stmt, "effect"))) == "deny"

# allows_web_identity(stmt): Action (or NotAction) covers
# sts:AssumeRoleWithWebIdentity, whatever the effect.
allows_web_identity(stmt) if {
	some a in arr(get(stmt, "action"))
	covers_web_identity(a)
}

covers_web_identity(a) if lower(a) == "sts:assumerolewithwebidentity"

covers_web_identity(a) if {
	iam.has_wildcard(a)
	iam.action_matches(a, web_identity_action)
}

allows_web_identity(stmt) if {
	na := get(stmt, "not_action")
	is_array(na)
	every a in na {
		not iam.action_matches(a, web_identity_action)
	}
}

# broad_actions(stmt): action patterns of the statement that are wildcards
# covering sts:AssumeRoleWithWebIdentity and more ("*", "sts:*",
# "sts:AssumeRole*"); "NotAction" when the statement uses NotAction.
broad_actions(stmt) := {a |
	some a in arr(get(stmt, "action"))
	iam.has_wildcard(a)
	iam.action_matches(a, web_identity_action)
} | {"NotAction" | is_array(get(stmt, "not_action"))}
