# Least-privilege rules for the permission policies of roles that read
# secrets. Generic problems of a policy are reported once per policy
# statement (resource: the policy's name); whether a role can read another
# environment's secrets is judged per role (resource: the role's name), over
# every policy in effect for it. Deny statements never produce findings; an
# unconditional Deny of GetSecretValue on an environment's secrets lifts the
# cross-environment finding for that environment.
#
# The words of a statement's finding honour the Deny statements of the same
# policy and the statement's own Condition (data.secretgate.lib.deny): what
# an unconditional Deny removes on every resource the statement names is
# neither reported nor claimed (the ABAC tutorial's secretsmanager:* less
# secretsmanager:*Policy is not "re-sharing"), a conditional Deny or one on
# fewer resources is named as a limit, and the tag conditions ("only secrets
# tagged access-project equal to the caller's tag") and other condition keys
# that limit the statement are said.
#
# Performance (2,000 policies, 1,000 roles): what a rule needs to know about
# a statement is computed once per distinct statement (statement_facts,
# cached by OPA), and each rule iterates only the statements flagged for it
# (statements_with). Note that the aggregator evaluates every rule of a
# rules package, needed or not: helpers that only some findings need are
# functions (passes_role), and every rule here must stay cheap.
package secretgate.rules.iam

import rego.v1

import data.secretgate.lib.deny
import data.secretgate.lib.iam as iamlib
import data.secretgate.lib.power
import data.secretgate.lib.secrets

get_secret_value := "secretsmanager:GetSecretValue"

# METADATA
# title: Policy allows every action
# description: |
#   Action "*" grants every current and future AWS action: reading every
#   secret, decrypting with every key, and rewriting IAM itself. No role that
#   a pipeline or an application assumes needs it.
# custom:
#   id: iam-wildcard-action
#   check: iam
#   severity: critical
#   remediation: Replace "*" with the few actions the role needs, e.g. secretsmanager:GetSecretValue and secretsmanager:DescribeSecret on arn:aws:secretsmanager:<region>:<account>:secret:<env>/<service>/*. IAM Access Analyzer can generate a policy from CloudTrail activity.
deny contains {
	"rule": "iam-wildcard-action",
	"resource": policy_name(p),
	"message": sprintf("Policy %s %s allows every AWS action (Action \"*\") on %s%s%s.%s", [policy_name(p), stmt_label(st), resource_text(st), deny.limits(st, "resources"), wildcard_consequence(denies, st), deny.notes(denies, st)]),
	"file": l.file,
	"line": l.line,
	"key": stmt_key(p, st),
} if {
	some [i, j] in statements_with.full_wildcard
	p := input.policies[i]
	st := p.document.statement[j]
	denies := denies_of(i)
	not deny.fully_removed(denies, st)
	l := loc(p, st)
}

# METADATA
# title: Policy allows every Secrets Manager action
# description: |
#   secretsmanager:* lets the holder read, overwrite, delete and re-share
#   secrets (PutResourcePolicy), and cancel their rotation. Readers need
#   GetSecretValue (and DescribeSecret); rotation functions need a short,
#   known list. The message says what the statement's conditions limit
#   (resource tags, other keys) and leaves out what an unconditional Deny of
#   the same policy removes.
# custom:
#   id: iam-secretsmanager-wildcard
#   check: iam
#   severity: high
#   remediation: List the actions the role uses instead, e.g. secretsmanager:GetSecretValue and secretsmanager:DescribeSecret for readers; add PutSecretValue and UpdateSecretVersionStage only for a rotation function.
deny contains {
	"rule": "iam-secretsmanager-wildcard",
	"resource": policy_name(p),
	"message": sprintf("Policy %s %s allows secretsmanager:* on %s%s: %s.%s", [policy_name(p), stmt_label(st), resource_text(st), deny.limits(st, "secrets"), secretsmanager_consequence(denies, st), deny.notes_on(denies, st, ["secretsmanager:*"])]),
	"file": l.file,
	"line": l.line,
	"key": stmt_key(p, st),
} if {
	some [i, j] in statements_with.secretsmanager_wildcard
	p := input.policies[i]
	st := p.document.statement[j]
	denies := denies_of(i)
	not deny.fully_removed(denies, st)
	l := loc(p, st)
}

