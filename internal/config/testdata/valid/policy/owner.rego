# An example custom policy directory for the configuration tests.
package secretgate.rules.naming.owner

import rego.v1

deny contains {"rule": "custom-owner-tag", "resource": s.name, "message": "secret has no owner tag", "file": s.file, "line": s.line} if {
	some s in input.secrets
	not s.tags.owner
}
