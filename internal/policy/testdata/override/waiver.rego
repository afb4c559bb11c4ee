# METADATA
# title: Expired waivers are only a warning here
# custom:
#   id: config-waiver-expired
#   check: config
#   severity: low
package secretgate.rules.config_override

import rego.v1

deny contains {"rule": "config-waiver-expired", "resource": w.rule, "message": "expired (custom)", "file": w.file, "line": w.line} if {
	some w in input.config.waivers
	w.expires != ""
	time.parse_rfc3339_ns(w.expires) < time.parse_rfc3339_ns(input.now)
}