# METADATA
# title: Policy allows with NotAction
# description: |
#   An Allow with NotAction grants every action except the listed ones,
#   including every action AWS adds later. It almost always grants far more
#   than intended, often secret reads and IAM changes.
# custom:
#   id: iam-not-action-allow
#   check: iam
#   severity: high
#   remediation: Rewrite the statement as an Allow with an explicit Action list; to forbid actions, use a separate Deny statement.
deny contains {
	"rule": "iam-not-action-allow",
	"resource": policy_name(p),
	"message": sprintf("Policy %s %s allows every action except %s (NotAction) on %s%s, including any action AWS adds later.%s", [policy_name(p), stmt_label(st), secrets.list_text(st.not_action), resource_text(st), deny.limits(st, "resources"), deny.notes(denies, st)]),
	"file": l.file,
	"line": l.line,
	"key": stmt_key(p, st),
} if {
	some [i, j] in statements_with.not_action
	p := input.policies[i]
	st := p.document.statement[j]
	denies := denies_of(i)
	not deny.fully_removed(denies, st)
	l := loc(p, st)
}

# METADATA
# title: Policy reads every secret
# description: |
#   GetSecretValue on Resource "*" (or a NotResource) reads the value of
#   every secret in the account, in every environment. A role should read
#   only the secrets of its own environment and service.
# custom:
#   id: iam-secret-read-wildcard-resource
#   check: iam
#   severity: high
#   remediation: Scope Resource to the role's secrets, e.g. arn:aws:secretsmanager:<region>:<account>:secret:<env>/<service>/* (a finding on a policy whose environment is known names its own), or add a StringEquals condition on secretsmanager:ResourceTag/environment.
deny contains {
	"rule": "iam-secret-read-wildcard-resource",
	"resource": policy_name(p),
	"message": sprintf("Policy %s %s allows %s on %s%s: it can read the value of every secret in the account, in every environment%s.%s", [policy_name(p), stmt_label(st), grant_text(st, get_secret_value), resource_text(st), deny.limits(st, "secrets"), except_denied(denies, st, get_secret_value), deny.notes_on(denies, st, [get_secret_value])]),
	"file": l.file,
	"line": l.line,
	"key": stmt_key(p, st),
	"remediation": wildcard_resource_fix(p),
} if {
	some [i, j] in statements_with.reads_every_secret
	p := input.policies[i]
	st := p.document.statement[j]
	denies := denies_of(i)
	not deny.removed(denies, get_secret_value, st)
	l := loc(p, st)
}

# METADATA
# title: Role can read another environment's secrets
# description: |
#   A role's GetSecretValue must be scoped to its own environment's secrets:
#   a dev or staging role that can read prod/* turns every dev pipeline, dev
#   laptop and dev dependency into a path to production credentials.
#   Resource patterns are judged by what they can match (secret:* and
#   secret:*/bybit/* reach every environment). Judged per role over every
#   policy in effect for it, and for standalone policy documents whose
#   environment is known but that no known role uses.
# custom:
#   id: iam-secret-read-other-environment
#   check: iam
#   severity: high
#   remediation: Scope the statement to the role's own environment, e.g. arn:aws:secretsmanager:<region>:<account>:secret:<env>/* (each finding names the pattern of its role's environment), or add a StringEquals condition secretsmanager:ResourceTag/environment = <env>. Critical when a non-production role reaches production secrets.
deny contains {
	"rule": "iam-secret-read-other-environment",
	"resource": subject.name,
	"message": sprintf("%s %s in %s can read %s secrets: %s%s allows %s on %s%s.", [subject.kind, subject.name, subject.env, target, via_policy(subject, p), stmt_label(st), grant_text(st, get_secret_value), secrets.list_text(targets), deny.limits(st, "secrets")]),
	"file": l.file,
	"line": l.line,
	"key": sprintf("%s#%s", [stmt_key(p, st), target]),
	"severity": scope_severity(subject.env, target),
	"remediation": own_environment_fix(subject),
} if {
	by_id := policies_by_id
	reach := secret_reach
	some subject in scoped_subjects
	env := lower(subject.env)
	some pid in subject.policy_ids
	some i in by_id[pid]
	some j, stmt_reach in reach[i]
	some target, targets in stmt_reach
	lower(target) != env
	not denied_env(subject.policy_ids, target)
	p := input.policies[i]
	st := p.document.statement[j]
	l := loc(p, st)
}

# wildcard_resource_fix is the fix of iam-secret-read-wildcard-resource
# with the example drawn from the policy's environment when it is known.
wildcard_resource_fix(p) := sprintf("Scope Resource to the role's secrets, e.g. arn:aws:secretsmanager:<region>:<account>:secret:%s (the %s environment's; narrow it to the service's secrets), or add a StringEquals condition secretsmanager:ResourceTag/environment = %s.", [secrets.env_scope_example(env), env, env]) if {
	env := p.environment
	is_string(env)
	env != ""
} else := "Scope Resource to the role's secrets, e.g. arn:aws:secretsmanager:<region>:<account>:secret:<env>/<service>/*, or add a StringEquals condition on secretsmanager:ResourceTag/environment."

