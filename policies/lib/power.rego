# METADATA
# title: Role power
# description: |
#   What a role can do, as one class, from the permission policies in
#   effect for it: its inline and managed policies in the input
#   (roles[].policy_ids, policies[].role_ids) and the AWS managed policies
#   attached to it by ARN whose content is known by name (managed_policies).
#   The trust rules combine it with who can assume the role (docs/trust.md,
#   "Severity by blast radius").
package secretgate.lib.power

import rego.v1

import data.secretgate.lib.deny
import data.secretgate.lib.iam
import data.secretgate.lib.secrets

# Classes, most powerful first. The first four raise the severity of trust
# findings ("powerful"); the others never do.
#   admin                 every action on every resource (or NotAction that
#                         leaves IAM in)
#   privilege-escalation  IAM write actions, iam:PassRole or sts:AssumeRole
#                         on every role, ... : can give itself more power
#   secret-write          can write, delete or re-share Secrets Manager secrets
#   prod-secret-read      can read the value of production secrets (or of
#                         every secret)
#   write                 writes other resources (S3, DynamoDB, ...)
#   unknown               an attached managed policy is neither in the input
#                         nor in managed_policies
#   read-only             only reads, of nothing above
#   none                  no permissions known at all (no policy attached)
# An action counts for the first three only on resources that can be of its
# service (on_service): "*" on an S3 bucket is write.
classes := ["admin", "privilege-escalation", "secret-write", "prod-secret-read", "write", "unknown", "read-only", "none"]

rank := {c: n | some i, c in classes; n := count(classes) - i}

powerful_classes := {"admin", "privilege-escalation", "secret-write", "prod-secret-read"}

powerful(p) if p.class in powerful_classes

else := false

# Plain words for a class, used after "which ..." in trust messages.
class_words := {
	"admin": "has administrator access",
	"privilege-escalation": "can escalate its own privileges",
	"secret-write": "can write and delete secrets",
	"prod-secret-read": "can read production secrets",
	"write": "can change resources other than IAM and secrets",
	"unknown": "has permissions secretgate does not know",
	"read-only": "can only read",
	"none": "has no known permissions",
}

# The same, for a class only a conditional Allow grants.
may_words := {
	"admin": "may have administrator access",
	"privilege-escalation": "may escalate its own privileges",
	"secret-write": "may write and delete secrets",
	"prod-secret-read": "may read production secrets",
	"write": "may change resources other than IAM and secrets",
	"unknown": "has permissions secretgate does not know",
	"read-only": "can only read",
	"none": "has no known permissions",
}

# managed_policies: AWS managed policies known by name, with their class and
# what they grant in a few words. Taken from the AWS Managed Policy
# Reference Guide (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html),
# one entry per policy page, read for what each allows: AdministratorAccess
# allows "*" on "*"; PowerUserAccess allows NotAction iam:*, organizations:*,
# account:* (so secretsmanager:* on every secret and sts:AssumeRole on
# every role, but no IAM write);
# IAMFullAccess allows iam:*; SecretsManagerReadWrite allows secretsmanager:*
# on every secret; AWSLambda_FullAccess allows lambda:* and iam:PassRole
# (to Lambda) on every role; AmazonS3FullAccess allows s3:* and
# s3-object-lambda:*; AmazonDynamoDBFullAccess and AmazonEC2FullAccess their
# service's actions; ReadOnlyAccess, ViewOnlyAccess, SecurityAudit,
# IAMReadOnlyAccess, AmazonS3ReadOnlyAccess and AWSCloudFormationReadOnlyAccess
# Get*/List*/Describe* actions without secretsmanager:GetSecretValue.
managed_policies := {
	"AdministratorAccess": {"class": "admin", "grants": "every action on every resource"},
	"PowerUserAccess": {"class": "privilege-escalation", "grants": "every action except IAM and Organizations management, sts:AssumeRole on every role included"},
	"IAMFullAccess": {"class": "privilege-escalation", "grants": "iam:*"},
	"SecretsManagerReadWrite": {"class": "secret-write", "grants": "secretsmanager:* on every secret"},
	"AWSLambda_FullAccess": {"class": "privilege-escalation", "grants": "lambda:* and iam:PassRole on every role"},
	"AmazonS3FullAccess": {"class": "write", "grants": "s3:* on every bucket"},
	"AmazonDynamoDBFullAccess": {"class": "write", "grants": "dynamodb:* on every table"},
	"AmazonEC2FullAccess": {"class": "write", "grants": "ec2:* on every instance"},
	"ReadOnlyAccess": {"class": "read-only", "grants": "read access to most services"},
	"ViewOnlyAccess": {"class": "read-only", "grants": "list and describe access"},
	"SecurityAudit": {"class": "read-only", "grants": "read access to security configuration"},
	"IAMReadOnlyAccess": {"class": "read-only", "grants": "read access to IAM"},
	"AmazonS3ReadOnlyAccess": {"class": "read-only", "grants": "read access to every bucket"},
	"AWSCloudFormationReadOnlyAccess": {"class": "read-only", "grants": "read access to CloudFormation"},
}

