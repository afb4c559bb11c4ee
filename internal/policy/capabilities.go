package policy

import (
	"github.com/open-policy-agent/opa/v1/ast"
)

// deniedBuiltins are the built-in functions policies may not call: a
// verdict is a pure function of the input document (secretgate gathers the
// facts; --offline means offline), so nothing may reach the network
// (http.send, net.lookup_ip_addr) or read the process environment and
// configuration (opa.runtime). The pure net.cidr_* functions stay, as do
// time.now_ns and the like (rules use input.now for reproducible runs).
var deniedBuiltins = map[string]bool{
	ast.HTTPSend.Name:        true,
	ast.NetLookupIPAddr.Name: true,
	ast.OPARuntime.Name:      true,
}

// capabilities are OPA's capabilities for this version without the denied
// built-ins; every compiler and query of the engine and the test runner
// uses them, so a call to one is a compile error at its file:line.
var capabilities = func() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	kept := make([]*ast.Builtin, 0, len(c.Builtins))
	for _, b := range c.Builtins {
		if !deniedBuiltins[b.Name] {
			kept = append(kept, b)
		}
	}
	c.Builtins = kept
	return c
}()