# own_environment_fix is the fix of iam-secret-read-other-environment with
# the example drawn from the subject's own environment: a prod role is
# told secret:prod/*, never another environment's pattern.
own_environment_fix(subject) := sprintf("Scope the statement to the %s's own environment (%s), e.g. arn:aws:secretsmanager:<region>:<account>:secret:%s, or add a StringEquals condition secretsmanager:ResourceTag/environment = %s.", [lower(subject.kind), subject.env, secrets.env_scope_example(subject.env), subject.env])

# via_policy names the policy in a role's finding ("policy X "); a policy's
# own finding needs no repetition.
via_policy(subject, p) := sprintf("policy %s ", [policy_name(p)]) if subject.kind == "Role"

via_policy(subject, _) := "" if subject.kind != "Role"

# scoped_subjects are the principals whose environment is known: roles, and
# standalone policies with an environment that no known role uses.
# (A subject without policy ids has no finding, so roles whose policy_ids is
# missing or not a list are left out.)
scoped_subjects contains {"kind": "Role", "name": role_name(role), "env": env, "policy_ids": pids} if {
	some role in input.roles
	env := role.environment
	is_string(env)
	env != ""
	pids := role.policy_ids
	is_array(pids)
}

# Standalone policies: role_ids missing or empty, or not a list. (Two
# cheap definitions instead of a function call per policy.)
scoped_subjects contains {"kind": "Policy", "name": policy_name(p), "env": env, "policy_ids": [p.id]} if {
	some p in input.policies
	object.get(p, "role_ids", []) == []
	env := p.environment
	is_string(env)
	env != ""
}

scoped_subjects contains {"kind": "Policy", "name": policy_name(p), "env": env, "policy_ids": [p.id]} if {
	some p in input.policies
	not is_array(object.get(p, "role_ids", []))
	env := p.environment
	is_string(env)
	env != ""
}

# METADATA
# title: kms:Decrypt is not scoped
# description: |
#   kms:Decrypt on every key, without a kms:ViaService condition, decrypts
#   anything encrypted under any key in the account, directly, outside
#   Secrets Manager and its resource policies and audit trail.
# custom:
#   id: iam-kms-decrypt-unscoped
#   check: iam
#   severity: medium
#   remediation: Set Resource to the key ARNs that encrypt the role's secrets, or add a condition StringEquals kms:ViaService = secretsmanager.<region>.amazonaws.com.
deny contains {
	"rule": "iam-kms-decrypt-unscoped",
	"resource": policy_name(p),
	"message": sprintf("Policy %s %s allows %s on %s%s without a kms:ViaService condition: it can decrypt data under every KMS key in the account%s, not only through Secrets Manager.%s", [policy_name(p), stmt_label(st), grant_text(st, "kms:Decrypt"), resource_text(st), deny.limits(st, "keys"), except_denied(denies, st, "kms:Decrypt"), deny.notes_on(denies, st, ["kms:Decrypt"])]),
	"file": l.file,
	"line": l.line,
	"key": stmt_key(p, st),
} if {
	some [i, j] in statements_with.decrypts_every_key
	p := input.policies[i]
	st := p.document.statement[j]
	denies := denies_of(i)
	not deny.removed(denies, "kms:Decrypt", st)
	l := loc(p, st)
}

# METADATA
# title: Policy allows privilege escalation
# description: |
#   These actions let the holder give itself, or a role or user it controls,
#   more permissions than the policy grants: passing any role to a service,
#   rewriting policies, creating credentials for others, replacing Lambda
#   code, assuming any role. A role that reads secrets must not hold them.
# custom:
#   id: iam-privilege-escalation
#   check: iam
#   severity: high
#   remediation: Remove the actions, or scope them to named resources (iam:PassRole to the one role ARN with an iam:PassedToService condition; sts:AssumeRole to named role ARNs); keep IAM administration in a separate, tightly trusted role.
deny contains {
	"rule": "iam-privilege-escalation",
	"resource": policy_name(p),
	"message": sprintf("Policy %s %s allows privilege-escalation actions%s: %s.%s", [policy_name(p), stmt_label(st), deny.limits(st, "resources"), secrets.list_text(granted), deny.notes_on(denies, st, escalation_actions)]),
	"file": l.file,
	"line": l.line,
	"key": stmt_key(p, st),
} if {
	facts := allow_statements
	some [i, j] in statements_with.escalation
	grants := facts[[i, j]].grants
	p := input.policies[i]
	st := p.document.statement[j]
	denies := denies_of(i)
	granted := [escalation_text(st, a) | some a in escalation_actions; a in grants; escalates(i, st, a); not deny.removed(denies, a, st)]
	count(granted) > 0
	l := loc(p, st)
}

