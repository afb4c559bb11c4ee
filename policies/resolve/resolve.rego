# Resolve rules: the credentials the application needs (credentials: in
# .secretgate.yml), read from Secrets Manager with the run's role. The facts
# (input.credentials) describe each value's shape, never the value: whether
# the role could read it, its format, which required fields are missing,
# blank or placeholders, and whether an AWSPREVIOUS version exists.
#
# A credential that could not be checked (throttled beyond retries, timed
# out, endpoint unreachable: checked == false) is not judged here; the
# resolve check is then error and the run incomplete.
#
# Severity: what would break the application or hand it a fake credential is
# critical in a production environment and high elsewhere (a placeholder
# outside production is medium: dev and staging secrets are often filled
# in late). A missing AWSPREVIOUS version is high in production, medium
# elsewhere (only where previous_required is set).
#
# Every finding's resource is the secret as configured and its location
# the credentials: entry, so a waiver can name the secret.
package secretgate.rules.resolve

import rego.v1

import data.secretgate.lib.secrets

# METADATA
# title: Role cannot read a credential the application needs
# description: |
#   GetSecretValue for the AWSCURRENT version was refused: AccessDenied (no
#   IAM or resource-policy grant, or an explicit deny), a KMS decryption
#   failure (no kms:Decrypt on the secret's key), or an invalid request. The
#   application, running with this role, cannot start or will fail at the
#   first call that needs the credential.
# custom:
#   id: resolve-unreadable
#   check: resolve
#   severity: high
#   remediation: Grant the role secretsmanager:GetSecretValue on this secret's ARN (ending in -??????) and kms:Decrypt on its key with a kms:ViaService condition for secretsmanager; check the secret's resource policy and SCPs for an explicit deny. If the application uses another role, run secretgate with that role (--role-arn).
deny contains {
	"rule": "resolve-unreadable",
	"resource": c.secret,
	"message": sprintf("The role cannot read %s, which the application needs: %s (%s).", [c.secret, unreadable_text[c.error_class], error_text(c)]),
	"file": c.file,
	"line": c.line,
	"severity": breaking_severity(c),
} if {
	some c in checked
	not c.readable
	unreadable_text[c.error_class]
}

unreadable_text := {
	"access_denied": "access denied",
	"decryption_failed": "its KMS key cannot be used to decrypt it",
	"invalid_request": "the request was refused",
}

# METADATA
# title: Credential the application needs does not exist
# description: |
#   Secrets Manager has no secret by this name or ARN in the region read, or
#   the secret is scheduled for deletion. The application will fail to start
#   or fail at the first call that needs it.
# custom:
#   id: resolve-not-found
#   check: resolve
#   severity: high
#   remediation: Create the secret under this exact name in the region the application reads (aws secretsmanager create-secret --name <name>), restore it if it is scheduled for deletion (aws secretsmanager restore-secret), or correct the name or region of the credentials entry in .secretgate.yml.
deny contains {
	"rule": "resolve-not-found",
	"resource": c.secret,
	"message": sprintf("Credential %s %s%s.", [c.secret, missing_text[c.error_class], region_text(c)]),
	"file": c.file,
	"line": c.line,
	"severity": breaking_severity(c),
} if {
	some c in checked
	not c.readable
	missing_text[c.error_class]
}

missing_text := {
	"not_found": "does not exist",
	"deleted": "is scheduled for deletion",
}

# METADATA
# title: Credential value does not parse
# description: |
#   The value starts like a JSON object but is not valid JSON (a missing
#   brace or quote, a trailing comma). An application that parses it fails.
# custom:
#   id: resolve-unparsable
#   check: resolve
#   severity: high
#   remediation: Put a corrected value (aws secretsmanager put-secret-value --secret-id <name> --secret-string file://value.json), checking it first with jq . value.json; keep the previous version until the application has picked up the new one.
deny contains {
	"rule": "resolve-unparsable",
	"resource": c.secret,
	"message": sprintf("Credential %s is not valid JSON: it starts like an object and does not parse%s.", [c.secret, fields_needed_text(c)]),
	"file": c.file,
	"line": c.line,
	"severity": breaking_severity(c),
} if {
	some c in readable
	c.format == "invalid_json"
}

# METADATA
# title: Credential has the wrong format
# description: |
#   The application needs a JSON object with named fields but the secret holds
#   a plain string or binary data, or it needs a string and the secret holds
#   binary data (SecretBinary, which a SecretString reader does not see).
# custom:
#   id: resolve-wrong-format
#   check: resolve
#   severity: high
#   remediation: Store the value in the shape the application reads — a JSON object with the listed fields as SecretString, or a plain SecretString — or correct type and fields of the credentials entry in .secretgate.yml.
deny contains {
	"rule": "resolve-wrong-format",
	"resource": c.secret,
	"message": sprintf("Credential %s holds %s, but %s.", [c.secret, format_text[c.format], wanted_text(c)]),
	"file": c.file,
	"line": c.line,
	"severity": breaking_severity(c),
} if {
	some c in readable
	wrong_format(c)
}

wrong_format(c) if {
	wants_object(c)
	c.format in {"string", "binary"}
}

wrong_format(c) if {
	object.get(c, "type", "") == "string"
	c.format == "binary"
}

wants_object(c) if count(object.get(c, "fields", [])) > 0

wants_object(c) if object.get(c, "type", "") in {"api", "db", "json"}

format_text := {"string": "a plain string", "binary": "binary data"}

