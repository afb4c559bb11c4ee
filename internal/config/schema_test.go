package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

const schemaPath = "../../docs/schema/secretgate.schema.json"

// compileSchema compiles docs/schema/secretgate.schema.json with format
// assertions on (dates), as strict editors apply it.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("secretgate.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("secretgate.schema.json")
	if err != nil {
		t.Fatalf("compile %s: %v", schemaPath, err)
	}
	return sch
}

// rawSchema is the schema as plain JSON, for the agreement tests.
func rawSchema(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// yamlToJSON converts a YAML file to the JSON value an editor's schema
// validator sees: merge keys applied, timestamps as the strings written,
// unknown tags as strings. Only the first document is converted.
func yamlToJSON(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return nil, nil
		}
		return nil, err
	}
	v, err := nodeValue(&doc)
	if err != nil {
		return nil, err
	}
	// Round-trip through JSON so that numbers have the types the
	// validator expects.
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

func nodeValue(n *yaml.Node) (any, error) {
	n = deref(n)
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0])
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			v, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		var merged []map[string]any
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := deref(n.Content[i])
			v, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			if k.Tag == "!!merge" {
				switch m := v.(type) {
				case map[string]any:
					merged = append(merged, m)
				case []any:
					for _, x := range m {
						if xm, ok := x.(map[string]any); ok {
							merged = append(merged, xm)
						}
					}
				}
				continue
			}
			out[k.Value] = v
		}
		for _, m := range merged {
			for k, v := range m {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, nil
		case "!!int", "!!float", "!!bool":
			var v any
			if err := n.Decode(&v); err != nil {
				return nil, err
			}
			return v, nil
		default: // !!str, !!timestamp, custom tags
			return n.Value, nil
		}
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

// schemaAccepts says how the schema must judge an invalid file: a first
// line "# schema: accepts (why)" marks problems JSON Schema cannot express;
// every other invalid file must be rejected by the schema too.
func schemaAccepts(data []byte) bool {
	return bytes.HasPrefix(data, []byte("# schema: accepts"))
}

func TestSchemaAgreesWithLoader(t *testing.T) {
	sch := compileSchema(t)
	valid, _ := filepath.Glob("testdata/valid/*.yml")
	invalid, _ := filepath.Glob("testdata/invalid/*.yml")
	for _, file := range append(valid, invalid...) {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			_, loadErr := Load(file)
			inst, convErr := yamlToJSON(data)
			wantValid := strings.Contains(file, "/valid/")
			switch {
			case wantValid && loadErr != nil:
				t.Fatalf("loader rejects a valid file: %v", loadErr)
			case !wantValid && loadErr == nil:
				t.Fatalf("loader accepts an invalid file")
			case convErr != nil:
				if wantValid || !schemaAccepts(data) {
					t.Fatalf("not convertible to JSON: %v", convErr)
				}
				return // not YAML: nothing for the schema to judge
			}
			schemaErr := sch.Validate(inst)
			switch {
			case wantValid && schemaErr != nil:
				t.Errorf("schema rejects a valid file:\n%v", schemaErr)
			case !wantValid && schemaAccepts(data) && schemaErr != nil:
				t.Errorf("marked \"# schema: accepts\" but the schema rejects it (remove the mark):\n%v", schemaErr)
			case !wantValid && !schemaAccepts(data) && schemaErr == nil:
				t.Errorf("the schema accepts it; tighten the schema or mark the file \"# schema: accepts (why)\"")
			}
		})
	}
}

// TestSchemaKeys: the schema lists exactly the keys the loader knows, at
// every level, and every key has a description.
func TestSchemaKeys(t *testing.T) {
	s := rawSchema(t)
	props := func(path ...string) map[string]any {
		var cur any = s
		for _, p := range path {
			cur = cur.(map[string]any)[p]
		}
		return cur.(map[string]any)["properties"].(map[string]any)
	}
	sourceProps := map[string]any{}
	for _, alt := range s["$defs"].(map[string]any)["environmentSource"].(map[string]any)["oneOf"].([]any) {
		for k, v := range alt.(map[string]any)["properties"].(map[string]any) {
			sourceProps[k] = v
		}
	}
	tests := []struct {
		name  string
		props map[string]any
		keys  []string
	}{
		{"top level", props(), topKeys},
		{"environments.<name>", props("$defs", "environment"), environmentKeys},
		{"naming", props("properties", "naming"), namingKeys},
		{"environment_from[]", sourceProps, environmentFromKeys},
		{"github", props("properties", "github"), githubKeys},
		{"credentials[]", props("$defs", "credential"), credentialKeys},
		{"waivers[]", props("$defs", "waiver"), waiverKeys},
		{"aws", props("properties", "aws"), awsKeys},
		{"aws.organization", props("properties", "aws", "properties", "organization"), organizationKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for k, v := range tt.props {
				got = append(got, k)
				if d, _ := v.(map[string]any)["description"].(string); d == "" {
					t.Errorf("%s.%s has no description", tt.name, k)
				}
			}
			sort.Strings(got)
			want := slices.Sorted(slices.Values(tt.keys))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("schema keys differ from the loader's (-loader +schema):\n%s", diff)
			}
		})
	}
	// additionalProperties: false on every object with properties (and
	// objects without properties take none, or a schema for their values).
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			// if/then only constrain an object defined next to them.
			applicator := strings.HasSuffix(path, "/if") || strings.HasSuffix(path, "/then")
			if _, ok := v["properties"]; ok && !applicator && v["additionalProperties"] != false {
				t.Errorf("%s: properties without additionalProperties: false", path)
			}
			for k, c := range v {
				walk(path+"/"+k, c)
			}
		case []any:
			for i, c := range v {
				walk(fmt.Sprintf("%s/%d", path, i), c)
			}
		}
	}
	walk("#", s)
}

