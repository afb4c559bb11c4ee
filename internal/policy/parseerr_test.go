package policy

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A policy file that does not parse is reported with its file (and line,
// for text) and never echoes its contents: not the source line OPA quotes
// under each error, not a literal or a name a message quotes. A symlink to
// /proc/self/environ (NUL-separated, a token among the variables) and text
// files with a secret on the failing line alike, in check and in policy
// test.
func TestParseErrorsDoNotEchoSource(t *testing.T) {
	const canary = "ghp_Canary4f9e2b7c1dA"
	tests := []struct {
		name, text string
		want       []string // in the error
	}{
		{"environment (NUL-separated)", "PATH=/usr/bin\x00GITHUB_TOKEN=" + canary + "\x00HOME=/root\x00", []string{"x.rego", "not a Rego text file"}},
		{"invalid UTF-8", "package x\n\nfoo := \"\xff" + canary + "\"\n", []string{"x.rego", "not a Rego text file"}},
		{"unterminated string", "package x\n\nimport rego.v1\n\nfoo := \"unterminated " + canary + "\n", []string{"x.rego:5", "non-terminated string"}},
		{"credentials file", "aws_secret_access_key = " + canary + " !\n", []string{"x.rego:1", "rego_parse_error"}},
		{"name in a message", canary + " = [\n", []string{"x.rego:2", "expected rule value term"}},
		{"import path", "package x\n\nimport rego.v1\n\nimport data." + canary + ".contains\n", []string{"x.rego:5", "must not end with a keyword"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var outputs []string

			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "x.rego"), tc.text)
			_, err := Load(context.Background(), []string{dir})
			if err == nil || !errors.Is(err, ErrPolicy) {
				t.Fatalf("Load error = %v, want a policy error", err)
			}
			outputs = append(outputs, err.Error())
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}

			tdir := t.TempDir()
			writeFile(t, filepath.Join(tdir, "x_test.rego"), tc.text)
			var out bytes.Buffer
			_, err = Test(context.Background(), &out, TestOptions{Dirs: []string{tdir}})
			if err == nil {
				t.Error("policy test accepted a file that does not parse")
			} else {
				outputs = append(outputs, err.Error())
			}
			outputs = append(outputs, out.String())

			for _, o := range outputs {
				if strings.Contains(o, canary) || strings.Contains(o, "GITHUB_TOKEN") {
					t.Errorf("output echoes the source: %q", o)
				}
			}
		})
	}
}

// The symlink of the red-team review: policy/x.rego -> /proc/self/environ
// shows none of the environment (the one the process started with).
func TestParseErrorOfEnvironSymlink(t *testing.T) {
	environ, err := os.ReadFile("/proc/self/environ")
	if err != nil || len(environ) == 0 {
		t.Skip("no /proc/self/environ here")
	}
	dir := t.TempDir()
	if err := os.Symlink("/proc/self/environ", filepath.Join(dir, "x.rego")); err != nil {
		t.Skip(err)
	}
	_, err = Load(context.Background(), []string{dir})
	if err == nil {
		t.Fatal("the environment parsed as Rego")
	}
	for _, kv := range bytes.Split(environ, []byte{0}) {
		if len(kv) >= 8 && strings.Contains(err.Error(), string(kv)) {
			t.Errorf("the error shows the environment variable %.4s…", kv)
		}
	}
}