managed_name(arn) := regex.find_all_string_submatch_n(`^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?([^/]+)$`, arn, 1)[0][1]

# IAM actions that let a principal give itself (or a principal it controls)
# more permissions; iam:PassRole and sts:AssumeRole only on every role.
escalation_actions := [
	"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
	"iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutUserPolicy",
	"iam:AttachUserPolicy", "iam:PutGroupPolicy", "iam:AttachGroupPolicy",
	"iam:AddUserToGroup", "iam:CreateAccessKey", "iam:UpdateAssumeRolePolicy",
	"iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:CreateRole",
]

role_wide_actions := ["iam:PassRole", "sts:AssumeRole"]

# Credential actions that are harmless when limited to the caller's own
# user (${aws:username}): a user managing its own keys or password gains
# nothing (the iam-privilege-escalation rule judges them the same way).
self_service_actions := {"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"}

self_service_only(st, a) if {
	a in self_service_actions
	count(arr(st.resource)) > 0
	every r in arr(st.resource) {
		contains(r, "${aws:username}")
	}
}

secret_write_actions := [
	"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret",
	"secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy",
	"secretsmanager:UpdateSecretVersionStage", "secretsmanager:CreateSecret",
	"secretsmanager:RestoreSecret", "secretsmanager:CancelRotateSecret",
]

# Any of these verbs after the service prefix counts as a write.
write_verb_re := `^[a-z0-9-]+:(put|create|delete|update|attach|detach|modify|set|add|remove|write|upload|run|start|stop|terminate|invoke|publish|send|tag|untag|restore|replace|associate|disassociate|enable|disable|reset|change|register|deregister|import|copy|accept|reject|authorize|revoke|reboot|cancel|apply|allocate|release|grant|rotate|batchwrite|batchdelete|batchput|batchupdate|execute|pause|resume|submit|gitpush|merge|post|\*)`

# statement_power(st): {"class", "action"} for one Allow statement, before
# any Deny. Conditions are not subtracted: power is an upper bound, which
# can only raise a trust finding's severity. A Deny statement grants
# nothing by itself (none), so a policy of Deny statements only is none.
statement_power(st) := statement_power_less(st, [])

# statement_power_less(st, denies): statement_power less what the
# unconditional Deny statements denies remove from st (deny.removed).
statement_power_less(st, denies) := with_condition(statement_power_of(st, denies), st)

# with_condition(s, st): s, marked conditional with the condition keys in
# words when the Allow statement st has a Condition: it grants s.class
# only if the condition allows (power stays an upper bound; the words say
# "may").
with_condition(s, st) := object.union(s, {"conditional": true, "condition": secrets.list_text(condition_words(st.condition))}) if {
	s.class != "none"
	deny.has_condition(st)
} else := s

condition_words(cond) := sort({deny.key_text(lower(k)) | some _, keys in cond; some k, _ in keys})

statement_power_of(st, denies) := {"class": "none", "action": ""} if {
	# NotResource "*" leaves no resource to act on.
	"*" in arr(object.get(st, "not_resource", null))
} else := classify(st, action_facts(st), denies) if lower(st.effect) == "allow"

else := {"class": "none", "action": ""}

# action_facts(st): the statement's Action patterns split into lower-case
# literals (matched by set membership, the common and cheap case) and
# wildcard patterns, and its NotAction.
action_facts(st) := {
	"literal": {lower(p) | some p in arr(st.action); not iam.has_wildcard(p)},
	"patterns": [p | some p in arr(st.action); iam.has_wildcard(p)],
	"not_action": object.get(st, "not_action", null),
}