wanted_text(c) := sprintf("the application needs a JSON object with %s", [field_list(c.fields)]) if {
	count(object.get(c, "fields", [])) > 0
} else := sprintf("type %s needs a JSON object", [c.type]) if {
	wants_object(c)
} else := "type string needs a SecretString"

# METADATA
# title: Credential lacks a required field
# description: |
#   The JSON value has no key the application reads (for type api: api_key
#   and api_secret; for type db: username and password; else the fields
#   listed). The application fails, or sends an empty credential.
# custom:
#   id: resolve-missing-field
#   check: resolve
#   severity: high
#   remediation: Put a new version with every field (aws secretsmanager put-secret-value with the complete JSON object); do not drop fields when rotating. If the application no longer reads the field, remove it from the fields of the credentials entry.
deny contains {
	"rule": "resolve-missing-field",
	"resource": c.secret,
	"message": sprintf("Credential %s has no field %s.", [c.secret, field]),
	"file": c.file,
	"line": c.line,
	"key": field,
	"severity": breaking_severity(c),
} if {
	some c in readable
	c.format == "json"
	some field in c.missing_fields
}

# METADATA
# title: Credential or one of its fields is empty
# description: |
#   A required field is blank (an empty or all-space string, null, {} or []),
#   or the whole value is. The application would authenticate with nothing.
# custom:
#   id: resolve-empty-field
#   check: resolve
#   severity: high
#   remediation: Put the real value (aws secretsmanager put-secret-value); if the secret was created empty by infrastructure code, fill it in before the application is deployed, and keep the value out of the IaC.
deny contains {
	"rule": "resolve-empty-field",
	"resource": c.secret,
	"message": sprintf("Credential %s %s.", [c.secret, e.text]),
	"file": c.file,
	"line": c.line,
	"key": e.key,
	"severity": breaking_severity(c),
} if {
	some e in empty
	c := e.credential
}

# empty holds, per readable credential, each blank required field and a
# blank whole value.
empty contains {"credential": c, "key": field, "text": sprintf("has an empty field %s", [field])} if {
	some c in readable
	some field in c.empty_fields
}

empty contains {"credential": c, "key": "", "text": "is empty"} if {
	some c in readable
	c.empty == true
}

# METADATA
# title: Credential holds a placeholder
# description: |
#   A required field, or the whole value, is a placeholder rather than a
#   credential: changeme, mock_…, test, xxx, <…>, ${…}, your_…, …_here, the
#   AWS documentation's example keys, and their kin (compared without
#   regard to case). The secret was created and never filled in, or a test
#   value reached this environment.
# custom:
#   id: resolve-placeholder
#   check: resolve
#   severity: high
#   remediation: Put the real credential (aws secretsmanager put-secret-value) from its issuer; then make the deployment fail on placeholders, so that a test value cannot reach this environment again.
deny contains {
	"rule": "resolve-placeholder",
	"resource": c.secret,
	"message": sprintf("Credential %s %s, not a real value.", [c.secret, p.text]),
	"file": c.file,
	"line": c.line,
	"key": p.key,
	"severity": placeholder_severity(c),
} if {
	some p in placeholders
	c := p.credential
}

# placeholders holds, per readable credential, each required field that is
# a placeholder and a placeholder whole value.
placeholders contains {"credential": c, "key": field, "text": sprintf("has a placeholder in field %s", [field])} if {
	some c in readable
	some field in c.placeholder_fields
}

placeholders contains {"credential": c, "key": "", "text": "is a placeholder"} if {
	some c in readable
	c.placeholder == true
}

# METADATA
# title: Credential has no previous version to roll back to
# description: |
#   In production (or where previous_required is set) the secret must have a
#   version labelled AWSPREVIOUS, so that a rotation that breaks the
#   application can be undone by moving AWSCURRENT back. It has none: it was
#   never rotated, or the previous version was deleted.
# custom:
#   id: resolve-no-previous-version
#   check: resolve
#   severity: high
#   remediation: Rotate the secret once (aws secretsmanager rotate-secret, or put-secret-value with a new value issued in parallel to the current one), so that the current value becomes AWSPREVIOUS; to roll back later, aws secretsmanager update-secret-version-stage --version-stage AWSCURRENT --move-to-version-id <previous>. Set previous_required false for a credential that cannot have two valid values.
deny contains {
	"rule": "resolve-no-previous-version",
	"resource": c.secret,
	"message": sprintf("Credential %s has no AWSPREVIOUS version: a bad rotation could not be rolled back%s.", [c.secret, env_text(c)]),
	"file": c.file,
	"line": c.line,
	"severity": rollback_severity(c),
} if {
	some c in readable
	c.previous_required == true
	c.has_previous == false
}

# --- helpers ------------------------------------------------------------------

checked := [c | some c in input.credentials; c.checked == true]

readable := [c | some c in checked; c.readable == true]

production(c) if secrets.is_production(object.get(c, "environment", ""))

breaking_severity(c) := "critical" if production(c)

else := "high"

placeholder_severity(c) := "critical" if production(c)

else := "medium"

rollback_severity(c) := "high" if production(c)

else := "medium"

error_text(c) := c.error if {
	object.get(c, "error", "") != ""
} else := c.error_class

region_text(c) := sprintf(" in %s", [c.region]) if {
	object.get(c, "region", "") != ""
} else := ""

env_text(c) := sprintf(" (%s)", [c.environment]) if {
	object.get(c, "environment", "") != ""
} else := ""

fields_needed_text(c) := sprintf("; the application needs %s", [field_list(c.fields)]) if {
	count(object.get(c, "fields", [])) > 0
} else := ""

field_list(fs) := concat(", ", fs)
