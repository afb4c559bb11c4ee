package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/awstest"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/run"
)

// auditSink stands for an --audit-log file whose close fails (as a close
// on a network file system can report a write that did not reach the
// disk); writes succeed.
type auditSink struct {
	bytes.Buffer
	closeErr error
	closed   int
}

func (s *auditSink) Close() error {
	s.closed++
	return s.closeErr
}

// TestAuditLogCloseFails proves that an --audit-log file that cannot be
// closed cleanly fails the run closed: exit 3 with an error naming the
// file, unless findings already fail it (exit 1, the error on stderr); the
// report is still written, the file is closed exactly once, and no secret
// value appears in any output. Its write errors are
// cmd/secretgate's TestAuditLogUnwritable.
func TestAuditLogCloseFails(t *testing.T) {
	e := awstest.Start(t)
	for _, kv := range e.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	key, secret := "k-"+strings.Repeat("7f3a", 6), "s-"+strings.Repeat("c91e", 10)
	value := `{"api_key":"` + key + `","api_secret":"` + secret + `"}`
	e.CreateSecret(t, "prod/auditclose/api", value, nil)
	e.PutSecretValue(t, "prod/auditclose/api", value) // an AWSPREVIOUS version
	e.CreateSecret(t, "prod/auditnoprev/api", value, nil)

	lost := errors.New("close audit.jsonl: input/output error")
	tests := []struct {
		name       string
		closeErr   error
		secrets    []string
		wantCode   int
		wantStderr bool // the close error on stderr (exit 1: the report fails the run)
	}{
		{"closes cleanly", nil, []string{"prod/auditclose/api"}, result.ExitOK, false},
		{"close fails", lost, []string{"prod/auditclose/api"}, result.ExitIncomplete, false},
		{"close fails and a finding fails", lost, []string{"prod/auditclose/api", "prod/auditnoprev/api"}, result.ExitFindings, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := "credentials:\n"
			for _, s := range tt.secrets {
				cfg += "  - secret: " + s + "\n"
			}
			if err := os.WriteFile(filepath.Join(dir, ".secretgate.yml"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			sink := &auditSink{closeErr: tt.closeErr}
			auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
			testPlan = func(p *run.Plan) {
				p.OpenAuditLog = func(path string) (io.WriteCloser, error) {
					if path != auditPath {
						t.Errorf("opened %q, want %q", path, auditPath)
					}
					return sink, nil
				}
			}
			defer func() { testPlan = nil }()

			var stdout, stderr bytes.Buffer
			err := Run(context.Background(), []string{"check", "--path", dir, "--only", "resolve", "--format", "json",
				"--now", "2026-11-26T12:00:00Z", "--audit-log", auditPath}, &stdout, &stderr, envOf(nil))
			code := result.ExitOK
			var ee *ExitError
			if errors.As(err, &ee) {
				code = ee.Code
			} else if err != nil {
				t.Fatalf("check: %v", err)
			}
			if code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d\n%s", code, err, tt.wantCode, stderr.String())
			}
			// The message: from the error (exit 3) or on stderr (exit 1).
			said := stderr.String()
			if ee != nil && ee.Err != nil {
				said += ee.Err.Error()
			}
			if tt.closeErr != nil {
				for _, want := range []string{"--audit-log " + auditPath, "could not be closed", lost.Error()} {
					if !strings.Contains(said, want) {
						t.Errorf("the close error is not said (%q missing):\n%s", want, said)
					}
				}
				if inStderr := strings.Contains(stderr.String(), lost.Error()); inStderr != tt.wantStderr {
					t.Errorf("close error on stderr: %v, want %v", inStderr, tt.wantStderr)
				}
			} else if strings.Contains(said, "could not be closed") {
				t.Errorf("a clean close reported as failed:\n%s", said)
			}
			if sink.closed != 1 {
				t.Errorf("audit log closed %d times, want once", sink.closed)
			}
			// The reads were written before the close; the report too.
			if n := strings.Count(sink.String(), `"secret_id":"prod/auditclose/api"`); n != 2 {
				t.Errorf("%d audit lines of prod/auditclose/api, want 2:\n%s", n, sink.String())
			}
			var rep result.Report
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, stdout.String())
			}
			for _, out := range []string{stdout.String(), stderr.String(), sink.String(), said} {
				if strings.Contains(out, key) || strings.Contains(out, secret) {
					t.Errorf("a secret value appears in the output")
				}
			}
		})
	}
}
