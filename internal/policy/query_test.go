package policy

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func TestEvalLibraryFunction(t *testing.T) {
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		query string
		input any
		want  any
		err   error
	}{
		{
			name:  "function over input",
			query: "data.secretgate.lib.trust.token_provider(input.claims)",
			input: map[string]any{"claims": map[string]any{"iss": "https://token.actions.githubusercontent.com/acme/"}},
			want:  "token.actions.githubusercontent.com/acme",
		},
		{
			name:  "same query again uses the prepared one",
			query: "data.secretgate.lib.trust.token_provider(input.claims)",
			input: map[string]any{"claims": map[string]any{}},
			want:  "token.actions.githubusercontent.com",
		},
		{
			name:  "number result",
			query: "count(input.list)",
			input: map[string]any{"list": []any{1, 2, 3}},
			want:  json.Number("3"),
		},
		{
			name:  "undefined",
			query: "data.secretgate.lib.trust.no_such_rule",
			input: nil,
			err:   ErrUndefined,
		},
		{
			name:  "failing built-in",
			query: "to_number(input.x)",
			input: map[string]any{"x": "not a number"},
			err:   ErrPolicy,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := eng.Eval(context.Background(), tt.query, tt.input)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
	if n := len(eng.queries.m); n != 4 {
		t.Errorf("%d prepared queries cached, want 4", n)
	}
}
