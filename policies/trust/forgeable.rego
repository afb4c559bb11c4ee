# Subjects any organisation can mint. GitHub lets every organisation (and
# repository) choose the claims of its OIDC subject. A subject whose first
# claim is free text the workflow's author writes — the workflow's name —
# swallows the rest: an attacker sets their own template to ["workflow"]
# and names a workflow "github-actions:repo:acme/app:ref:refs/heads/main",
# and their token's sub is "workflow:github-actions:repo:acme/app:…",
# whatever the victim pinned after it.
package secretgate.rules.trust.forgeable

import rego.v1

import data.secretgate.lib.trust as lib
import data.secretgate.rules.trust as trustrules

gh := object.get(input, ["config", "github"], {})

iss := lib.issuers(gh)

# Indexed as the trust rules index them (trustrules.roles), so that
# trustrules.statement_broken can be asked about a statement.
roles := trustrules.roles

# Claims whose value no other organisation can choose: a condition on one
# of them next to the subject pins the repository whatever the template.
pinning_claims := {"repository_owner_id", "repository_id", "repository_owner", "repository"}

# Claims whose value the workflow's author writes freely (colons included).
free_text_claims := {"workflow"}

# METADATA
# title: OIDC subject any organisation can mint
# description: |
#   The subject starts with a claim whose value is free text chosen in the
#   workflow (its name). GitHub lets any organisation set its own subject
#   template, so an attacker's workflow named to spell the rest of the
#   pinned subject gets a token with exactly that subject. Checkov's own
#   fixtures flag this pattern as abusable. Pin the repository with a claim
#   no other organisation can choose. Critical, like every exposure to any
#   organisation (https://github.com/secretgate/secretgate/blob/main/docs/trust.md,
#   "Severity by blast radius"); low when the statement admits no token at
#   all (a broken role).
# custom:
#   id: trust-oidc-forgeable-subject
#   check: trust
#   severity: critical
#   remediation: 'Add "StringEquals": {"token.actions.githubusercontent.com:repository_owner_id": "<your organisation''s id>"} (or repository_id) to the statement, or use a subject template that starts with repo.'
deny contains object.union(
	{
		"rule": "trust-oidc-forgeable-subject",
		"resource": name_of(r),
		"message": sprintf("Role %s can be assumed by any organisation: statement %d pins sub to %q, whose first claim (%s) is free text a workflow's author writes; any organisation can set its subject template to start with it and name a workflow to spell the rest.%s", [name_of(r), object.get(s, "index", si), v, first, power_note(ri, si, r)]),
		"file": object.get(s, "file", object.get(r.trust, "file", object.get(r, "file", ""))),
		"line": object.get(s, "line", object.get(r, "line", 0)),
		"key": sprintf("%d|%s", [object.get(s, "index", si), v]),
	},
	severity(ri, si, r),
) if {
	some ri, r in roles
	is_object(r)
	is_object(r.trust)
	some si, s in lib.arr(r.trust.statement)
	lib.is_allow(s)
	some prefix in lib.github_providers(s, gh)
	some op, keys in lib.obj(s.condition)
	not startswith(lower(op), "stringnot")
	some key, values in keys
	key == concat(":", [prefix, "sub"])
	some v in values
	first := split(v, ":")[0]
	first in free_text_claims
	not pinned(s, prefix)
}

# severity(ri, si, r): critical (any organisation, whatever the power:
# the "any organisation" row of the power matrix), low when the statement
# admits nobody.
severity(ri, si, r) := {"severity": "low"} if {
	trustrules.statement_broken(ri, si)
} else := trustrules.power_severity_of("critical", "critical", "any-org", trustrules.role_power(r))

# power_note(ri, si, r): " Any organisation can assume deploy, which has
# AdministratorAccess." for a powerful role that is not broken.
power_note(ri, si, r) := "" if {
	trustrules.statement_broken(ri, si)
} else := trustrules.power_note_of(r, trustrules.role_power(r), "any organisation")

# pinned: a positive condition on a claim no other organisation chooses.
# These claims are in every token, so ...IfExists and ForAllValues pin them
# too.
pinned(s, prefix) if {
	some op, keys in lib.obj(s.condition)
	not contains(lower(op), "not")
	some key, _ in keys
	some c in pinning_claims
	key == concat(":", [prefix, c])
}

name_of(role) := role.name if {
	is_string(role.name)
	role.name != ""
} else := object.get(role, "id", "")
