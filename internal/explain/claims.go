package explain

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ShownClaims are the token claims an explanation may show. Other claims
// are used for the verdict but their values never appear in an
// Explanation or its rendering.
var ShownClaims = []string{
	"sub", "aud", "iss",
	"repository", "repository_id", "repository_owner", "repository_owner_id",
	"ref", "ref_type", "environment", "event_name", "head_ref", "base_ref",
	"job_workflow_ref", "workflow_ref",
}

var shown = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range ShownClaims {
		m[c] = true
	}
	return m
}()

// ErrNotClaims marks input that is not a decoded claims object (a token,
// say, or broken JSON).
var ErrNotClaims = errors.New("not a JSON object of token claims")

// ClaimsFromToken decodes the payload of a JWT (header.payload.signature)
// without verifying it: the claims only serve to explain a decision that
// AWS already made with the verified token. Errors never contain the token.
func ClaimsFromToken(token string) (map[string]any, error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 || parts[1] == "" {
		return nil, fmt.Errorf("token: %w: want three dot-separated parts, got %d", ErrNotClaims, len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, fmt.Errorf("token: %w: payload is not base64url", ErrNotClaims)
	}
	claims, err := ClaimsFromJSON(payload)
	if err != nil {
		return nil, fmt.Errorf("token payload: %w", err)
	}
	return claims, nil
}

// ClaimsFromJSON reads a decoded token payload: one JSON object. Numbers
// are kept as json.Number. A token (or anything that is not a JSON object)
// is refused without echoing it.
func ClaimsFromJSON(data []byte) (map[string]any, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		if looksLikeToken(data) {
			return nil, fmt.Errorf("%w: this looks like a token; give its decoded payload (the claims JSON) instead", ErrNotClaims)
		}
		return nil, ErrNotClaims
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%w: invalid JSON at byte %d", ErrNotClaims, se.Offset)
		}
		return nil, fmt.Errorf("%w: %s", ErrNotClaims, typeErrorText(err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: more than one JSON value", ErrNotClaims)
	}
	return claims, nil
}

func typeErrorText(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("want an object, got %s", te.Value)
	}
	return "invalid JSON"
}

func looksLikeToken(data []byte) bool {
	s := string(data)
	return strings.Count(s, ".") == 2 && strings.HasPrefix(s, "eyJ")
}

// shownClaims returns the listed claims of claims as strings (lists joined
// with ", "), the others and empty ones left out.
func shownClaims(claims map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range claims {
		if !shown[k] {
			continue
		}
		if s, ok := claimText(v); ok && s != "" {
			out[k] = s
		}
	}
	return out
}

func claimText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case []any:
		var parts []string
		for _, e := range x {
			if s, ok := claimText(e); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", "), len(parts) > 0
	default:
		return fmt.Sprint(x), true
	}
}

// sortedKeys returns the keys of m in ShownClaims order.
func sortedKeys(m map[string]string) []string {
	order := map[string]int{}
	for i, c := range ShownClaims {
		order[c] = i
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return order[keys[i]] < order[keys[j]] })
	return keys
}
