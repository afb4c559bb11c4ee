package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// injection is repository text that would steer a GitHub Actions log: a
// line break and an annotation of its own, a mask and a stop-commands
// (which would silence secretgate's own annotations after it).
const injection = "Admin\n::error::INJECTED-SID ##[add-mask]MASKME ##[stop-commands]STOPTOKEN"

// ownAnnotation is the shape of secretgate's own workflow commands: with
// properties (file, line, title) or a notice.
var ownAnnotation = regexp.MustCompile(`^::(error|warning|notice) (file|title)=`)

// noInjectedCommand fails when a line of out could be read by the runner as
// a workflow command that secretgate did not write itself.
func noInjectedCommand(t *testing.T, where, out string) {
	t.Helper()
	for _, line := range strings.Split(strings.ReplaceAll(out, "\r", "\n"), "\n") {
		trimmed := strings.TrimLeft(line, " \t\v\f\u00a0")
		if strings.HasPrefix(trimmed, "::") && !ownAnnotation.MatchString(trimmed) {
			t.Errorf("%s: line starts a workflow command: %q", where, line)
		}
		if strings.Contains(line, "##[") {
			t.Errorf("%s: line carries ##[: %q", where, line)
		}
	}
}

// Repository text (an IAM Sid, a file name, a configured path) cannot
// inject workflow commands through anything secretgate prints: the text,
// JSON, SARIF and Markdown reports on standard output, the annotations of
// --github and the errors on standard error. JSON and SARIF stay valid and
// carry the text unchanged.
func TestRepositoryTextInjectsNoWorkflowCommands(t *testing.T) {
	dir := leakRepo(t)
	sid, err := json.Marshal(injection)
	if err != nil {
		t.Fatal(err)
	}
	const file = "iam/x##[stop-commands]FILETOKEN.json"
	writeIn(t, dir, file, `{"Version": "2012-10-17", "Statement": [{"Sid": `+string(sid)+`, "Effect": "Allow", "Action": "*", "Resource": "*"}]}`)
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "admin\n::error::INJECTED-COMMIT ##[add-mask]x")

	for _, format := range []string{"text", "json", "sarif", "markdown"} {
		t.Run(format, func(t *testing.T) {
			r := secretgate(t, nil, "check", "--offline", "--now", now, "--path", dir, "--format", format)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1 (the admin policy)\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
			}
			noInjectedCommand(t, "stdout", r.stdout)
			noInjectedCommand(t, "stderr", r.stderr)
			if !strings.Contains(r.stdout, "INJECTED-SID") {
				t.Errorf("the report does not show the Sid at all:\n%s", r.stdout)
			}
			switch format {
			case "json":
				rep := jsonReport(t, r)
				found := false
				for _, f := range rep.Findings {
					if f.Rule == "iam-wildcard-action" {
						found = true
						if f.File != file || !strings.Contains(f.Message, injection) {
							t.Errorf("finding changed by the escaping: file %q, message %q", f.File, f.Message)
						}
					}
				}
				if !found {
					t.Errorf("no iam-wildcard-action finding: %v", rules(rep))
				}
			case "sarif":
				var log map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
					t.Fatalf("SARIF is not JSON any more: %v", err)
				}
				if !strings.Contains(mustJSON(t, log), strings.Trim(string(sid), `"`)) {
					t.Error("SARIF does not carry the Sid unchanged")
				}
			}
		})
	}

	t.Run("github annotations", func(t *testing.T) {
		env := []string{"GITHUB_ACTIONS=true", "GITHUB_WORKSPACE=" + dir}
		for _, format := range []string{"text", "json"} {
			r := secretgate(t, env, "check", "--offline", "--now", now, "--path", dir, "--github", "--format", format)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
			}
			noInjectedCommand(t, format+" stdout", r.stdout)
			noInjectedCommand(t, format+" stderr", r.stderr)
			if !strings.Contains(r.stdout+r.stderr, "::error file=iam/x##") {
				t.Errorf("%s: secretgate's own annotation is missing:\nstdout: %s\nstderr: %s", format, r.stdout, r.stderr)
			}
		}
	})

	t.Run("errors on stderr", func(t *testing.T) {
		writeIn(t, dir, ".secretgate.yml", `policies: ["pol\n::error::INJECTED-CONFIG ##[stop-commands]CFGTOKEN"]`+"\n")
		r := secretgate(t, nil, "check", "--offline", "--path", dir)
		if r.code != 2 {
			t.Fatalf("exit %d, want 2 (no such policy directory)\nstderr: %s", r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "INJECTED-CONFIG") {
			t.Fatalf("stderr does not show the path: %s", r.stderr)
		}
		noInjectedCommand(t, "stderr", r.stderr)
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