classify(st, f, denies) := {"class": "admin", "action": "every action on every resource"} if {
	left(f, st, denies, "iam:PutRolePolicy")
	left(f, st, denies, "secretsmanager:GetSecretValue")
	left(f, st, denies, "s3:GetObject")
	every_resource(st)
	on_service(st, "iam")
} else := {"class": "admin", "action": "every action but the NotAction list, IAM included, on every resource"} if {
	is_array(f.not_action)
	left(f, st, denies, "iam:PutRolePolicy")
	every_resource(st)
	on_service(st, "iam")
} else := {"class": "privilege-escalation", "action": a} if {
	on_service(st, "iam")
	a := first_left(f, st, denies, [x | some x in escalation_actions; not self_service_only(st, x)])
} else := {"class": "privilege-escalation", "action": sprintf("%s on every role", [a])} if {
	a := first_left(f, st, denies, role_wide_actions)
	secrets.grants_on_all(st, "iam", "role/")
} else := {"class": "secret-write", "action": a} if {
	on_service(st, "secretsmanager")
	a := first_left(f, st, denies, secret_write_actions)
} else := {"class": "prod-secret-read", "action": sprintf("secretsmanager:GetSecretValue on %s", [rs[0]])} if {
	grants(f, "secretsmanager:GetSecretValue")
	rs := [r | some r in reaches_production(st); not production_denied(denies, r)]
	count(rs) > 0
} else := {"class": "write", "action": write_text(st, ws[0])} if {
	ws := [a | some a in arr(st.action); write_action(a); not deny.removed(denies, a, st)]
	count(ws) > 0
} else := {"class": "write", "action": "NotAction"} if {
	is_array(f.not_action)
	not deny.removed(denies, "*", st)
} else := {"class": "none", "action": ""} if {
	# The Deny statements leave nothing of it.
	count(denies) > 0
	deny.fully_removed(denies, st)
} else := {"class": "read-only", "action": ""}

# write_action(a): the action pattern may write: a write verb, or a
# wildcard without a service ("*", left when the resources rule out IAM and
# secrets).
write_action(a) if regex.match(write_verb_re, lower(a))

write_action(a) if {
	not contains(a, ":")
	contains(a, "*")
}

# write_text(st, a): the write action a in words; a wildcard action names
# the statement's first resource too ("* on arn:aws:s3:::acme-artifacts"),
# which says what it writes.
write_text(st, a) := sprintf("%s on %s", [a, rs[0]]) if {
	iam.has_wildcard(a)
	rs := arr(object.get(st, "resource", null))
	count(rs) > 0
	not "*" in rs
} else := a

# on_service(st, service): the statement applies to some resource that can
# be of the service (lower case, "iam", "secretsmanager"): a Resource
# element that may name one (resource_of), or a NotResource that does not
# exclude every resource of the service. IAM actions do nothing on an S3
# ARN, so "*" on a bucket grants no IAM or Secrets Manager power.
on_service(st, service) if {
	some r in arr(object.get(st, "resource", null))
	resource_of(r, service)
} else if {
	nrs := object.get(st, "not_resource", null)
	is_array(nrs)
	not excludes_service(nrs, service)
} else := false

excludes_service(nrs, service) if {
	some r in nrs
	secrets.covers_all(r, service, "")
}

# resource_of(r, service): the resource pattern r may match an ARN of the
# service. Its service is the third colon-separated part; a "*" before it
# can stand for anything (colons included), one inside it for any service
# that starts with what precedes the "*"; a resource that is not an ARN may
# stand for any. Sound: when in doubt it may.
resource_of(r, service) if {
	# not an ARN: a placeholder ("SecretARN") or an unresolved reference
	# ("${aws_secretsmanager_secret.db.arn}") may stand for any
	service != ""
	not startswith(lower(r), "arn:")
} else if {
	parts := split(r, ":")
	count(parts) < 3
	contains(r, "*")
} else if {
	parts := split(r, ":")
	count(parts) >= 3
	iam.has_wildcard(concat(":", array.slice(parts, 0, 2)))
} else if {
	parts := split(r, ":")
	count(parts) >= 3
	s := lower(parts[2])
	contains(s, "*")
	startswith(service, deny.literal_prefix(s))
} else if {
	parts := split(r, ":")
	count(parts) >= 3
	iam.like(lower(parts[2]), service)
} else := false

