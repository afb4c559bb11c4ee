# A user library package: the built-in libraries can no longer be assumed
# to be only secretgate's, so no family is split.
package secretgate.lib.acme

import rego.v1

owner(s) := object.get(s, ["tags", "owner"], "")
