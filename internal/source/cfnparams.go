package source

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/secretgate/secretgate/internal/safefile"
)

// LoadCloudFormationParameters reads CloudFormation parameter values for
// Options.CloudFormationParameters from a file in one of the forms people
// keep them in:
//
//   - the AWS CLI's --parameters JSON: [{"ParameterKey": "Env",
//     "ParameterValue": "prod"}, …] (an entry with UsePreviousValue and
//     no ParameterValue is left out: its value is not in the file);
//   - a CodePipeline template configuration: {"Parameters": {"Env": "prod"}};
//   - a plain object: {"Env": "prod"}.
//
// Values that are lists (for CommaDelimitedList parameters) are joined
// with commas, numbers and booleans written as text.
func LoadCloudFormationParameters(path string) (map[string]string, error) {
	// A regular file of at most safefile.MaxConfig bytes: a FIFO or a
	// device named here would block or never end the read.
	data, err := safefile.Read(context.Background(), filepath.Dir(path), path, safefile.MaxConfig)
	if err != nil {
		return nil, fmt.Errorf("read CloudFormation parameters: %w", err)
	}
	params, err := parseCloudFormationParameters(data)
	if err != nil {
		return nil, fmt.Errorf("CloudFormation parameters %s: %w", path, err)
	}
	return params, nil
}

func parseCloudFormationParameters(data []byte) (map[string]string, error) {
	data = bytes.TrimPrefix(bytes.TrimSpace(data), []byte("\xEF\xBB\xBF"))
	out := map[string]string{}
	if bytes.HasPrefix(data, []byte("[")) {
		var list []struct {
			ParameterKey   *string         `json:"ParameterKey"`
			ParameterValue json.RawMessage `json:"ParameterValue"`
		}
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, fmt.Errorf("not the AWS CLI's --parameters JSON ([{\"ParameterKey\": …, \"ParameterValue\": …}]): %w", err)
		}
		for i, e := range list {
			if e.ParameterKey == nil || *e.ParameterKey == "" {
				return nil, fmt.Errorf("entry %d has no ParameterKey", i)
			}
			if e.ParameterValue == nil {
				continue // UsePreviousValue: not known from the file
			}
			v, err := paramText(e.ParameterValue)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", *e.ParameterKey, err)
			}
			out[*e.ParameterKey] = v
		}
		return out, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("neither the AWS CLI's --parameters JSON nor an object of parameter values: %w", err)
	}
	if inner, ok := obj["Parameters"]; ok && len(obj) <= 3 && bytes.HasPrefix(bytes.TrimSpace(inner), []byte("{")) {
		// A CodePipeline template configuration ({"Parameters", "Tags",
		// "StackPolicy"}).
		obj = nil
		if err := json.Unmarshal(inner, &obj); err != nil {
			return nil, fmt.Errorf("the Parameters object: %w", err)
		}
	}
	for k, raw := range obj {
		v, err := paramText(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// paramText is a JSON parameter value as CloudFormation receives it: text.
func paramText(raw json.RawMessage) (string, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case float64, bool:
		return strings.TrimSpace(string(raw)), nil
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return "", fmt.Errorf("list values must be strings")
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("value must be a string, number, boolean or list of strings")
}
