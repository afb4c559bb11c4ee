# Trust-policy rules: who can assume each role. GitHub Actions OIDC trust is
# judged per Allow statement and per GitHub provider in its Federated
# principal, with IAM's real condition semantics (data.secretgate.lib.trust).
# Every finding starts with "Role X can be assumed by <who>.", where <who> is
# the plain-words union over all the role's GitHub statements.
#
# Identity findings are exclusive per statement, most severe first: a
# statement that admits any organisation reports only that; otherwise each
# admitted scope is reported once, as an unlisted repository, a whole
# organisation, or (production roles) pull requests / an unpinned context.
package secretgate.rules.trust

import rego.v1

import data.secretgate.lib.iam as iamlib
import data.secretgate.lib.power
import data.secretgate.lib.trust as lib

gh := object.get(input, ["config", "github"], {})

audience := lib.audience(gh)

allow := lib.allowlist(gh)

iss := lib.issuers(gh)

# statements_of(role): the trust statements of a role ([] without trust).
statements_of(role) := role.trust.statement if is_array(role.trust.statement)

else := []

roles := lib.arr(input.roles)

# Complete documents throughout: a lookup such as cores[k] in a partial rule
# would be evaluated again on every reference. The work is arranged for
# inventories with many roles: the analysis of a trust condition is computed
# once per distinct condition (cores), and the rules below only look at the
# statements that can produce a finding (analyses).

# role_statements[ri]: the Allow statements of role ri that can grant
# sts:AssumeRoleWithWebIdentity, once per GitHub provider they trust:
# [{"si": statement position, "prefix": provider path, "key": core key,
#   "broad": wildcard actions}].
role_statements := {ri: [{"si": si, "prefix": prefix, "key": core_key(role, st, prefix), "broad": lib.broad_actions(st)} |
	some si, st in statements_of(role)
	some prefix in lib.providers_in(st, iss)
	web_identity_statement(st)
] |
	some ri, role in roles
}

# analyses: the entries of role_statements that can produce a finding, with
# the core analysis, the role, the statement, "prod_env" (the role's
# environment when it is a production one, else ""), "power" (what the role
# can do, lib.power), "sensitive" (a production or powerful role: pull
# requests and unpinned branches are findings) and "who": the plain words
# for everyone who can assume the role (over all its statements).
analyses := [object.union(c, {
	"ri": ri,
	"role": role,
	"stmt": st,
	"idx": object.get(st, "index", s.si),
	"prefix": s.prefix,
	"prod_env": env,
	"power": pw,
	"powerful": power.powerful(pw),
	"sensitive": sensitive,
	"unknown_power": unknown_power(env, pw),
	"broad": s.broad,
	"who": role_who(ri),
}) |
	some ri, list in role_statements
	some s in list
	c := cores[s.key]
	env := object.get(production_envs, ri, "")
	pw := powers[ri]
	sensitive := is_sensitive(env, pw)
	worth_a_look(c, judged(sensitive, unknown_power(env, pw)), s.broad, pw)
	role := roles[ri]
	st := role.trust.statement[s.si]
]

# unknown_power(env, pw): a role of no production environment whose power
# is unknown (an attached managed policy secretgate cannot read). Failing
# closed, the pull-request and unpinned rules judge it like a sensitive
# role, at medium (power_cell); the other rules leave it alone.
unknown_power(env, pw) if {
	env == ""
	pw.class == "unknown"
} else := false

judged(sensitive, unknown) if sensitive

else := unknown

# judged_here(a): the pull-request and unpinned rules judge the analysis a.
judged_here(a) := judged(a.sensitive, a.unknown_power)

is_sensitive(env, pw) if env != ""

else if power.powerful(pw)

else := false

worth_a_look(c, sensitive, broad, pw) if c.flagged

else if {
	sensitive
	c.prod_flagged
} else if {
	c.sim_any
	count(object.get(c.sim, kind_of(sensitive), [])) > 0
} else if {
	power.powerful(pw)
	c.usable
	count(c.aud) == 0
} else := count(broad) > 0

# --- power: what each role with a GitHub statement can do ----------------------

# policy_list, policies_by_id, policies_by_role: the input's policies, by
# id and by the ids of the roles they name in role_ids; role_policies(role):
# the policies in effect for a role (its policy_ids and the policies that
# name it), each once.
policy_list := lib.arr(object.get(input, "policies", []))

policies_by_id := {id: [p | some p in policy_list; p.id == id] | some q in policy_list; id := q.id}

# Built from [role id, policy index] pairs, so that the inner comprehension
# is indexed on the role id (linear, not quadratic, in the policies). The
# keys come from the set of role ids: a key produced again (a role named by
# two policies) makes OPA rehash the whole object, quadratic in the roles.
policy_role_pairs := [[rid, i] |
	some i, p in policy_list
	some rid in lib.arr(object.get(p, "role_ids", []))
]

policies_by_role := {rid: [policy_list[i] | some [r, i] in policy_role_pairs; r == rid] |
	some rid in {r | some [r, _] in policy_role_pairs}
}

role_policies(role) := [p |
	ids := {id | some id in lib.arr(object.get(role, "policy_ids", []))}
	named := [q | some id in ids; some q in object.get(policies_by_id, id, [])]
	naming := [q | some q in object.get(policies_by_role, object.get(role, "id", ""), []); not q.id in ids]
	some p in array.concat(named, naming)
]

# powers[ri]: the power of each role with a GitHub statement; the power of
# each distinct permission statement is computed once (statement_powers).
powers := {ri: power.role_power_from(roles[ri], role_policies(roles[ri]), statement_powers) | some ri, _ in role_statements}

statement_powers := {k: power.statement_power(k) |
	some k in {power.statement_key(st) |
		some ri, _ in role_statements
		some p in role_policies(roles[ri])
		some st in lib.arr(object.get(p, ["document", "statement"], []))
	}
}

web_identity_statement(st) if {
	lib.is_allow(st)
	lib.allows_web_identity(st)
}

# The analysis depends only on the condition, the provider and the Deny
# statements of the document; inventories hold many roles with identical
# trust, so it is computed once per distinct key.
core_key(role, st, prefix) := {
	"condition": object.get(st, "condition", null),
	"prefix": prefix,
	"denies": lib.deny_constraints(role.trust, prefix),
}

core_keys := {s.key | some list in role_statements; some s in list}

cores := {k: core(k) | some k in core_keys}

