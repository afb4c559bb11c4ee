package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseErrorsDoNotShowAFileThatIsNotYAML: a file that is not YAML text,
// or not a YAML mapping, is reported without the secrets it may hold.
func TestParseErrorsDoNotShowAFileThatIsNotYAML(t *testing.T) {
	const secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY"
	tests := []struct {
		name, text, want string
	}{
		{"KEY=value lines", "AWS_SECRET_ACCESS_KEY=" + secret + "\n", "want a mapping"},
		{"binary", "fail_on: \x01" + secret + "\xff\n", "not a YAML text file"},
		{"invalid UTF-8", "fail_on: " + secret + "\xe9\n", "not a YAML text file"},
		{"a syntax error", "fail_on: [" + secret + "\n", "YAML syntax"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(p, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret[:8]) {
				t.Errorf("the error shows the file's contents: %v", err)
			}
		})
	}
}