# every_resource(st): the statement applies to every resource: Resource
# "*", or a NotResource that excludes only some (an upper bound: what is
# left is nearly everything).
every_resource(st) if "*" in arr(st.resource)

every_resource(st) if {
	ex := arr(object.get(st, "not_resource", null))
	count(ex) > 0
	not "*" in ex
}

# left(f, st, denies, a): the Allow statement st (action facts f) grants
# action a, and no unconditional Deny of denies removes it.
left(f, st, denies, a) if {
	grants(f, a)
	not deny.removed(denies, a, st)
}

# first_left(f, st, denies, actions): the first of actions that st grants
# and denies leave.
first_left(f, st, denies, actions) := found[0] if {
	found := [a | some a in actions; left(f, st, denies, a)]
	count(found) > 0
}

# grants(f, a): an Allow statement with action facts f grants action a.
grants(f, a) if lower(a) in f.literal

else if {
	some p in f.patterns
	iam.action_matches(p, a)
} else if {
	is_array(f.not_action)
	every p in f.not_action {
		not iam.action_matches(p, a)
	}
}

# reaches_production(st): the statement's resources that can match a
# secret of a production environment (every secret counts).
reaches_production(st) := [r |
	some r in arr(st.resource)
	n := secrets.secret_name_pattern(r)
	prod_name(n)
]

prod_name(n) if secrets.covers_every_name(n)

# production_denied(denies, r): the unconditional Deny statements remove
# secretsmanager:GetSecretValue on every production secret the resource
# pattern r reaches: on r itself, or, when r names every secret, on the
# secrets of each production environment (prod_secrets_arn: "prod/*/*"
# under the naming pattern {env}/{service}/{type}).
production_denied(denies, r) if {
	deny.removed(denies, "secretsmanager:GetSecretValue", {"resource": [r]})
} else if {
	count(denies) > 0
	secrets.covers_every_name(secrets.secret_name_pattern(r))
	envs := production_envs
	count(envs) > 0
	every env in envs {
		deny.removed(denies, "secretsmanager:GetSecretValue", {"resource": [prod_secrets_arn(r, env)]})
	}
} else := false

production_envs := [env | some env, e in object.get(input, ["config", "environments"], {}); e.production == true]

# prod_secrets_arn(r, env): the ARN pattern of the secrets of env, in the
# partition, region and account r spells out (any region and account
# when r is "*"; partition aws).
prod_secrets_arn(r, env) := concat(":", [parts[0], parts[1], "secretsmanager", parts[3], parts[4], "secret", env_name_pattern(env)]) if {
	parts := split(r, ":")
	count(parts) >= 6
} else := concat("", ["arn:aws:secretsmanager:*:*:secret:", env_name_pattern(env)])

env_name_pattern(env) := concat("/", [seg |
	some i, _ in secrets.pattern_segments
	seg := env_segment(i, env)
])

env_segment(i, env) := env if i == secrets.env_index

else := "*"

prod_name(n) if {
	some env, e in object.get(input, ["config", "environments"], {})
	e.production == true
	secrets.name_in_env(n, env)
}

arr(x) := x if is_array(x)

else := [x] if is_string(x)

else := []

# statement_key(st): the parts of a statement its power depends on.
# Inventories repeat the same statements many times: callers compute
# statement_power once per distinct key (role_power_from).
statement_key(st) := {k: object.get(st, k, null) | some k in ["effect", "action", "not_action", "resource", "not_resource", "condition"]}

# document_power(p, sp): the strongest statement of policy p, with its
# name: {"class", "via": words}; sp maps statement keys to statement_power.
document_power(p, sp) := best([power_of(p, s) |
	some st in arr(object.get(p, ["document", "statement"], []))
	s := sp[statement_key(st)]
])

# power_of(p, s): the power a statement's s gives, named after policy p;
# with "condition" (the keys, in words) when only its Condition may allow.
power_of(p, s) := {"class": s.class, "via": via_text(p, s.action), "condition": s.condition} if {
	s.conditional
} else := {"class": s.class, "via": via_text(p, s.action)}

via_text(p, action) := sprintf("policy %s", [object.get(p, "name", "")]) if action == ""

