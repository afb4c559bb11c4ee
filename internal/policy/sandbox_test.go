package policy

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/secretgate/secretgate/internal/facts"
)

// canaryServer is a local server that must never be asked anything: it
// counts requests and would answer with a schema carrying canary.
func canaryServer(t *testing.T, canary string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"enum": ["` + canary + `"]}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// Repository Rego is sandboxed: json.match_schema and json.verify_schema
// may not fetch a $ref from a URL (a local server that must receive no
// request) or read one from a file (whose contents must not appear in any
// error or finding), in check and in policy test.
func TestSchemaBuiltinsReachNoNetworkAndNoFiles(t *testing.T) {
	const httpCanary = "HTTP-CANARY-7d1f"
	const fileCanary = "FILE-CANARY-93ab"
	srv, hits := canaryServer(t, httpCanary)
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret.json")
	writeFile(t, secretFile, `{"enum": ["`+fileCanary+`"]}`)

	schemas := map[string]string{
		"http ref":                 `{"$ref": "` + srv.URL + `/schema.json"}`,
		"http ref relative to $id": `{"$id": "` + srv.URL + `/base/", "$ref": "schema.json"}`,
		"file:// ref":              `{"$ref": "file://` + filepath.ToSlash(secretFile) + `"}`,
		"path ref":                 `{"$ref": "` + filepath.ToSlash(secretFile) + `"}`,
		"ref relative to file $id": `{"$id": "file://` + filepath.ToSlash(dir) + `/", "$ref": "secret.json"}`,
		"nested file:// ref":       `{"properties": {"a": {"$ref": "file://` + filepath.ToSlash(secretFile) + `"}}}`,
	}
	calls := map[string]string{
		"match_schema":  `json.match_schema("\"nope\"", schema)`,
		"verify_schema": `json.verify_schema(schema)`,
	}
	for sname, schema := range schemas {
		for cname, call := range calls {
			t.Run(sname+"/"+cname, func(t *testing.T) {
				before := hits.Load()
				quoted := strings.ReplaceAll(strings.ReplaceAll(schema, `\`, `\\`), `"`, `\"`)
				rule := "package secretgate.rules.naming.schema\n\nimport rego.v1\n\n# METADATA\n# custom:\n#   id: acme-schema\ndeny contains {\"rule\": \"acme-schema\", \"resource\": \"r\", \"message\": sprintf(\"%v\", [x])} if {\n\tschema := json.unmarshal(\"" + quoted + "\")\n\tx := " + call + "\n}\n"
				pdir := t.TempDir()
				writeFile(t, filepath.Join(pdir, "schema.rego"), rule)
				var outputs []string
				eng, err := Load(context.Background(), []string{pdir})
				if err != nil {
					outputs = append(outputs, err.Error())
				} else {
					raws, err := eng.Evaluate(context.Background(), input([]facts.Secret{{Name: "s"}}, nil))
					if err != nil {
						outputs = append(outputs, err.Error())
					} else {
						t.Errorf("the schema was accepted: %+v", raws)
					}
					for _, r := range raws {
						outputs = append(outputs, r.Message)
					}
				}

				tdir := t.TempDir()
				writeFile(t, filepath.Join(tdir, "schema_test.rego"), "package acme_test\n\nimport rego.v1\n\ntest_schema if {\n\tschema := json.unmarshal(\""+quoted+"\")\n\tx := "+call+"\n\tprint(x)\n\tx == 1\n}\n")
				var out bytes.Buffer
				sum, err := Test(context.Background(), &out, TestOptions{Dirs: []string{tdir}})
				if err != nil {
					outputs = append(outputs, err.Error())
				}
				outputs = append(outputs, out.String())
				if sum.Passed != 0 {
					t.Errorf("policy test passed a test over a refused schema: %+v", sum)
				}

				if n := hits.Load() - before; n != 0 {
					t.Errorf("the local server received %d request(s)", n)
				}
				for _, o := range outputs {
					for _, canary := range []string{httpCanary, fileCanary} {
						if strings.Contains(o, canary) {
							t.Errorf("output carries %s: %s", canary, o)
						}
					}
				}
			})
		}
	}
}

// Local refs and the draft meta-schemas OPA carries still work.
func TestSchemaBuiltinsKeepLocalRefs(t *testing.T) {
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	schema := `{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"s": {"type": "string"}}, "$ref": "#/definitions/s"}`
	got, err := eng.Eval(context.Background(), `json.match_schema(input.doc, json.unmarshal(input.schema))`, map[string]any{"doc": `"ok"`, "schema": schema})
	if err != nil {
		t.Fatal(err)
	}
	if res, ok := got.([]any); !ok || len(res) != 2 || res[0] != true {
		t.Errorf("match = %v, want [true, []]", got)
	}
	if _, err := eng.Eval(context.Background(), `json.verify_schema(`+"`"+`{"$ref": "http://json-schema.org/draft-07/schema#"}`+"`"+`)`, map[string]any{}); err != nil {
		t.Errorf("draft meta-schema refused: %v", err)
	}
}

// The network allow-list is set and empty, never unset ("any host").
func TestCapabilitiesAllowNoHost(t *testing.T) {
	if capabilities.AllowNet == nil || len(capabilities.AllowNet) != 0 {
		t.Errorf("AllowNet = %#v, want an empty, non-nil list", capabilities.AllowNet)
	}
}

// A $ref that leads back to itself through nothing but references would
// make OPA's validator recurse until the process dies (a stack overflow
// cannot be recovered): it is a policy error instead. A recursive schema
// whose reference sits under a property still validates.
func TestSchemaRefCyclesAreRefused(t *testing.T) {
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, schema := range map[string]string{
		"root refers to itself": `{"$ref": "#"}`,
		"two definitions":       `{"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}, "$ref": "#/definitions/a"}`,
		"nested self":           `{"properties": {"x": {"$ref": "#/properties/x"}}}`,
		"escaped pointer":       `{"definitions": {"a/b": {"$ref": "#/definitions/a~1b"}}, "$ref": "#/definitions/a~1b"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := eng.Eval(context.Background(), `json.match_schema(input.doc, json.unmarshal(input.schema))`, map[string]any{"doc": `{"x": 1}`, "schema": schema})
			if err == nil || !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "leads back to itself") {
				t.Errorf("error = %v, want a policy error about the $ref cycle", err)
			}
		})
	}
	tree := `{"type": "object", "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}}}`
	got, err := eng.Eval(context.Background(), `json.match_schema(input.doc, json.unmarshal(input.schema))`, map[string]any{"doc": `{"name": "a", "children": [{"name": "b", "children": []}]}`, "schema": tree})
	if err != nil {
		t.Fatal(err)
	}
	if res, ok := got.([]any); !ok || len(res) != 2 || res[0] != true {
		t.Errorf("recursive tree schema: %v, want a match", got)
	}
}