# METADATA
# title: Role has a broad AWS managed policy
# description: |
#   The role has an AWS managed policy attached whose document is not in
#   the input, but whose content is known: AdministratorAccess,
#   PowerUserAccess, SecretsManagerReadWrite and IAMFullAccess grant far
#   more than reading a few secrets. The words honour the role's
#   unconditional Deny statements when the role cannot remove them
#   (data.secretgate.lib.power): AdministratorAccess less a Deny of iam:*
#   and sts:* is reported as what is left (it can write and delete
#   secrets), never as "every action on every resource", and the severity
#   follows what is left: critical for administrator access, high for the
#   other powerful classes (privilege escalation, secret write, production
#   secret read), medium below them.
# custom:
#   id: iam-broad-managed-policy
#   check: iam
#   severity: high
#   remediation: Detach the managed policy and attach a customer-managed or inline policy listing the actions and secret ARNs the role needs.
deny contains {
	"rule": "iam-broad-managed-policy",
	"resource": role_name(role),
	"message": broad_message(role, name, info, left),
	"file": object.get(role, "file", ""),
	"line": object.get(role, "line", 0),
	"key": arn,
	"severity": broad_severity(info, left),
} if {
	some role in input.roles
	arns := object.get(role, "attached_arns", [])
	is_array(arns)
	some arn in arns
	not arn in known_policy_arns
	name := regex.find_all_string_submatch_n(`^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?([^/]+)$`, arn, 1)[0][1]
	info := broad_managed_policies[name]
	left := left_after_denies(role, arn, name)
}

# left_after_denies(role, arn, name): the power of the managed policy arn
# after the role's unconditional Deny statements, {"class", "via"}, when
# they take its class down and the role cannot undo them (power.can_undo);
# {} otherwise.
left_after_denies(role, arn, name) := s if {
	pols := role_policies(role)
	denies := power.role_denies(pols)
	count(denies) > 0
	not power.can_undo(role, pols, denies)
	s := power.attached_power_less(arn, denies)
	s.class != power.managed_policies[name].class
} else := {}

broad_message(role, name, info, left) := sprintf("Role %s has the AWS managed policy %s attached, which grants %s.", [role_name(role), name, info.grants]) if {
	left == {}
} else := sprintf("Role %s has the AWS managed policy %s attached; the unconditional Deny statements of %s take part of it away, and what is left %s (%s).", [role_name(role), name, power.deny_policy_names(role_policies(role)), power.class_words[left.class], left.via])

broad_severity(info, left) := info.severity if {
	left == {}
} else := "critical" if {
	left.class == "admin"
} else := "high" if {
	left.class in power.powerful_classes
} else := "medium"

# role_policies(role): the input's policies in effect for a role: those it
# names in policy_ids and those that name it in role_ids, each once.
role_policies(role) := array.concat(named, naming) if {
	ids := {id | some id in arr(object.get(role, "policy_ids", []))}
	named := [input.policies[i] | some id in ids; some i in object.get(policies_by_id, id, [])]
	naming := [p |
		some p in input.policies
		some rid in arr(object.get(p, "role_ids", []))
		rid == object.get(role, "id", "")
		not p.id in ids
	]
}

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

# policies_by_id maps a policy id to the indexes of the policies with that
# id in input.policies (a list, so that a duplicate id never aborts
# evaluation); built once, O(n) thanks to comprehension indexing.
policies_by_id := {id: [i | some i, p in input.policies; p.id == id] | some q in input.policies; id := q.id}

# Actions the rules look for. Matching each action pattern only against the
# watched actions of its own service keeps this linear and cheap:
# "s3:GetObject" is compared with nothing.
watched_actions := array.concat(escalation_actions, [get_secret_value, "kms:Decrypt"])

watched_by_service := {svc: [a | some a in watched_actions; startswith(lower(a), concat("", [svc, ":"]))] |
	some w in watched_actions
	svc := lower(split(w, ":")[0])
}

# allow_statements maps [policy index, statement index] of every Allow
# statement to the facts the rules need about it (statement_facts).
# Policies repeat the same few statements (apart from sid, file and line)
# thousands of times; statement_facts is a function of the elements that
# matter only, so OPA computes it once per distinct statement and caches it.
allow_statements := {[i, j]: facts |
	some i, p in input.policies
	some j, st in p.document.statement
	st.effect == "Allow"
	facts := statement_facts(object.filter(st, ["action", "not_action", "resource", "not_resource", "condition"]))
}

