package acme.helpers

import rego.v1

names(_) := {s.name | some s in input[key]; key == "secrets"}