// TestSchemaPatterns: the value syntax in the schema is the loader's.
func TestSchemaPatterns(t *testing.T) {
	s := rawSchema(t)
	get := func(path ...string) any {
		var cur any = s
		for _, p := range path {
			switch c := cur.(type) {
			case map[string]any:
				cur = c[p]
			case []any:
				i, err := strconv.Atoi(p)
				if err != nil || i < 0 || i >= len(c) {
					return nil
				}
				cur = c[i]
			}
		}
		return cur
	}
	tests := []struct {
		name string
		got  any
		want string
	}{
		{"environment names", get("properties", "environments", "propertyNames", "pattern"), environmentNameRE.String()},
		{"aliases", get("$defs", "environment", "properties", "aliases", "items", "pattern"), environmentNameRE.String()},
		{"organizations", get("properties", "github", "properties", "organizations", "items", "pattern"), organizationRE.String()},
		{"repositories", get("properties", "github", "properties", "repositories", "items", "pattern"), repositoryRE.String()},
		{"regions", get("$defs", "region", "pattern"), regionRE.String()},
		{"role_arn", get("properties", "aws", "properties", "role_arn", "pattern"), roleARNRE.String()},
		{"max_file_size", get("properties", "max_file_size", "oneOf", "1", "pattern"), sizeRE.String()},
		{"leaks_max_file_size", get("properties", "leaks_max_file_size", "oneOf", "1", "pattern"), sizeRE.String()},
		{"fields", get("$defs", "credential", "properties", "fields", "items", "pattern"), fieldRE.String()},
		{"concurrency maximum", fmt.Sprint(get("properties", "aws", "properties", "concurrency", "maximum")), fmt.Sprint(maxConcurrency)},
		{"fail_on", fmt.Sprint(get("properties", "fail_on", "enum")), "[critical high medium low info never]"},
		{"credential types", fmt.Sprint(get("$defs", "credential", "properties", "type", "enum")),
			fmt.Sprint([]string{CredentialAPI, CredentialDB, CredentialJSON, CredentialString})},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != tt.want {
			t.Errorf("%s: schema has %v, loader %s", tt.name, tt.got, tt.want)
		}
	}
}

// TestSchemaDefaults: the "default" annotations of the schema, written out
// as a configuration file, mean the same as Default(). The schema is read
// as YAML (JSON is YAML) so that the order of environments survives.
func TestSchemaDefaults(t *testing.T) {
	b, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	cfg := &yaml.Node{Kind: yaml.MappingNode}
	add := func(m *yaml.Node, key string, v *yaml.Node) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
	}
	props := member(member(doc.Content[0], "properties"))
	for _, kv := range props {
		key, p := kv[0], kv[1]
		if d := member(p, "default"); d != nil {
			add(cfg, key.Value, d[0][1])
			continue
		}
		sub := &yaml.Node{Kind: yaml.MappingNode}
		for _, pkv := range member(member(p, "properties")) {
			if d := member(pkv[1], "default"); d != nil {
				add(sub, pkv[0].Value, d[0][1])
			}
		}
		if len(sub.Content) > 0 {
			add(cfg, key.Value, sub)
		}
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := load(t, string(out))
	if err != nil {
		t.Fatalf("schema defaults do not load:\n%s\n%v", out, err)
	}
	if diff := cmp.Diff(Default(), c, cmpopts.IgnoreFields(Config{}, "Path", "RepoRoot")); diff != "" {
		t.Errorf("schema defaults differ from Default() (-Default +schema):\n%s\n%s", diff, out)
	}
}

// member returns the pairs of mapping node m, or with a key, the pair of
// that key (nil when absent). With a pair list as m, it uses its first
// value.
func member(m any, key ...string) [][2]*yaml.Node {
	var n *yaml.Node
	switch v := m.(type) {
	case *yaml.Node:
		n = v
	case [][2]*yaml.Node:
		if len(v) == 0 {
			return nil
		}
		n = v[0][1]
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if len(key) == 0 || n.Content[i].Value == key[0] {
			out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
		}
	}
	return out
}