core(k) := object.union(base, {
	"flagged": flagged(base),
	"prod_flagged": prod_flagged(base),
	"sim": sim,
	"sim_any": count(sim) > 0,
}) if {
	sc := lib.condition_scope(k.condition, k.prefix, k.denies)
	infos := [{"t": t, "unlisted": lib.unlisted(t, allow)} | some t in sc.tuples]
	listed := [i.t | some i in infos; not i.t.org.any; count(i.unlisted) == 0]
	base := {
		"scope": sc,
		"usable": sc.nobody == false,
		# tuples that admit any organisation
		"any_org": [t | some t in sc.tuples; t.org.any],
		# labels of admitted organisations/repositories the allowlist lacks
		"unlisted": union({i.unlisted | some i in infos}),
		# allow-listed organisations trusted as a whole
		"whole_org": [t | some t in listed; t.repo.any],
		# ... of which those not in github.organizations (owners of listed
		# repositories only), a finding whatever the role
		"whole_org_open": [t | some t in listed; t.repo.any; not organizations_list(t)],
		# allow-listed, repository-pinned tuples
		"repo_tuples": [t | some t in listed; not t.repo.any],
		"aud": [c | some c in sc.active; c.claim == "aud"],
		"literal_wildcards": lib.literal_wildcards_of(sc.constraints),
		"malformed": lib.malformed_subjects_of(sc.constraints),
		"holes": [object.union(c, {"kind": kind, "pinned": pinned_claim(sc, c.claim)}) |
			some c in sc.constraints
			kind := lib.hole_kind(c.info)
		],
	}
	sim := core_sim(k, base)
}

# flagged(c): some finding that does not depend on the role applies.
flagged(c) if {
	c.usable
	role_independent_finding(c)
} else if {
	some h in c.holes
	reportable_hole(h)
} else if {
	count(c.literal_wildcards) > 0
} else if {
	count(c.malformed) > 0
} else if {
	# nobody can assume through it: trust-oidc-unassumable
	c.usable == false
} else := false

role_independent_finding(c) if not c.scope.sub_conditioned

else if count(c.any_org) > 0

else if count(c.unlisted) > 0

else if count(c.whole_org_open) > 0

else if not aud_pinned(c.aud)

else := false

# prod_flagged(c): a production or powerful role with this trust has a
# finding.
prod_flagged(c) if {
	c.usable
	count(c.any_org) == 0
	some t in c.repo_tuples
	not lib.context_pinned(t)
} else if {
	c.usable
	count(c.any_org) == 0
	count(c.whole_org) > 0
} else := false

# organizations_list(t): github.organizations lists every organisation of
# tuple t, whose every repository may then assume roles (docs/configuration.md).
organizations_list(t) if {
	count(t.org.atoms) > 0
	every a in t.org.atoms {
		organization_listed(a)
	}
}

organization_listed(a) if {
	a.name != null
	some o in object.get(allow.orgs_by_name, lower(a.name), [])
	lib.compatible(a, o)
}

organization_listed(a) if {
	a.name == null
	some o in allow.orgs
	lib.compatible(a, o)
}

# production_envs[ri]: the environment of role ri when it is a production one.
production_envs := {ri: env |
	some ri, role in roles
	env := role.environment
	is_string(env)
	env != ""
	input.config.environments[env].production == true
}

public_statement(st) if {
	"*" in object.get(st, ["principal", "AWS"], [])
	lib.is_allow(st)
	not identifying_condition(st)
}

public_statement(st) if {
	object.get(st, "not_principal", null) != null
	lib.is_allow(st)
}

# public_statements: [role index, statement index] of statements that let
# anyone assume the role; public_roles: their roles.
public_statements := {[ri, si] |
	some ri, role in roles
	some si, st in statements_of(role)
	public_statement(st)
}

public_roles := {ri | some [ri, _] in public_statements}

# role_who(ri): plain words for everyone who can assume role ri.
role_who(ri) := "anyone (any AWS principal in any account)" if ri in public_roles

else := say_who(cores[list[0].key].scope.tuples) if {
	list := role_statements[ri]
	count(list) == 1
} else := say_who(union({cores[s.key].scope.tuples | some s in role_statements[ri]}))

# Other kinds of principal (accounts, services) are not described here, so
# an empty GitHub audience is not "nobody".
say_who(ts) := "no GitHub Actions workflow" if count(ts) == 0

else := lib.who(ts)

name_of(role) := role.name if {
	is_string(role.name)
	role.name != ""
} else := object.get(role, "id", "")

stmt_label(a) := sprintf("%d (%s)", [a.idx, a.stmt.sid]) if {
	is_string(a.stmt.sid)
	a.stmt.sid != ""
} else := sprintf("%d", [a.idx])

file_of(role, st) := st.file if {
	is_string(st.file)
	st.file != ""
} else := object.get(role, "file", "")

line_of(role, st) := st.line if {
	is_number(st.line)
	st.line > 0
} else := object.get(role, "line", 0)

stmt_key(a) := sprintf("statement %d %s", [a.idx, a.prefix])

opener(a) := sprintf("Role %s can be assumed by %s.", [name_of(a.role), a.who])

quoted(vals) := concat(", ", [sprintf("%q", [v]) | some v in vals])

evidence(cs) := concat("; ", [sprintf("%s %s", [c.op, quoted(c.values)]) | some c in cs])

# --- severity by blast radius ----------------------------------------------------
#
# A finding's severity is the higher of what the environment rules give
# (production roles rank higher) and power_severity[exposure][power class]:
# who can assume the role combined with what it can do. Power only raises a
# severity. docs/trust.md has the same matrix; change both together.

