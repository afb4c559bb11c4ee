# METADATA
# title: Secrets must carry an owner tag
# description: Without an owner nobody is paged when the secret leaks.
# custom:
#   id: acme-secret-owner
#   check: naming
#   severity: low
#   remediation: Add a tag "owner".
package secretgate.rules.naming.acme

import rego.v1

deny contains {
	"rule": "acme-secret-owner",
	"resource": s.name,
	"message": sprintf("Secret %s has no owner tag.", [s.name]),
	"file": s.file,
	"line": s.line,
} if {
	some s in input.secrets
	not s.tags.owner
}