else := sprintf("policy %s allows %s", [object.get(p, "name", ""), action])

best(ps) := {"class": "none", "via": ""} if count(ps) == 0

else := p if {
	# an unconditional grant of the top class wins over a conditional one
	top := max({rank[q.class] | some q in ps})
	p := [q | some q in ps; rank[q.class] == top; not q.condition][0]
} else := p if {
	top := max({rank[q.class] | some q in ps})
	p := [q | some q in ps; rank[q.class] == top][0]
}

# role_power(role, policies): the power of a role, given the input's
# policies in effect for it: {"class", "via"}, via naming what grants it
# ("AdministratorAccess", "policy deploy allows iam:PassRole on every role").
role_power(role, policies) := role_power_from(role, policies, statement_powers(policies))

# statement_powers(policies): statement_power per distinct statement key.
statement_powers(policies) := {k: statement_power(k) |
	some k in {statement_key(st) | some p in policies; some st in arr(object.get(p, ["document", "statement"], []))}
}

# role_power_from(role, policies, sp): role_power with the statements'
# powers already computed (sp, as statement_powers returns).
#
# Deny: the unconditional Deny statements of the role's policies lower its
# power only when they leave it no way to undo them: when no Allow left
# grants an action that rewrites the role's own policies (self_undo_actions)
# and no attached managed policy is unknown (it might grant one). Then the
# power is that of what is left after them (deny.removed: a Deny covering
# the action on every resource the Allow names). A Deny with a condition
# lowers nothing. So Allow * with an unconditional Deny of iam:* on * is no
# longer admin but privilege-escalation (sts:AssumeRole on every role is
# left); with Deny iam:* and sts:* it is secret-write; a Deny of s3:* alone
# leaves it admin (it can still delete that Deny).
role_power_from(role, policies, sp) := lowered if {
	denies := role_denies(policies)
	count(denies) > 0
	not can_undo(role, policies, denies)
	lowered := lowered_power(role, policies, denies)
} else := best(array.concat(
	[document_power(p, sp) | some p in policies],
	[attached_power(arn) | some arn in attached_arns(role, policies)],
))

# attached_arns(role, policies): the role's attached policy ARNs whose
# document is not among policies.
attached_arns(role, policies) := [arn |
	some arn in arr(object.get(role, "attached_arns", []))
	not arn in {p.arn | some p in policies; is_string(p.arn)}
]

# role_denies(policies): the unconditional Deny statements of the policies.
role_denies(policies) := [d |
	some p in policies
	some d in deny.denies_in(arr(object.get(p, ["document", "statement"], [])))
	deny.unconditional(d)
]

# Actions with which a role rewrites its own policies, and so can remove a
# Deny that binds it.
self_undo_actions := [
	"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy",
	"iam:DetachRolePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
	"iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
]

can_undo(role, policies, denies) if {
	some st in array.concat(
		[st | some p in policies; some st in arr(object.get(p, ["document", "statement"], []))],
		[st | some arn in attached_arns(role, policies); some st in managed_statements(arn)],
	)
	lower(st.effect) == "allow"
	on_service(st, "iam")
	f := action_facts(st)
	some a in self_undo_actions
	left(f, st, denies, a)
}

can_undo(role, policies, _) if {
	some arn in attached_arns(role, policies)
	not known_managed(arn)
}

known_managed(arn) if managed_policies[managed_name(arn)]

# lowered_power(role, policies, denies): the power of what is left after
# denies; via says so when a Deny took something away.
lowered_power(role, policies, denies) := object.union(p, {"via": lowered_via(p.via, policies)}) if {
	p := best(array.concat(
		[document_power_less(q, denies) | some q in policies],
		[attached_power_less(arn, denies) | some arn in attached_arns(role, policies)],
	))
	p.class != best(array.concat(
		[document_power(q, statement_powers(policies)) | some q in policies],
		[attached_power(arn) | some arn in attached_arns(role, policies)],
	)).class
} else := best(array.concat(
	[document_power_less(q, denies) | some q in policies],
	[attached_power_less(arn, denies) | some arn in attached_arns(role, policies)],
))

lowered_via("", policies) := sprintf("after the Deny statements of %s", [deny_policy_names(policies)])

lowered_via(via, policies) := sprintf("%s, after the Deny statements of %s", [via, deny_policy_names(policies)]) if via != ""

