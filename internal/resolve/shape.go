package resolve

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
)

// Formats of a secret value.
const (
	FormatJSON        = "json"
	FormatString      = "string"
	FormatBinary      = "binary"
	FormatInvalidJSON = "invalid_json"
)

// judge fills in the shape of a value: its format, whether it is blank or
// a placeholder, and which required fields are missing, blank or
// placeholders.
func judge(fc *facts.Credential, cr config.Credential, v secretValue) {
	trimmed := bytes.TrimSpace(v.text)
	switch {
	case v.binary:
		fc.Format = FormatBinary
		fc.Empty = len(v.text) == 0
		fc.PlaceholderValue = utf8.Valid(v.text) && IsPlaceholder(string(v.text))
		return
	case len(trimmed) == 0:
		fc.Format, fc.Empty = FormatString, true
		return
	case trimmed[0] == '{' && cr.Type != config.CredentialString:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &obj); err != nil {
			fc.Format = FormatInvalidJSON
			return
		}
		fc.Format = FormatJSON
		fc.Empty = len(obj) == 0
		for _, name := range cr.Fields {
			raw, ok := obj[name]
			if !ok {
				fc.MissingFields = append(fc.MissingFields, name)
				continue
			}
			switch s, isString := jsonString(raw); {
			case isString && len(bytes.TrimSpace([]byte(s))) == 0, !isString && emptyJSON(raw):
				fc.EmptyFields = append(fc.EmptyFields, name)
			case isString && IsPlaceholder(s):
				fc.Placeholder = append(fc.Placeholder, name)
			}
		}
	default:
		fc.Format = FormatString
		fc.PlaceholderValue = IsPlaceholder(string(trimmed))
	}
}

// jsonString decodes raw when it is a JSON string.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// emptyJSON reports whether a non-string JSON value is null, {} or [].
func emptyJSON(raw json.RawMessage) bool {
	switch string(bytes.Join(bytes.Fields(raw), nil)) {
	case "null", "{}", "[]":
		return true
	}
	return false
}

// jsonFieldValues returns the top-level string values of a JSON object as
// byte slices owned by the caller (nil when text is not a JSON object).
func jsonFieldValues(text []byte) [][]byte {
	trimmed := bytes.TrimSpace(text)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &obj); err != nil {
		return nil
	}
	var out [][]byte
	for _, raw := range obj {
		if s, ok := jsonString(raw); ok {
			out = append(out, []byte(s))
		}
	}
	return out
}