severity_rank := {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

power_severity := {
	"any-org": {"admin": "critical", "privilege-escalation": "critical", "secret-write": "critical", "prod-secret-read": "critical"},
	"unlisted": {"admin": "critical", "privilege-escalation": "critical", "secret-write": "high", "prod-secret-read": "high"},
	"whole-org": {"admin": "critical", "privilege-escalation": "critical", "secret-write": "high", "prod-secret-read": "high"},
	"pull-request": {"admin": "critical", "privilege-escalation": "critical", "secret-write": "high", "prod-secret-read": "high"},
	"any-branch": {"admin": "high", "privilege-escalation": "high", "secret-write": "medium", "prod-secret-read": "medium"},
	"aud-missing": {"admin": "high", "privilege-escalation": "high", "secret-write": "high", "prod-secret-read": "high"},
	"condition-void": {"admin": "high", "privilege-escalation": "high", "secret-write": "high", "prod-secret-read": "high"},
	"namesake": {"admin": "high", "privilege-escalation": "high", "secret-write": "medium", "prod-secret-read": "medium"},
}

# role_power(role): the power of any role, for the rules of other trust
# packages (forgeable, hygiene), whose roles need not have a GitHub
# statement (powers has only those).
role_power(role) := power.role_power(role, role_policies(role))

# statement_broken(ri, si): statement si of role ri admits no token at all
# (the scope analysis's "nobody"): a finding on it is about a broken role,
# low, whatever the role's power.
statement_broken(ri, si) if {
	some e in role_statements[ri]
	e.si == si
	cores[e.key].usable == false
}

# power_severity_of(dflt, base, exposure, pw): severity_field for a power
# pw outside an analysis.
power_severity_of(dflt, base, exposure, pw) := severity_field(dflt, base, exposure, {"power": pw})

# power_note_of(role, pw, who): power_note outside an analysis.
power_note_of(role, pw, who) := power_note({"role": role, "power": pw, "powerful": power.powerful(pw)}, who)

# severity_field(dflt, base, exposure, a): the finding's "severity"
# field: the higher of base (the environment rules) and the power matrix's
# cell, {} when that is dflt, the rule's default.
severity_field(dflt, base, exposure, a) := field(dflt, higher(base, cell)) if {
	cell := power_cell(exposure, a)
}

# power_cell(exposure, a): the matrix's cell; a non-production role of
# unknown power is medium when pull requests, any environment or any branch
# can assume it (unknown_power).
power_cell(exposure, a) := "medium" if {
	exposure in {"pull-request", "any-branch"}
	object.get(a, "unknown_power", false)
} else := object.get(power_severity[exposure], a.power.class, "info")

field(dflt, s) := {} if s == dflt

else := {"severity": s}

higher(x, y) := x if severity_rank[x] >= severity_rank[y]

else := y

# power_note(a, who): " Any pull request of acme/app can assume deploy,
# which has AdministratorAccess." for a powerful role, "" otherwise.
power_note(a, who) := sprintf(" %s can assume %s, %s.", [capitalised(who), name_of(a.role), power.words(a.power)]) if a.powerful

else := sprintf(" %s can assume %s, whose power is unknown: %s.", [capitalised(who), name_of(a.role), unknown_words(a.power)]) if {
	object.get(a, "unknown_power", false)
}

else := ""

unknown_words(pw) := sprintf("managed policy %s is neither in the repository nor in secretgate's table of AWS managed policies", [pw.policy]) if pw.policy

else := pw.via

capitalised(s) := concat("", [upper(substring(s, 0, 1)), substring(s, 1, -1)])

# METADATA
# title: GitHub OIDC trust without a sub condition
# description: |
#   Without a condition on the token's sub claim, every GitHub Actions
#   workflow of every repository in every organisation can obtain the role's
#   credentials: anyone can create a repository and run a workflow. When
#   other claims (repository, repository_owner_id, ...) pin the workflow
#   instead, the finding is low: tools that read sub, AWS's own check among
#   them, do not see the restriction.
# custom:
#   id: trust-oidc-sub-missing
#   check: trust
#   severity: critical
#   remediation: 'Add "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:<org>/<repo>:ref:refs/heads/main"} (or :environment:<name>) to the statement, next to the aud condition.'
deny contains object.union(
	{
		"rule": "trust-oidc-sub-missing",
		"resource": name_of(a.role),
		"message": sprintf("%s %s%s", [opener(a), sub_missing_detail(a), sub_missing_power(a)]),
		"file": file_of(a.role, a.stmt),
		"line": line_of(a.role, a.stmt),
		"key": stmt_key(a),
	},
	sub_missing_severity(a),
) if {
	some a in analyses
	a.usable
	not a.scope.sub_conditioned
}

sub_missing_detail(a) := sprintf("Statement %s trusts GitHub's OIDC provider %s with no condition on %s:sub, so a workflow in any repository can obtain the role's credentials.", [stmt_label(a), a.prefix, a.prefix]) if {
	count(a.any_org) > 0
} else := sprintf("Statement %s has no condition on %s:sub; only other claims pin the workflow, which tools that read sub (AWS's own check among them) do not see.", [stmt_label(a), a.prefix])

sub_missing_power(a) := power_note(a, "any repository in any organisation") if count(a.any_org) > 0

else := ""

sub_missing_severity(a) := {} if count(a.any_org) > 0

else := {"severity": "low"}

# METADATA
# title: GitHub OIDC trust admits any organisation
# description: |
#   The sub condition does not pin a GitHub organisation (a wildcard in the
#   organisation part, a "*" among the values, or an operator that does not
#   constrain). Anyone can create an organisation and repository whose
#   workflow tokens match, and assume the role.
# custom:
#   id: trust-oidc-any-org
#   check: trust
#   severity: critical
#   remediation: 'Pin the organisation and repository literally: "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:<org>/<repo>:ref:refs/heads/main"}. Remove "*" values and wildcards before the first "/".'
deny contains {
	"rule": "trust-oidc-any-org",
	"resource": name_of(a.role),
	"message": sprintf("%s The conditions on sub in statement %s (%s) do not pin an organisation: anyone can create a repository whose workflows match.%s", [opener(a), stmt_label(a), evidence(sub_conditions(a)), power_note(a, "any repository in any organisation")]),
	"file": file_of(a.role, a.stmt),
	"line": line_of(a.role, a.stmt),
	"key": stmt_key(a),
} if {
	some a in analyses
	a.usable
	a.scope.sub_conditioned
	count(a.any_org) > 0
}

sub_conditions(a) := [c | some c in a.scope.constraints; c.claim == "sub"]

# METADATA
# title: GitHub OIDC trust admits a repository that is not allowed
# description: |
#   The role trusts workflows of an organisation or repository that the
#   configuration does not list under github.repositories or
#   github.organizations: often a copy-paste from another project, a typo,
#   or a vendor nobody reviewed.
# custom:
#   id: trust-oidc-untrusted-repo
#   check: trust
#   severity: high
#   remediation: Change the sub condition to one of the repositories in github.repositories, or add the repository to .secretgate.yml if it really must assume the role.
deny contains object.union(
	{
		"rule": "trust-oidc-untrusted-repo",
		"resource": name_of(a.role),
		"message": sprintf("%s Statement %s trusts %s, which github.repositories and github.organizations do not list.%s", [opener(a), stmt_label(a), concat(" and ", labels), power_note(a, sprintf("a workflow of %s", [concat(" or ", labels)]))]),
		"file": file_of(a.role, a.stmt),
		"line": line_of(a.role, a.stmt),
		"key": stmt_key(a),
	},
	severity_field("high", "high", "unlisted", a),
) if {
	some a in analyses
	a.usable
	count(a.any_org) == 0
	labels := a.unlisted
	count(labels) > 0
}

# METADATA
# title: GitHub OIDC trust admits a whole organisation
# description: |
#   A sub like "repo:acme/*" pins the organisation but not the repository:
#   every repository of the organisation, including ones created tomorrow and
#   those with weaker review rules, can assume the role. Critical for
#   production roles. An organisation listed in github.organizations may
#   assume roles with every repository: then only production and powerful
#   roles are reported.
# custom:
#   id: trust-oidc-whole-org
#   check: trust
#   severity: high
#   remediation: 'Name the repository: "repo:<org>/<repo>:..." instead of "repo:<org>/*". To share a role between repositories, list each one as a value of the sub condition.'
deny contains object.union(
	{
		"rule": "trust-oidc-whole-org",
		"resource": name_of(a.role),
		"message": sprintf("%s Statement %s pins the organisation but not the repository: every repository in it, including new ones, can obtain the role's credentials.%s%s", [opener(a), stmt_label(a), prod_note(a), power_note(a, sprintf("any repository of %s", [orgs_text(a.whole_org)]))]),
		"file": file_of(a.role, a.stmt),
		"line": line_of(a.role, a.stmt),
		"key": stmt_key(a),
	},
	severity_field("high", prod_base(a, "high"), "whole-org", a),
) if {
	some a in analyses
	a.usable
	count(a.any_org) == 0
	count(a.whole_org) > 0
	whole_org_reported(a)
}

whole_org_reported(a) if a.sensitive

whole_org_reported(a) if count(a.whole_org_open) > 0

prod_note(a) := sprintf(" It is a production role (environment %s).", [a.prod_env]) if a.prod_env != ""

else := ""

# prod_base(a, other): what the environment rules give a finding on the
# role of a: critical for a production role, other for the rest.
prod_base(a, other) := "critical" if a.prod_env != ""

else := other

orgs_text(ts) := concat(" or ", sort({lib.org_label(o) | some t in ts; some o in t.org.atoms}))

repos_text(ts) := concat(" or ", sort({lib.repo_label(o, r) | some t in ts; some o in t.org.atoms; some r in t.repo.atoms}))

# METADATA
# title: Production or powerful role admits pull requests
# description: |
#   Pull request runs execute the pull request's own code before anyone has
#   reviewed or merged it. A production role that admits them (a "pull_request"
#   subject, or a wildcard such as "repo:org/repo:*") hands production
#   credentials to anyone who can push a branch and open a pull request. The
#   same holds for a role of any environment whose permissions are powerful
#   (administrator, privilege escalation, secret write, production secret
#   read): the severity is then the matrix of https://github.com/secretgate/secretgate/blob/main/docs/trust.md.
#   A role whose power is unknown (an attached managed policy secretgate
#   cannot read) is reported too, at medium: it fails closed.
# custom:
#   id: trust-oidc-prod-pull-request
#   check: trust
#   severity: critical
#   remediation: 'Pin the production role to reviewed code: "repo:<org>/<repo>:ref:refs/heads/main" or a protected GitHub environment "repo:<org>/<repo>:environment:prod", and give pull requests a separate read-only role.'
deny contains object.union(
	{
		"rule": "trust-oidc-prod-pull-request",
		"resource": name_of(a.role),
		"message": sprintf("%s %s admits pull request runs%s, which execute code nobody has reviewed yet.%s", [opener(a), role_intro(a), pull_note(ts), power_note(a, sprintf("any pull request of %s", [repos_text(ts)]))]),
		"file": file_of(a.role, a.stmt),
		"line": line_of(a.role, a.stmt),
		"key": stmt_key(a),
	},
	severity_field("critical", prod_base(a, "low"), "pull-request", a),
) if {
	some a in analyses
	a.usable
	judged_here(a)
	count(a.any_org) == 0
	ts := {t | some t in a.repo_tuples; admits_pull(t, a.scope)}
	count(ts) > 0
}

# admits_pull(t, sc): pull request runs can obtain a token that tuple t of
# scope sc admits: a pull_request subject, or (for the production and
# powerful roles these rules judge) an environment outside
# github.protected_environments. A pull-request job that names an
# environment gets that environment's subject, and environments are created
# on first use. A negated condition on event_name that excludes
# pull_request keeps them out (the scope analysis treats negated operators
# as absent), and so does a Deny statement whose one condition is a
# positive one on event_name that matches pull_request (Deny StringEquals
# event_name pull_request), as IAM and explain-trust's simulation honour it.
admits_pull(t, sc) if {
	lib.pull_request_code(t)
	not pull_request_excluded(sc)
}

admits_pull(t, sc) if {
	env_pull_request(t)
	not pull_request_excluded(sc)
}

pull_request_excluded(sc) if {
	some d in object.get(sc, "denies", [])
	d.source == "deny-positive"
	d.claim == "event_name"
	some v in d.values
	lib.value_match(d.info.base, v, "pull_request")
}

pull_request_excluded(sc) if {
	some c in sc.constraints
	c.claim == "event_name"
	c.info.negated
	c.info.qual == ""
	some v in c.values
	lib.value_match(c.info.positive, v, "pull_request")
}

env_pull_request(t) if {
	t.ctx.pr
	t.ctx.env != null
	lib.ref_admits_pull(t.ctx.ref)
	some e in t.ctx.env
	iamlib.has_wildcard(e)
	not env_protected(e)
}

# A pattern of wildcards only ("*", "?*") would protect every environment,
# including one a pull-request job creates on first use, which nothing
# protects: the configuration loader rejects it, and it is ignored here.
protected_environments := [p |
	some p in lib.arr(object.get(gh, "protected_environments", []))
	is_string(p)
	not regex.match(`^[*?]*\*[*?]*$`, p)
]

# env_protected(e): every environment the pattern e admits is protected.
env_protected(e) if {
	some p in protected_environments
	pattern_within(e, p)
}

pattern_within(e, e)

pattern_within(e, p) if {
	endswith(p, "*")
	prefix := trim_suffix(p, "*")
	not iamlib.has_wildcard(prefix)
	startswith(e, prefix)
}

# pull_note(ts): why tuples that admit pull requests only through an
# environment do.
pull_note(ts) := "" if {
	some t in ts
	lib.pull_request_code(t)
} else := " (a pull-request job that names an environment gets that environment's subject, and environments are created on first use; github.protected_environments does not list these)"

# role_intro(a): "It is a production role (environment prod), and
# statement 0" or "Statement 0".
role_intro(a) := sprintf("It is a production role (environment %s), and statement %s", [a.prod_env, stmt_label(a)]) if a.prod_env != ""

else := sprintf("Statement %s", [stmt_label(a)])

# METADATA
# title: Production or powerful role not pinned to a branch, tag or environment
# description: |
#   A production role should be usable only from reviewed code: a protected
#   branch, a release tag, or a GitHub environment with protection rules.
#   "repo:org/repo:*", any branch, any environment or a branch pattern lets a
#   workflow on any branch deploy to production. Roles of other environments
#   whose permissions are powerful are judged the same way when any branch
#   or tag can assume them (branch patterns with a literal prefix are left
#   alone); the severity is then the matrix of https://github.com/secretgate/secretgate/blob/main/docs/trust.md.
#   Any environment when github.protected_environments protects them all
#   is medium for a production role: only reviewed branches reach them, but
#   any of them can assume the role. A role whose power is unknown (an
#   attached managed policy secretgate cannot read) is reported at medium.
# custom:
#   id: trust-oidc-prod-unpinned
#   check: trust
#   severity: high
#   remediation: 'Use "StringEquals" with "repo:<org>/<repo>:environment:prod" (and protect the environment), or "repo:<org>/<repo>:ref:refs/heads/main", or "repo:<org>/<repo>:ref:refs/tags/v*" under StringLike for releases.'
deny contains object.union(
	{
		"rule": "trust-oidc-prod-unpinned",
		"resource": name_of(a.role),
		"message": sprintf("%s %s%s", [opener(a), unpinned_text(a, ts), power_note(a, lib.who(ts))]),
		"file": file_of(a.role, a.stmt),
		"line": line_of(a.role, a.stmt),
		"key": stmt_key(a),
	},
	severity_field("high", unpinned_base(a, ts), "any-branch", a),
) if {
	some a in analyses
	a.usable
	judged_here(a)
	count(a.any_org) == 0
	ts := unpinned_tuples(a)
	count(ts) > 0
}

# unpinned_tuples(a): the tuples of a that no branch, tag or environment
# pins; for a role that is powerful but not a production one, only those
# not narrowed by a literal prefix either.
unpinned_tuples(a) := {t | some t in a.repo_tuples; not admits_pull(t, a.scope); not lib.context_pinned(t)} if {
	a.prod_env != ""
} else := {t | some t in a.repo_tuples; not admits_pull(t, a.scope); not lib.context_pinned(t); not lib.context_narrowed(t)}

# unpinned_text(a, ts): what is unpinned and what to pin. Environments
# that github.protected_environments all protect are pinned to reviewed
# branches by their deployment rules, but not to one environment: a job in
# any of them can assume the role.
unpinned_text(a, ts) := sprintf("%s admits any environment matching %s, all protected by github.protected_environments; pin the one the role deploys to (repo:<org>/<repo>:environment:<name>) so that jobs of the other environments cannot assume it.", [unpinned_subject(a), concat(", ", sort({e | some t in ts; some e in t.ctx.env}))]) if {
	every t in ts {
		protected_env_tuple(t)
	}
} else := sprintf("%s must pin it to a branch, a tag or a GitHub environment.", [unpinned_intro(a)])

unpinned_subject(a) := sprintf("It is a production role (environment %s); statement %s", [a.prod_env, stmt_label(a)]) if a.prod_env != ""

else := sprintf("Statement %s", [stmt_label(a)])

# protected_env_tuple(t): t admits environments only, each protected.
protected_env_tuple(t) if {
	t.ctx.env != null
	t.ctx.ref == null
	every e in t.ctx.env {
		env_protected(e)
	}
}

unpinned_intro(a) := sprintf("It is a production role (environment %s); statement %s", [a.prod_env, stmt_label(a)]) if a.prod_env != ""

else := sprintf("Statement %s does not pin it, and", [stmt_label(a)])

unpinned_base(a, ts) := object.get(unpinned_severity(ts), "severity", "high") if a.prod_env != ""

else := "low"

# Patterns with a literal prefix ("release/*", "prod-*") are narrower than
# "any branch": medium. So are environments all protected by
# github.protected_environments (reviewed branches only).
unpinned_severity(ts) := {"severity": "medium"} if {
	every t in ts {
		narrower_than_any_branch(t)
	}
} else := {}

narrower_than_any_branch(t) if lib.context_narrowed(t)

narrower_than_any_branch(t) if protected_env_tuple(t)

# METADATA
# title: GitHub OIDC trust does not require the audience
# description: |
#   GitHub issues tokens for any audience a workflow asks for. Without a
#   condition that aud equals sts.amazonaws.com (the configured audience),
#   tokens minted for other services can be replayed against AWS whenever
#   the IAM OIDC provider lists their audience. High for a role whose
#   permissions are powerful (https://github.com/secretgate/secretgate/blob/main/docs/trust.md).
# custom:
#   id: trust-oidc-aud-missing
#   check: trust
#   severity: medium
#   remediation: 'Add "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"} to the statement.'
deny contains object.union(
	{
		"rule": "trust-oidc-aud-missing",
		"resource": name_of(a.role),
		"message": sprintf("%s Statement %s does not require the audience %s: no StringEquals condition on %s:aud.%s", [opener(a), stmt_label(a), audience, a.prefix, power_note(a, "a token that the trusted workflows mint for another audience")]),
		"file": file_of(a.role, a.stmt),
		"line": line_of(a.role, a.stmt),
		"key": stmt_key(a),
	},
	severity_field("medium", "medium", "aud-missing", a),
) if {
	some a in analyses
	a.usable
	count(a.aud) == 0
}

# A value is fine when it is the configured audience, or any other audience
# pinned literally: the IAM OIDC provider's client-id list decides which
# audiences exist, so a pinned custom audience is as specific as
# sts.amazonaws.com. Only patterns are a mismatch.
aud_value_ok(_, v) if v == audience

aud_value_ok(c, v) if {
	c.info.base == "stringequalsignorecase"
	lower(v) == lower(audience)
}

aud_value_ok(c, v) if {
	c.info.base in {"stringequals", "stringequalsignorecase"}
	v != ""
}

aud_value_ok(c, v) if {
	c.info.base == "stringlike"
	v != ""
	not iamlib.has_wildcard(v)
}

aud_pinned(cs) if {
	some c in cs
	every v in c.values {
		aud_value_ok(c, v)
	}
}

# METADATA
# title: GitHub OIDC trust accepts another audience
# description: |
#   Every value of the aud condition is judged: a pattern ("*", "sts.*")
#   admits tokens that GitHub minted for other services, which can then be
#   replayed against AWS. A custom audience pinned literally (StringEquals,
#   or StringLike without a wildcard) is as specific as sts.amazonaws.com:
#   the IAM OIDC provider's client-id list decides which audiences exist.
# custom:
#   id: trust-oidc-aud-mismatch
#   check: trust
#   severity: medium
#   remediation: 'Use exactly "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"} (or the audience configured in github.audience), with no other values.'
deny contains {
	"rule": "trust-oidc-aud-mismatch",
	"resource": name_of(a.role),
	"message": sprintf("%s Statement %s accepts the audience %s; only %q should be accepted.", [opener(a), stmt_label(a), quoted(bad), audience]),
	"file": file_of(a.role, a.stmt),
	"line": line_of(a.role, a.stmt),
	"key": stmt_key(a),
} if {
	some a in analyses
	a.usable
	count(a.aud) > 0
	not aud_pinned(a.aud)
	bad := {v | some c in a.aud; some v in c.values; not aud_value_ok(c, v)}
}

# METADATA
# title: GitHub OIDC trust allows more than AssumeRoleWithWebIdentity
# description: |
#   A statement trusting GitHub's OIDC provider needs only
#   sts:AssumeRoleWithWebIdentity (plus sts:TagSession when session tags are
#   used). "*", "sts:*" or NotAction grant more than intended and hide what
#   the statement is for.
# custom:
#   id: trust-oidc-action-wildcard
#   check: trust
#   severity: medium
#   remediation: 'Set "Action": "sts:AssumeRoleWithWebIdentity" (add "sts:TagSession" only if the workflow passes session tags).'
deny contains {
	"rule": "trust-oidc-action-wildcard",
	"resource": name_of(a.role),
	"message": sprintf("%s Statement %s grants %s to GitHub's OIDC provider; only sts:AssumeRoleWithWebIdentity is needed.", [opener(a), stmt_label(a), concat(", ", broad)]),
	"file": file_of(a.role, a.stmt),
	"line": line_of(a.role, a.stmt),
	"key": stmt_key(a),
} if {
	some a in analyses
	broad := a.broad
	count(broad) > 0
}

# METADATA
# title: GitHub OIDC trust with the wrong action
# description: |
#   A Federated principal calls sts:AssumeRoleWithWebIdentity; a statement
#   that trusts GitHub's OIDC provider with sts:AssumeRole (or another
#   action) never lets a workflow in, and usually means the trust was
#   written by copying a cross-account policy.
# custom:
#   id: trust-oidc-action-not-web-identity
#   check: trust
#   severity: medium
#   remediation: 'Set "Action": "sts:AssumeRoleWithWebIdentity" in the statement that names the GitHub OIDC provider.'
deny contains {
	"rule": "trust-oidc-action-not-web-identity",
	"resource": name_of(role),
	"message": sprintf("Role %s can be assumed by %s. Statement %s trusts GitHub's OIDC provider %s but allows %s, not sts:AssumeRoleWithWebIdentity, so no workflow can use it.", [name_of(role), role_who(ri), label, prefix, actions_text(st)]),
	"file": file_of(role, st),
	"line": line_of(role, st),
	"key": sprintf("statement %d %s", [idx, prefix]),
} if {
	some ri, role in roles
	some si, st in statements_of(role)
	not lib.allows_web_identity(st)
	lib.is_allow(st)
	some prefix in lib.providers_in(st, iss)
	idx := object.get(st, "index", si)
	label := stmt_label({"idx": idx, "stmt": st})
}

actions_text(st) := concat(", ", lib.arr(st.action)) if count(lib.arr(st.action)) > 0

else := "no action"

# METADATA
# title: Trust condition that does not constrain its claim
# description: |
#   Some operators look like restrictions but are not: ForAllValues and
#   ...IfExists are true when the token lacks the claim, and StringNotEquals
#   or StringNotLike only exclude the listed values and admit every other.
#   secretgate treats such conditions as absent when it works out who can
#   assume the role. A condition on a claim GitHub's tokens never carry is
#   reported by trust-oidc-condition-unknown-claim instead, once.
# custom:
#   id: trust-oidc-condition-hole
#   check: trust
#   severity: medium
#   remediation: 'Use the plain operator: "StringEquals" or "StringLike" (or "ForAnyValue:StringLike"), without IfExists, on the claim; keep negated operators only next to a positive condition on the same claim.'
deny contains object.union(
	{
		"rule": "trust-oidc-condition-hole",
		"resource": name_of(a.role),
		"message": sprintf("%s In statement %s, %s on %s:%s does not constrain the claim: %s.%s", [opener(a), stmt_label(a), h.op, a.prefix, h.claim, hole_reason[h.kind], present_note(h)]),
		"file": file_of(a.role, a.stmt),
		"line": line_of(a.role, a.stmt),
		"key": sprintf("%s %s %s", [stmt_key(a), h.op, h.claim]),
	},
	hole_severity(h),
) if {
	some a in analyses
	some h in a.holes
	reportable_hole(h)
}

# present_note(h): a hole on a claim every GitHub token carries only looks
# like one (lib.constrains).
present_note(h) := sprintf(" Every GitHub token carries %s, so here it works as the plain operator; write that instead.", [h.claim]) if {
	h.kind != "negated"
	h.claim in lib.always_present_claims
} else := ""

hole_reason := {
	"forallvalues": "ForAllValues is true when the token has no such claim",
	"ifexists": "IfExists is true when the token has no such claim",
	"negated": "a negated operator only excludes the listed values and admits every other",
}

# pinned_claim(scope, claim): a constraining condition on the claim exists.
pinned_claim(sc, claim) if {
	some c in sc.active
	c.claim == claim
} else := false

# A negated condition next to a positive one on the same claim is a
# legitimate exclusion ("repo:acme/payments:*" except pull requests). A
# condition on a claim GitHub's tokens never carry (a misspelling) is
# trust-oidc-condition-unknown-claim's, which names the nearest claim: it is
# reported once, there.
reportable_hole(h) if {
	h.kind != "negated"
	h.claim in lib.github_claims
}

reportable_hole(h) if {
	h.kind == "negated"
	not h.pinned
	h.claim in lib.github_claims
}

hole_severity(h) := {"severity": "low"} if h.pinned

else := {}

# METADATA
# title: Wildcard under an exact operator
# description: |
#   StringEquals compares literally: "repo:acme/*" under StringEquals matches
#   only a subject that contains a "*" character, which GitHub never issues.
#   The value is not open, but it never matches either; usually StringLike was
#   meant (check what the wildcard would then admit).
# custom:
#   id: trust-oidc-literal-wildcard
#   check: trust
#   severity: low
#   remediation: Write the exact value GitHub sends (e.g. "repo:<org>/<repo>:ref:refs/heads/main") under StringEquals, or move a deliberate pattern to StringLike.
deny contains {
	"rule": "trust-oidc-literal-wildcard",
	"resource": name_of(a.role),
	"message": sprintf("%s In statement %s, %s compares %s:%s literally, so %q matches only a value containing a literal \"*\" or \"?\", which GitHub never sends.", [opener(a), stmt_label(a), w.op, a.prefix, w.claim, w.value]),
	"file": file_of(a.role, a.stmt),
	"line": line_of(a.role, a.stmt),
	"key": sprintf("%s %s %s %s", [stmt_key(a), w.op, w.claim, w.value]),
} if {
	some a in analyses
	some w in a.literal_wildcards
}

# METADATA
# title: Subject that GitHub never issues
# description: |
#   Subjects are parsed strictly: a sub value with an empty owner or
#   repository ("repo:", "repo:acme/"), no "/" between them, spaces around
#   the value or in the repository path, keywords in the wrong case
#   ("Repo:", "refs/Heads/", "Pull_Request") under a case-sensitive
#   operator, a bare word after the repository ("repo:acme/app:main", a
#   branch written without ref:refs/heads/), or no ":" at all ("invalid":
#   every subject, in any template, is claim:value pairs) never equals the
#   subject of a token GitHub issues. The value
#   never matches; when no other value does, nobody can assume the role:
#   it is broken, not exposed.
# custom:
#   id: trust-oidc-subject-malformed
#   check: trust
#   severity: low
#   remediation: 'Write the subject exactly as GitHub issues it: "repo:<org>/<repo>:ref:refs/heads/<branch>", "repo:<org>/<repo>:environment:<name>" or "repo:<org>/<repo>:pull_request"; "secretgate explain-trust --claims" shows what a token carries.'
deny contains {
	"rule": "trust-oidc-subject-malformed",
	"resource": name_of(a.role),
	"message": sprintf("%s In statement %s, %s %s:%s %q is not a subject GitHub issues (%s), %s", [opener(a), stmt_label(a), m.op, a.prefix, m.claim, m.value, m.reason, malformed_effect(a)]),
	"file": file_of(a.role, a.stmt),
	"line": line_of(a.role, a.stmt),
	"key": sprintf("%s %s %s %s", [stmt_key(a), m.op, m.claim, m.value]),
} if {
	some a in analyses
	some m in a.malformed
}

# METADATA
# title: GitHub statement that admits no token
# description: |
#   The statement trusts GitHub's OIDC provider, but no token GitHub issues
#   can satisfy it: a Deny statement refuses every token it admits (a Deny
#   of sts:AssumeRoleWithWebIdentity without a condition, or one whose
#   condition covers every value the Allow accepts), its conditions
#   contradict each other (two operators on the same claim with no value in
#   common), or it accepts only a value no token carries (an empty
#   audience). The role is broken, not exposed: explain-trust and the
#   attacker simulation refuse every token too. Malformed subjects, literal
#   wildcards, conditions on another provider's keys and conditions on a
#   claim GitHub's tokens do not carry have their own findings.
# custom:
#   id: trust-oidc-unassumable
#   check: trust
#   severity: low
#   remediation: 'Fix or remove the statement: keep one operator per claim with the values GitHub issues, remove the Deny that refuses every token (or narrow it to the subjects it means to refuse); "secretgate explain-trust --claims" shows which statement and condition refuse a token.'
deny contains {
	"rule": "trust-oidc-unassumable",
	"resource": name_of(a.role),
	"message": sprintf("%s Statement %s admits no token GitHub issues: %s.", [opener(a), stmt_label(a), unassumable_reason(a)]),
	"file": file_of(a.role, a.stmt),
	"line": line_of(a.role, a.stmt),
	"key": sprintf("%s unassumable", [stmt_key(a)]),
} if {
	some a in analyses
	a.usable == false
	count(a.malformed) == 0
	count(a.literal_wildcards) == 0
	not lib.foreign_condition(object.get(a.stmt, "condition", null), a.prefix)
	not lib.unknown_claim_condition(object.get(a.stmt, "condition", null), a.prefix)
}

# unassumable_reason(a): why statement a admits no token, in words that
# name the Deny statement or the conditions that refuse every token.
unassumable_reason(a) := sprintf("statement %d denies sts:AssumeRoleWithWebIdentity to every token of this provider, without a condition", [d.stmt]) if {
	d := object.get(a.scope, "refused_by", null)
	d.source == "deny-all"
} else := sprintf("statement %d denies every token whose %s matches %s (%s), which covers every value it accepts", [d.stmt, d.claim, quoted(d.values), trim_prefix(d.op, "Deny ")]) if {
	d := object.get(a.scope, "refused_by", null)
	d.source == "deny-positive"
} else := sprintf("%s accepts no value a token carries", [constraint_text(c)]) if {
	some c in a.scope.active
	count(c.tuples) == 0
} else := sprintf("its conditions have no value in common (%s)", [concat("; ", [constraint_text(c) | some c in a.scope.active; c.claim != "aud"])]) if {
	count([c | some c in a.scope.active; c.claim != "aud"]) > 1
} else := sprintf("its conditions have no value in common (%s)", [concat("; ", [constraint_text(c) | some c in a.scope.active])])

constraint_text(c) := sprintf("%s %s %s", [c.op, c.claim, quoted(c.values)])

malformed_effect(a) := "so no workflow can assume the role through it." if a.usable == false

else := "so the value never matches."

# Condition keys that do not narrow who the caller is.
non_identifying_keys := {
	"aws:securetransport", "aws:requestedregion", "aws:currenttime", "aws:epochtime",
	"aws:multifactorauthpresent", "aws:multifactorauthage", "aws:viaawsservice",
	"aws:calledvia", "aws:calledviafirst", "aws:calledvialast", "aws:useragent",
	"aws:referer", "aws:tokenissuetime", "aws:principaltype", "aws:principalisawsservice",
}

identifying_condition(st) if {
	some op, block in lib.obj(st.condition)
	lib.constraining(lib.op_info(op))
	some key, _ in lib.obj(block)
	not lower(key) in non_identifying_keys
}

# METADATA
# title: Role can be assumed by anyone
# description: |
#   "Principal": "*" (or "AWS": "*") in an Allow statement without a
#   condition that identifies the caller lets every AWS principal in every
#   account assume the role; an Allow with NotPrincipal trusts everyone
#   except the listed principals.
# custom:
#   id: trust-public-principal
#   check: trust
#   severity: critical
#   remediation: 'Name the trusted principal (an account, role ARN, service or the GitHub OIDC provider), or add a condition such as "StringEquals": {"aws:PrincipalOrgID": "o-..."}.'
deny contains {
	"rule": "trust-public-principal",
	"resource": name_of(role),
	"message": sprintf("Role %s can be assumed by anyone (any AWS principal in any account): statement %s allows %s without a condition that identifies the caller.", [name_of(role), label, public_text(st)]),
	"file": file_of(role, st),
	"line": line_of(role, st),
	"key": sprintf("statement %d", [idx]),
} if {
	some [ri, si] in public_statements
	role := roles[ri]
	st := role.trust.statement[si]
	idx := object.get(st, "index", si)
	label := stmt_label({"idx": idx, "stmt": st})
}

public_text(st) := "NotPrincipal" if lib.get(st, "not_principal") != null

else := "Principal \"*\""

# --- attacker-subject simulation ----------------------------------------------
#
# For every role with a GitHub OIDC trust, the tokens an attacker could
# present (lib.attacker_probes: a pull request, a fork's pull request,
# another branch, another repository of the organisation, a repository of
# another organisation, relative to each repository in github.repositories)
# are evaluated against the whole trust document with IAM's semantics
# (lib.policy_admits, Deny statements included). The pattern analysis above
# over-approximates who can assume a role; the simulation is concrete: a
# token that is admitted is proof.
#
# The simulation complements the rules above instead of repeating them: an
# admitted probe is reported only when no finding of those rules already
# says the same thing about the statement (covered_groups). Pull requests
# and other branches are reported for production roles only: a staging role
# that pull requests can assume is the usual "plan on pull request" set-up.
# Like the rest of the analysis it runs once per distinct trust condition
# (core), and only for the probe groups the pattern analysis calls possible
# (possible_groups; a test checks that this loses no admission).

home_repos := lib.home_repositories(gh)

home_probes := {h.key: lib.attacker_probes(h, audience) | some h in home_repos}

# The probe kinds reported for a role, by whether it is a production role.
prod_groups := {"pull_request", "other_branch", "other_repo", "other_org"}

other_groups := {"other_repo", "other_org"}

probe_group := {
	"pull_request": "pull_request",
	"fork_pull_request": "pull_request",
	"other_branch": "other_branch",
	"other_repo": "other_repo",
	"other_org": "other_org",
}

# covered_groups(c, kind): the probe groups that the rules above already
# report for a statement with core analysis c, for a role of kind "prod" or
# "other": any-org covers every group; whole-org another repository, pull
# requests and branches; prod-pull-request pull requests and branches;
# prod-unpinned branches.
covered_groups(c, kind) := prod_groups if {
	c.usable
	count(c.any_org) > 0
} else := {"other_repo", "pull_request", "other_branch"} if {
	c.usable
	count(c.whole_org) > 0
} else := prod_covers(c) if {
	kind == "prod"
} else := set()

prod_covers(c) := {"pull_request", "other_branch"} if {
	c.usable
	some t in c.repo_tuples
	admits_pull(t, c.scope)
} else := {"other_branch"} if {
	c.usable
	some t in c.repo_tuples
	not lib.context_pinned(t)
} else := set()

reportable := {"prod": prod_groups, "other": other_groups}

# kind_of(sensitive): the kind of role whose probe groups are reported:
# "prod" for production and powerful roles, "other" for the rest.
kind_of(sensitive) := "prod" if sensitive

else := "other"

# core_sim(k, base): the simulation for a statement with core key k (its
# condition and provider), once per distinct key like the rest of the core
# analysis: {kind: admitted probes} for the kinds of role with a reportable,
# uncovered group that some probe hits. The statement is simulated alone;
# the finding re-checks the role's whole document when it has more than one
# statement (Deny statements).
core_sim(k, base) := {kind: hits |
	count(home_repos) > 0
	possible := possible_groups(base)
	wanted := {kind: groups |
		some kind, rep in reportable
		groups := (rep & possible) - covered_groups(base, kind)
		count(groups) > 0
	}
	count(wanted) > 0
	found := sim_run(k, union({g | some g in wanted}))
	some kind, groups in wanted
	hits := [h | some h in found; h.group in groups]
	count(hits) > 0
}

# possible_groups(base): the probe groups that the pattern analysis says
# the statement could admit. It over-approximates who can assume a role, so
# a probe of any other group cannot be admitted and is not simulated: on
# large accounts most statements are pinned, and simulating them would only
# confirm it.
possible_groups(base) := {g |
	base.usable
	some t in base.scope.tuples
	some g in tuple_groups(t)
}

tuple_groups(t) := (({"other_org" | t.org.any} | {"other_repo" | any_repo(t)}) | {"pull_request" | lib.pull_request_code(t)}) | {"other_branch" | unreviewed_branch(t)}

any_repo(t) if t.org.any

any_repo(t) if t.repo.any

unreviewed_branch(t) if {
	t.ctx.push
	t.ctx.env == null
	t.ctx.ref == null
}

unreviewed_branch(t) if {
	t.ctx.push
	t.ctx.env == null
	some r in t.ctx.ref
	lib.glob(r, concat("", ["refs/heads/", lib.attacker_name]))
}

sim_doc(k) := {"statement": [{
	"effect": "Allow",
	"principal": {"Federated": [concat("", ["arn:aws:iam::000000000000:oidc-provider/", k.prefix])]},
	"action": [lib.web_identity_action],
	"condition": k.condition,
}]}

# sim_run(k, groups): the admitted probes of the groups,
# [{"home": label, "owner": lower-case owner, "group", "kind", "sub", "claims"}].
sim_run(k, groups) := [{"home": h.label, "owner": lower(h.owner.name), "group": g, "kind": p.kind, "sub": p.sub, "claims": p.claims} |
	d := sim_doc(k)
	some h in lib.homes_for(d, k.prefix, home_repos)
	some p in home_probes[h.key]
	g := probe_group[p.kind]
	g in groups
	lib.policy_admits(d, k.prefix, p.claims)
]

# group_exposure: the row of the power matrix for each probe group.
group_exposure := {
	"other_org": "any-org",
	"other_repo": "whole-org",
	"pull_request": "pull-request",
	"other_branch": "any-branch",
}

attacker_severity("other_org", _) := "critical"

attacker_severity("other_repo", env) := "critical" if env != ""

attacker_severity("other_repo", "") := "high"

attacker_severity("pull_request", _) := "critical"

attacker_severity("other_branch", _) := "high"

# METADATA
# title: Simulated attacker token admitted
# description: |
#   secretgate builds the GitHub OIDC tokens an attacker could obtain — a
#   pull request, a fork's pull request, a push to an unreviewed branch, a
#   workflow in another repository of the organisation or in another
#   organisation — for each repository in github.repositories, and
#   evaluates the role's whole trust policy against them with IAM's
#   semantics. An admitted token is reported unless another trust finding
#   already says the same: another organisation is critical, another
#   repository high (critical for production roles); pull requests
#   (critical) and other branches (high) only for production roles.
#   https://github.com/secretgate/secretgate/blob/main/docs/trust.md lists
#   the simulated tokens.
# custom:
#   id: trust-oidc-attacker-subject
#   check: trust
#   severity: high
#   remediation: 'Pin the trust to the subject the deploying workflow really has, with StringEquals: "repo:<org>/<repo>:environment:<protected environment>" or "repo:<org>/<repo>:ref:refs/heads/main". Run "secretgate explain-trust --role <role>" to see every simulated token and whether it is admitted.'
deny contains {
	"rule": "trust-oidc-attacker-subject",
	"resource": name_of(a.role),
	"message": sprintf("%s Statement %s admits a simulated token: %s can assume the role (%s).%s%s", [
		opener(a), stmt_label(a),
		lib.attacker_who(group, labels, fork),
		concat(", ", [sprintf("sub %q", [s]) | some s in subs]),
		prod_note(a),
		power_note(a, lib.attacker_who(group, labels, fork)),
	]),
	"file": file_of(a.role, a.stmt),
	"line": line_of(a.role, a.stmt),
	"key": sprintf("%s attacker %s", [stmt_key(a), group]),
	"severity": higher(attacker_severity(group, a.prod_env), object.get(power_severity[group_exposure[group]], a.power.class, "info")),
} if {
	some a in analyses
	a.sim_any
	hits0 := object.get(a.sim, kind_of(a.sensitive), [])
	count(hits0) > 0
	verified := verified_hits(a, hits0)
	some group in {h.group | some h in verified}
	hits := [h |
		some h in verified
		h.group == group
		not org_allowed(h)
	]
	count(hits) > 0
	labels := sort({h.home | some h in hits})
	subs := sort({h.sub | some h in hits})
	fork := fork_admitted(hits)
}

# verified_hits(a, hits): the probes that the role's whole trust document
# admits (only needs checking when it has other statements than a's).
verified_hits(a, hits) := hits if {
	count(a.role.trust.statement) == 1
} else := [h |
	some h in hits
	lib.policy_admits(a.role.trust, a.prefix, h.claims)
]

# Another repository of an organisation listed in github.organizations is
# allowed by the configuration.
org_allowed(e) if {
	e.group == "other_repo"
	some o in lib.arr(gh.organizations)
	lower(lib.atom_of(o).name) == e.owner
}

fork_admitted(hits) if {
	some e in hits
	e.kind == "fork_pull_request"
} else := false