# statement_facts describes an Allow statement by its Action, NotAction,
# Resource, NotResource and Condition elements: grants, the
# watched actions granted (through Action, wildcards or NotAction); reach,
# the environments whose secrets it can read (see reach); and flags, the
# rules that report it:
#   full_wildcard            Action "*" or "*:*"
#   secretsmanager_wildcard  secretsmanager:*, not a full wildcard
#   not_action               a NotAction element
#   reads_every_secret       GetSecretValue on every secret, not narrowed
#                            by a condition, not a full wildcard
#   decrypts_every_key       kms:Decrypt on every key without a kms
#                            condition, not a full wildcard
#   escalation               grants privilege-escalation actions, not a
#                            full wildcard (escalates decides per action)
#   reaches                  reach is not empty
statement_facts(elements) := {"grants": grants, "reach": r, "flags": flags} if {
	action := object.get(elements, "action", null)
	not_action := object.get(elements, "not_action", null)
	resource := object.get(elements, "resource", null)
	not_resource := object.get(elements, "not_resource", null)
	cond := object.get(elements, "condition", {})
	grants := granted_actions(action, not_action)
	full := count([a | some a in action; a in {"*", "*:*"}]) > 0
	r := reach_of_grants(grants, resource, not_resource, cond)
	flags := {flag |
		some flag, on in {
			"full_wildcard": full,
			"not_action": is_array(not_action),
			"reaches": count(r) > 0,
		}
		on
	} | {flag |
		not full
		some flag, on in {
			"secretsmanager_wildcard": count([a | some a in action; lower(a) == "secretsmanager:*"]) > 0,
			"reads_every_secret": reads_every_secret(grants, resource, not_resource, cond),
			"decrypts_every_key": decrypts_every_key(grants, resource, not_resource, cond),
			"escalation": count(grants & escalation_set) > 0,
		}
		on
	}
}

# reach_of_grants is reach(...) for statements that grant GetSecretValue,
# else {}.
reach_of_grants(grants, resource, not_resource, cond) := reach(resource, not_resource, cond) if {
	get_secret_value in grants
} else := {}

# reads_every_secret: GetSecretValue on a Resource or NotResource that
# covers every secret, without a condition that narrows it to some secrets.
reads_every_secret(grants, resource, not_resource, cond) if {
	get_secret_value in grants
	secrets.resources_cover_all(resource, not_resource, "secretsmanager", "secret:")
	not secret_condition_narrows(cond)
} else := false

# decrypts_every_key: kms:Decrypt on a Resource or NotResource that covers
# every key, without a condition that names a service or an encryption
# context.
decrypts_every_key(grants, resource, not_resource, cond) if {
	"kms:Decrypt" in grants
	secrets.resources_cover_all(resource, not_resource, "kms", "key/")
	not kms_condition(cond)
} else := false

# statements_with maps each flag to the [policy index, statement index] of
# the Allow statements that have it. Statements are grouped by their facts
# first (a few distinct values; one pass, the inner comprehension is
# indexed on f), so that each flag is tested once per group.
statements_with := {flag: [k | some f, keys in statements_by_facts; f.flags[flag]; some k in keys] |
	some flag in all_flags
}

statements_by_facts := {f: keys |
	some f in {f | some _, f in allow_statements}
	keys := [k | some k, x in allow_statements; x == f]
}

# all_flags are the flags of statement_facts.
all_flags := {"full_wildcard", "secretsmanager_wildcard", "not_action", "reads_every_secret", "decrypts_every_key", "escalation", "reaches"}

# passes_role(i): an Allow statement of policy i grants iam:PassRole. (A
# function, not a rule: the aggregator evaluates every rule of a rules
# package, and this is needed only for policies granting
# lambda:CreateFunction.)
passes_role(i) if {
	some [i2, _], f in allow_statements
	i2 == i
	"iam:PassRole" in f.grants
}

# granted_actions(action, not_action) is the set of watched actions that an
# Allow statement with these Action and NotAction elements grants.
granted_actions(action, not_action) := {a |
	some pattern in action
	some a in candidate_actions(pattern)
	iamlib.action_matches(pattern, a)
} if {
	is_array(action)
} else := {a |
	some a in watched_actions
	every pattern in not_action {
		not iamlib.action_matches(pattern, a)
	}
} if {
	is_array(not_action)
} else := set()

