# METADATA
# title: Environments
# description: |
#   The environments a run judges by: input.config.environments, or the
#   defaults when the input carries none. A package of its own so that the
#   leak rules, which need only this, compile without the secrets library
#   (which re-exports these names as secrets.environments and friends).
package secretgate.lib.environments

import rego.v1

# Defaults used when the input carries no environments: prod rotates at
# least every 90 days and must rotate automatically, staging every 120
# days, dev has no limit and may rotate by hand; 24 h grace everywhere.
defaults := {
	"prod": {"max_rotation_days": 90, "warn_days": default_warn_days, "grace_hours": default_grace_hours, "require_rotation": true, "production": true},
	"staging": {"max_rotation_days": 120, "warn_days": default_warn_days, "grace_hours": default_grace_hours, "require_rotation": false, "production": false},
	"dev": {"max_rotation_days": 0, "warn_days": 0, "grace_hours": default_grace_hours, "require_rotation": false, "production": false},
}

default_warn_days := 14

default_grace_hours := 24

# configured is input.config.environments, or the defaults when absent.
configured := envs if {
	envs := object.get(input, ["config", "environments"], null)
	is_object(envs)
	count(envs) > 0
} else := defaults
