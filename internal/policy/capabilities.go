package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
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
			return nil //nolint:nilerr // not JSON: OPA's own error follows, with no ref to follow
		}
	default:
		d, err := ast.JSON(schema)
		if err != nil {
			return nil //nolint:nilerr // not convertible: OPA's own error follows, with no ref to follow
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
	if err := walk(doc); err != nil {
		return err
	}
	return refuseRefCycles(doc)
}

// refuseRefCycles returns an error when a "$ref" leads, through schemas
// that are only references, back to itself ({"$ref": "#"}): OPA's
// validator would follow it for ever and the process would die of a stack
// overflow. A reference under a property or an item (a recursive tree
// schema) consumes the document on its way and is fine. References are
// resolved from the root; ones it cannot resolve (anchors, "$id" scopes)
// are left to OPA.
func refuseRefCycles(doc any) error {
	var err error
	var walk func(any)
	walk = func(x any) {
		if err != nil {
			return
		}
		switch x := x.(type) {
		case map[string]any:
			if _, ok := x["$ref"].(string); ok && refLoops(doc, x) {
				err = fmt.Errorf("%w: a $ref leads back to itself without any schema in between", errSchemaRef)
				return
			}
			for _, v := range x {
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(doc)
	return err
}

// refLoops follows the references from schema through schemas holding a
// "$ref" and reports whether it comes back to one it passed.
func refLoops(root any, schema map[string]any) bool {
	seen := map[uintptr]bool{}
	cur := schema
	for range 64 {
		id := reflect.ValueOf(cur).Pointer()
		if seen[id] {
			return true
		}
		seen[id] = true
		ref, ok := cur["$ref"].(string)
		if !ok || !strings.HasPrefix(strings.TrimSpace(ref), "#") {
			return false
		}
		next, ok := resolvePointer(root, strings.TrimPrefix(strings.TrimSpace(ref), "#")).(map[string]any)
		if !ok {
			return false
		}
		cur = next
	}
	return true
}

// resolvePointer returns what a JSON pointer ("", "/definitions/a")
// names in doc, or nil.
func resolvePointer(doc any, ptr string) any {
	if p, err := url.PathUnescape(ptr); err == nil {
		ptr = p
	}
	if ptr == "" {
		return doc
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil // an anchor
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// localRef reports whether a $ref stays inside the schema or names a draft
// meta-schema OPA carries.
func localRef(ref string) bool {
	ref = strings.TrimSpace(ref)
	return strings.HasPrefix(ref, "#") || draftSchemas[strings.TrimSuffix(ref, "#")]
}