candidate_actions(pattern) := object.get(watched_by_service, service, []) if {
	service := lower(split(pattern, ":")[0])
	not iamlib.has_wildcard(service)
} else := watched_actions

known_policy_arns := {arn | some p in input.policies; arn := p.arn; is_string(arn); arn != ""}

policy_name(p) := p.name if {
	secrets.nonempty_string(object.get(p, "name", ""))
} else := p.id

role_name(r) := r.name if {
	secrets.nonempty_string(object.get(r, "name", ""))
} else := r.id

stmt_index(st) := object.get(st, "index", 0)

stmt_label(st) := sprintf("statement %d (Sid %s)", [stmt_index(st), st.sid]) if {
	secrets.nonempty_string(object.get(st, "sid", ""))
} else := sprintf("statement %d", [stmt_index(st)])

stmt_key(p, st) := sprintf("%s#%d", [p.id, stmt_index(st)])

# loc is where to fix a statement: its own line, else the policy's.
loc(p, st) := {"file": st.file, "line": object.get(st, "line", 0)} if {
	secrets.nonempty_string(object.get(st, "file", ""))
} else := {"file": object.get(p, "file", ""), "line": object.get(p, "line", 0)}

# wildcard_consequence(denies, st): what Action "*" on every resource
# means, less what the policy's unconditional Deny statements remove: never
# "full administrator access" when a Deny takes something away, and never
# an action a Deny removes.
wildcard_consequence(denies, st) := ": full administrator access, including reading every secret and granting itself any permission" if {
	some r in st.resource
	r == "*"
	not some_removal(denies, st)
} else := sprintf(": every action but the denied ones, including %s", [deny.and_list(kept)]) if {
	some r in st.resource
	r == "*"
	kept := [w.word | some w in wildcard_powers; kept_power(denies, st, w.actions)]
	count(kept) > 0
} else := ": every action but the denied ones" if {
	some r in st.resource
	r == "*"
} else := ""