deny_policy_names(policies) := concat(", ", sort({sprintf("policy %s", [object.get(p, "name", "")]) |
	some p in policies
	some d in arr(object.get(p, ["document", "statement"], []))
	deny.unconditional(d)
}))

document_power_less(p, denies) := best([power_of(p, s) |
	some st in arr(object.get(p, ["document", "statement"], []))
	s := statement_power_less(st, denies)
])

attached_power_less(arn, denies) := {"class": s.class, "via": via} if {
	name := managed_name(arn)
	stmts := managed_statements(arn)
	count(stmts) > 0
	s := best_statement([statement_power_less(st, denies) | some st in stmts])
	via := managed_via(name, s)
} else := attached_power(arn)

managed_via(name, s) := name if s.class == managed_policies[name].class

else := sprintf("%s allows %s", [name, s.action]) if s.action != ""

else := name

best_statement(ss) := {"class": "none", "action": ""} if count(ss) == 0

else := s if {
	top := max({rank[q.class] | some q in ss})
	s := [q | some q in ss; rank[q.class] == top][0]
}

# managed_statements(arn): the Allow statements of a powerful AWS managed
# policy, as far as its power goes (see managed_policies), so that a Deny
# beside it can be subtracted; [] for the others.
managed_statements(arn) := object.get(managed_documents, managed_name(arn), [])

managed_documents := {
	"AdministratorAccess": [allow_all(["*"])],
	"PowerUserAccess": [
		{"effect": "Allow", "action": null, "not_action": ["iam:*", "organizations:*", "account:*"], "resource": ["*"], "not_resource": null},
		allow_all(["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization", "account:ListRegions"]),
	],
	"IAMFullAccess": [allow_all(["iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:DescribeOrganizationalUnit", "organizations:DescribePolicy", "organizations:ListChildren", "organizations:ListParents", "organizations:ListPoliciesForTarget", "organizations:ListRoots", "organizations:ListPolicies", "organizations:ListTargetsForPolicy"])],
	# Version v5 (AWS managed policy reference, edited 2024-02-22): its
	# BasePermissions and LambdaPermissions statements; the read-only
	# serverlessrepo and s3:GetObject ones change no class.
	"SecretsManagerReadWrite": [
		allow_all([
			"secretsmanager:*", "cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet",
			"cloudformation:DescribeStackResource", "cloudformation:DescribeStacks", "cloudformation:ExecuteChangeSet",
			"docdb-elastic:GetCluster", "docdb-elastic:ListClusters", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
			"ec2:DescribeVpcs", "kms:DescribeKey", "kms:ListAliases", "kms:ListKeys", "lambda:ListFunctions",
			"rds:DescribeDBClusters", "rds:DescribeDBInstances", "redshift:DescribeClusters",
			"redshift-serverless:ListWorkgroups", "redshift-serverless:GetNamespace", "tag:GetResources",
		]),
		{
			"effect": "Allow", "not_action": null, "not_resource": null,
			"action": ["lambda:AddPermission", "lambda:CreateFunction", "lambda:GetFunction", "lambda:InvokeFunction", "lambda:UpdateFunctionConfiguration"],
			"resource": ["arn:aws:lambda:*:*:function:SecretsManager*"],
		},
	],
	"AWSLambda_FullAccess": [allow_all(["lambda:*", "iam:PassRole"])],
}

allow_all(actions) := {"effect": "Allow", "action": actions, "not_action": null, "resource": ["*"], "not_resource": null}

attached_power(arn) := {"class": m.class, "via": name} if {
	name := managed_name(arn)
	m := managed_policies[name]
} else := {"class": "unknown", "via": sprintf("managed policy %s, whose document is not in the input", [arn]), "policy": arn}

# words(p): "which has AdministratorAccess", "which can escalate its own
# privileges (policy deploy allows iam:PutRolePolicy)".
words(p) := sprintf("which has %s", [p.via]) if {
	p.class == "admin"
	managed_policies[p.via]
} else := sprintf("which %s, if its conditions allow (%s; its condition on %s decides)", [may_words[p.class], p.via, p.condition]) if {
	p.condition
	p.via != ""
} else := sprintf("which %s (%s)", [class_words[p.class], p.via]) if {
	p.via != ""
} else := sprintf("which %s", [class_words[p.class]])
