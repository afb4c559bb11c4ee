package policy

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
)

// TestRawFromASTEqualsGeneric holds the direct reading of findings
// (rawFromAST) to the reading of their generic Go form (rawFromObject,
// what OPA's default conversion gives), field types that are not strings
// included.
func TestRawFromASTEqualsGeneric(t *testing.T) {
	findings := []string{
		`{"rule": "r", "resource": "prod/a/api", "message": "m", "file": "dir/../inventory.json", "line": 12, "key": "k", "severity": "high"}`,
		`{"rule": "r", "resource": "x", "message": "m", "file": "", "line": 0, "remediation": "Scope it to secret:prod/*."}`,
		`{"rule": "r", "resource": 42, "message": ["a", 1], "file": "./a/b.json", "line": 3.5, "key": null, "severity": true}`,
		`{"rule": "r", "resource": {"b": 1, "a": [true, null]}, "message": "m", "line": "7", "commit": "abc", "waived": true, "waiver_reason": "why", "waiver_owner": "me"}`,
		`{"rule": "r", "waived": "yes", "extra": "ignored", "line": 99999999999}`,
		`{"rule": 7}`,
	}
	for _, text := range findings {
		t.Run(text, func(t *testing.T) {
			obj := ast.MustParseTerm(text).Value.(ast.Object)
			generic, err := ast.JSON(obj)
			if err != nil {
				t.Fatal(err)
			}
			want, err := rawFromObject(generic.(map[string]any))
			if err != nil {
				t.Fatal(err)
			}
			got, err := rawFromAST(obj)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("direct reading differs from the generic one (-generic +direct):\n%s", diff)
			}
		})
	}
}

func TestReadFindingsRefusesMalformed(t *testing.T) {
	tests := map[string]struct {
		value      string
		wantPolicy bool
	}{
		"not a set":     {`["a"]`, false},
		"not an object": {`{"a"}`, false},
		"no rule id":    {`{{"message": "m"}}`, true},
		"empty rule id": {`{{"rule": ""}}`, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := readFindings(ast.MustParseTerm(tc.value), nil)
			var re readError
			if !errors.As(err, &re) {
				t.Fatalf("readFindings(%s) = %v, want a readError", tc.value, err)
			}
			if got := errors.Is(err, ErrPolicy); got != tc.wantPolicy {
				t.Errorf("readFindings(%s): errors.Is(ErrPolicy) = %v, want %v (%v)", tc.value, got, tc.wantPolicy, err)
			}
		})
	}
}