# wildcard_powers: the consequences wildcard_consequence names, each with
# the actions that keep it true (any one of them).
wildcard_powers := [
	{"word": "reading every secret", "actions": [get_secret_value]},
	{"word": "granting itself any permission", "actions": ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:CreatePolicyVersion", "iam:PutUserPolicy", "iam:AttachUserPolicy"]},
]

# some_removal(denies, st): an unconditional Deny of the policy removes
# some action from st on every resource st names.
some_removal(denies, st) if {
	some d in denies
	deny.unconditional(d)
	deny.may_take_from(d, st)
	deny.covers_resources_of(d, st)
}

# secretsmanager_consequence(denies, st): what secretsmanager:* lets the
# holder do, less what unconditional Deny statements remove ("reading,
# overwriting and deleting those secrets and switching off their rotation,
# but not re-sharing them").
secretsmanager_consequence(denies, st) := concat("", [kept_text, gone_text]) if {
	verbs := [v.word | some v in secretsmanager_verbs; kept_power(denies, st, v.actions)]
	gone := [v.word | some v in secretsmanager_verbs; kept_power(denies, st, v.actions) == false]
	rotation := kept_power(denies, st, ["secretsmanager:CancelRotateSecret"])
	kept_text := secretsmanager_kept(verbs, rotation)
	gone_text := secretsmanager_gone(gone, rotation)
}

secretsmanager_verbs := [
	{"word": "reading", "actions": [get_secret_value]},
	{"word": "overwriting", "actions": ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret"]},
	{"word": "deleting", "actions": ["secretsmanager:DeleteSecret"]},
	{"word": "re-sharing", "actions": ["secretsmanager:PutResourcePolicy"]},
]

kept_power(denies, st, actions) if {
	some a in actions
	not deny.removed(denies, a, st)
} else := false

secretsmanager_kept(verbs, true) := sprintf("%s those secrets and switching off their rotation", [deny.and_list(verbs)]) if count(verbs) > 0

secretsmanager_kept(verbs, false) := sprintf("%s those secrets", [deny.and_list(verbs)]) if count(verbs) > 0

secretsmanager_kept([], true) := "switching off the rotation of those secrets"

secretsmanager_kept([], false) := "none of reading, overwriting, deleting, re-sharing those secrets or switching off their rotation"

secretsmanager_gone(gone, rotation) := "" if {
	count(gone) == 0
	rotation
} else := "" if {
	count(gone) == count(secretsmanager_verbs)
	not rotation
} else := sprintf(", but not %s them", [deny.and_list(gone)]) if {
	rotation
} else := sprintf(", but not %s them or switching off their rotation", [deny.and_list(gone)]) if {
	count(gone) > 0
} else := ", but not switching off their rotation"

# except_denied(denies, st, a): the resources on which an unconditional
# Deny of the policy removes action a, when it does not remove it on every
# resource st names (" except where statement 3 denies it (on
# arn:aws:secretsmanager:*:*:secret:prod/*)").
except_denied(denies, st, a) := "" if {
	count(partial_denies(denies, st, a)) == 0
} else := concat("", [sprintf(" except where statement %d denies it (on %s)", [object.get(d, "index", 0), deny.resource_text(d)]) | some d in partial_denies(denies, st, a)])

partial_denies(denies, st, a) := [d |
	some d in denies
	deny.unconditional(d)
	deny.covers_action(d, a)
	not deny.covers_resources_of(d, st)
]

# policy_denies maps the index of each policy that has Deny statements to
# them (most policies have none).
policy_denies := {i: ds |
	some i, p in input.policies
	ds := deny.denies_in(object.get(p, ["document", "statement"], []))
	count(ds) > 0
}

denies_of(i) := object.get(policy_denies, i, [])

resource_text(st) := secrets.list_text(st.resource) if {
	is_array(st.resource)
	count(st.resource) > 0
} else := sprintf("every resource except %s (NotResource)", [secrets.list_text(st.not_resource)]) if {
	is_array(st.not_resource)
} else := "no resource"

# grant_text names an action and, when a wildcard or NotAction grants it,
# how: "secretsmanager:GetSecretValue (through secretsmanager:Get*)".
grant_text(st, a) := a if {
	some x in st.action
	lower(x) == lower(a)
} else := sprintf("%s (through %s)", [a, concat(", ", patterns)]) if {
	patterns := [x | some x in st.action; iamlib.action_matches(x, a)]
	count(patterns) > 0
} else := sprintf("%s (through NotAction)", [a])

# Condition operators that only let matching requests through (a missing
# key fails them); IfExists and negated operators do not narrow.
positive_operator(op) if {
	trim_prefix(lower(op), "foranyvalue:") in {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}
}

wildcard_value(v) if regex.match(`^[*?]*\*[*?]*$`, v)

# secret_condition_narrows(cond): the statement with condition cond is
# limited to some secrets by a resource tag or secret id condition.
secret_condition_narrows(cond) if {
	some op, keys in cond
	positive_operator(op)
	some k, vals in keys
	secret_narrowing_key(k)
	count(vals) > 0
	every v in vals {
		not wildcard_value(v)
	}
} else := false

secret_narrowing_key(k) if startswith(k, "secretsmanager:resourcetag/")

secret_narrowing_key(k) if startswith(k, "aws:resourcetag/")

secret_narrowing_key("secretsmanager:secretid")

env_tag_keys := {
	"secretsmanager:resourcetag/environment",
	"aws:resourcetag/environment",
	"secretsmanager:resourcetag/env",
	"aws:resourcetag/env",
}

# tag_condition_excludes(cond, target): an environment tag condition admits
# no value that could be the target environment.
tag_condition_excludes(cond, target) if {
	some op, keys in cond
	trim_prefix(lower(op), "foranyvalue:") in {"stringequals", "stringequalsignorecase", "stringlike"}
	some k, vals in keys
	k in env_tag_keys
	every v in vals {
		not iamlib.like(lower(v), lower(target))
	}
}

# kms_condition(cond): a condition that only lets requests through when
# they name a service or an encryption context (IfExists, negated operators
# and Null "true" do not).
kms_condition(cond) if {
	some op, keys in cond
	lop := lower(op)
	lop != "null"
	not endswith(lop, "ifexists")
	not contains(lop, "not")
	some k, _ in keys
	kms_narrowing_key(k)
}

kms_condition(cond) if {
	some op, keys in cond
	lower(op) == "null"
	some k, vals in keys
	kms_narrowing_key(k)
	every v in vals {
		lower(v) == "false"
	}
}

kms_narrowing_key("kms:viaservice")

kms_narrowing_key(k) if startswith(k, "kms:encryptioncontext:")

# secret_reach maps a policy index to {statement index: reach} for its
# Allow statements that grant GetSecretValue and reach some environment's
# secrets (see reach). One pass: the inner comprehension is indexed on i.
secret_reach := {i: {j: r | some [i2, j], r in statement_reach; i2 == i} |
	some i in {i | some [i, _], _ in statement_reach}
}

statement_reach := {k: facts[k].reach |
	facts := allow_statements
	some k in statements_with.reaches
}

# reach(resource, not_resource, cond) is the reach of an Allow statement
# that grants GetSecretValue, with these elements: {environment: resources
# through which it reaches that environment's secrets}; environments that
# an environment tag condition rules out are left out.
reach(resource, not_resource, cond) := {target: targets |
	some target in secrets.environment_order
	targets := env_targets(resource, not_resource, target)
	count(targets) > 0
	not tag_condition_excludes(cond, target)
}

# env_targets(resource, not_resource, target) lists the resources of an
# Allow statement (its Resource and NotResource elements) through which it
# reaches secrets of the target environment.
env_targets(resource, not_resource, target) := [r |
	some r in secrets.as_array(resource)
	n := secrets.secret_name_pattern(r)
	secrets.name_in_env(n, target)
] if {
	not is_array(not_resource)
} else := [sprintf("every secret except %s (NotResource)", [secrets.list_text(not_resource)])] if {
	not not_resource_excludes_env(not_resource, target)
} else := []

not_resource_excludes_env(not_resource, target) if {
	some r in not_resource
	n := secrets.secret_name_pattern(r)
	secrets.name_covers_env(n, target)
}

# denied_env: one of the policies has an unconditional Deny of
# GetSecretValue on every secret of the target environment.
denied_env(pids, target) if {
	some pid in pids
	some i in policies_by_id[pid]
	policy_denies_env(input.policies[i], target)
}

policy_denies_env(p, target) if {
	some st in p.document.statement
	st.effect == "Deny"
	not has_condition(st)
	some a in secrets.as_array(st.action)
	iamlib.action_matches(a, get_secret_value)
	some r in secrets.as_array(st.resource)
	n := secrets.secret_name_pattern(r)
	secrets.name_covers_env(n, target)
}

has_condition(st) if {
	c := object.get(st, "condition", null)
	is_object(c)
	count(c) > 0
}

# scope_severity: a non-production role reaching production is critical;
# a production role reaching a lower environment is medium.
scope_severity(env, target) := "critical" if {
	secrets.is_production(target)
	not secrets.is_production(env)
} else := "medium" if {
	secrets.is_production(env)
	not secrets.is_production(target)
} else := "high"

escalation_actions := [
	"iam:PassRole",
	"iam:CreatePolicyVersion",
	"iam:SetDefaultPolicyVersion",
	"iam:PutRolePolicy",
	"iam:AttachRolePolicy",
	"iam:PutUserPolicy",
	"iam:AttachUserPolicy",
	"iam:PutGroupPolicy",
	"iam:AttachGroupPolicy",
	"iam:AddUserToGroup",
	"iam:CreateAccessKey",
	"iam:UpdateAssumeRolePolicy",
	"iam:CreateLoginProfile",
	"iam:UpdateLoginProfile",
	"lambda:UpdateFunctionCode",
	"lambda:CreateFunction",
	"sts:AssumeRole",
]

escalation_set := {a | some a in escalation_actions}

# Escalation only when granted on every role.
role_scoped_actions := {"iam:PassRole", "sts:AssumeRole"}

# Harmless when limited to the caller's own user (${aws:username}).
self_service_actions := {"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"}

# escalates(i, st, a): the watched action a, granted by statement st of
# policy i, is an escalation in its context.
escalates(_, st, a) if {
	not a in role_scoped_actions
	a != "lambda:CreateFunction"
	not self_service_only(st, a)
}

escalates(_, st, a) if {
	a in role_scoped_actions
	secrets.grants_on_all(st, "iam", "role/")
}

# lambda:CreateFunction escalates together with iam:PassRole (on any
# resource) in the same policy: a new function runs with the role passed.
escalates(i, _, "lambda:CreateFunction") if passes_role(i)

self_service_only(st, a) if {
	a in self_service_actions
	count(secrets.as_array(st.resource)) > 0
	every r in st.resource {
		contains(r, "${aws:username}")
	}
}

escalation_text(st, a) := sprintf("%s on every role", [grant_text(st, a)]) if {
	a in role_scoped_actions
} else := sprintf("%s with iam:PassRole", [grant_text(st, a)]) if {
	a == "lambda:CreateFunction"
} else := grant_text(st, a)

broad_managed_policies := {
	"AdministratorAccess": {"severity": "critical", "grants": "every action on every resource"},
	"PowerUserAccess": {"severity": "high", "grants": "every action except IAM and Organizations management, including reading every secret and decrypting with every key"},
	"SecretsManagerReadWrite": {"severity": "high", "grants": "secretsmanager:* on every secret in every environment"},
	"IAMFullAccess": {"severity": "high", "grants": "iam:*, with which the role can give itself any permission"},
}

arr(x) := x if is_array(x)

else := []
