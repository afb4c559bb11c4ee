package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
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
//
// AllowNet is set and empty: OPA reads an unset (nil) list as "any host",
// and the built-ins that remain able to fetch — json.match_schema and
// json.verify_schema resolving a remote $ref — may reach none. (Those two
// are further wrapped by refuseSchemaRefs: OPA's loader reads file:// refs
// whatever AllowNet says.)
var capabilities = func() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	kept := make([]*ast.Builtin, 0, len(c.Builtins))
	for _, b := range c.Builtins {
		if !deniedBuiltins[b.Name] {
			kept = append(kept, b)
		}
	}
	c.Builtins = kept
	c.AllowNet = []string{}
	return c
}()

// schemaArg is, for each JSON-schema built-in, the position of its schema
// argument.
var schemaArg = map[string]int{
	ast.JSONMatchSchema.Name:  1,
	ast.JSONSchemaVerify.Name: 0,
}

// The JSON-schema built-ins are replaced, for the whole process, by ones
// that refuse a schema with a reference outside itself before OPA's loader
// sees it: OPA resolves "$ref": "file:///…" (or a path, or a ref relative
// to a file:// "$id") by reading the file, whatever the capabilities say,
// and its contents then surface in the built-in's errors. A policy is a
// pure function of its input: a schema refers only to its own parts
// ("#/definitions/x") or to the JSON-schema drafts OPA carries.
func init() {
	for name, arg := range schemaArg {
		orig := topdown.GetBuiltin(name)
		if orig == nil {
			panic("policy: OPA has no built-in " + name)
		}
		topdown.RegisterBuiltinFunc(name, func(bctx topdown.BuiltinContext, operands []*ast.Term, iter func(*ast.Term) error) error {
			if arg < len(operands) {
				if err := refuseSchemaRefs(operands[arg].Value); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			return orig(bctx, operands, iter)
		})
	}
}

// errSchemaRef marks a schema that refers outside itself.
var errSchemaRef = errors.New("schema refers outside itself")

// draftSchemas are the meta-schemas OPA's loader carries (it never fetches
// them), with and without their empty fragment.
var draftSchemas = map[string]bool{
	"http://json-schema.org/draft-04/schema": true,
	"http://json-schema.org/draft-06/schema": true,
	"http://json-schema.org/draft-07/schema": true,
}

// refuseSchemaRefs returns an error when schema (a JSON string or a Rego
// object) holds a "$ref" that is not a fragment of the schema itself
// ("#…") or one of the draft meta-schemas. The reference itself is not
// quoted: a schema built from input could carry anything.
func refuseSchemaRefs(schema ast.Value) error {
	var doc any
	switch v := schema.(type) {
	case ast.String:
		if err := json.Unmarshal([]byte(v), &doc); err != nil {
			return nil // not JSON: OPA's own error follows
		}
	default:
		d, err := ast.JSON(schema)
		if err != nil {
			return nil
		}
		doc = d
	}
	var walk func(any) error
	walk = func(x any) error {
		switch x := x.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok && !localRef(ref) {
				return fmt.Errorf("%w: only local refs (\"#/…\") are allowed, no files or URLs", errSchemaRef)
			}
			for _, v := range x {
				if err := walk(v); err != nil {
					return err
				}
			}
		case []any:
			for _, v := range x {
				if err := walk(v); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(doc)
}

// localRef reports whether a $ref stays inside the schema or names a draft
// meta-schema OPA carries.
func localRef(ref string) bool {
	ref = strings.TrimSpace(ref)
	return strings.HasPrefix(ref, "#") || draftSchemas[strings.TrimSuffix(ref, "#")]
}
