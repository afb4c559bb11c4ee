package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// fullDevice is Linux's /dev/full, where every write fails with ENOSPC
// (checked here, so a test relying on it cannot pass for the wrong reason).
func fullDevice(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("/dev/full is Linux's")
	}
	f, err := os.OpenFile("/dev/full", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatalf("open /dev/full: %v", err)
	}
	defer f.Close()
	if _, err := f.Write([]byte("{}\n")); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("a write to /dev/full returned %v, want ENOSPC", err)
	}
	return "/dev/full"
}

// TestAuditLogUnwritable proves that an --audit-log file the audit lines
// cannot be written to fails closed: the resolve check is an error naming
// the file and the reason, and the run is incomplete (exit 3) unless
// findings already fail it (exit 1, the error still in the report). The
// lines still reach the job log, and no secret value appears anywhere.
func TestAuditLogUnwritable(t *testing.T) {
	full := fullDevice(t)
	e := newAWSEmulator(t)
	apiKey, apiSecret := randomValue(t, 24), randomValue(t, 40)
	good := `{"api_key":"` + apiKey + `","api_secret":"` + apiSecret + `"}`
	e.put(t, "prod/auditgood/api", good)
	e.put(t, "prod/auditgood/api", good) // an AWSPREVIOUS version
	e.put(t, "prod/auditnoprev/api", good)
	written := filepath.Join(t.TempDir(), "audit.jsonl")

	tests := []struct {
		name       string
		auditLog   string
		secrets    []string
		wantCode   int
		wantStatus result.Status
		wantError  []string
		wantRules  map[string]int
		// wantFileReads is the number of reads of prod/auditgood/api the
		// file holds afterwards (AWSCURRENT and AWSPREVIOUS); -1: not read.
		wantFileReads int
	}{
		{"writable file", written, []string{"prod/auditgood/api"}, result.ExitOK, result.StatusOK, nil, map[string]int{}, 2},
		{"full device is incomplete", full, []string{"prod/auditgood/api"}, result.ExitIncomplete, result.StatusError,
			[]string{"audit log: write " + full + ": no space left on device (2 of 2 lines not written)"}, map[string]int{}, -1},
		{"full device and a finding fail", full, []string{"prod/auditgood/api", "prod/auditnoprev/api"}, result.ExitFindings, result.StatusError,
			[]string{"audit log: write " + full + ": no space left on device (4 of 4 lines not written)"}, map[string]int{"resolve-no-previous-version": 1}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := "credentials:\n"
			for _, s := range tt.secrets {
				cfg += "  - secret: " + s + "\n"
			}
			writeIn(t, dir, ".secretgate.yml", cfg)
			r := secretgate(t, e.env(), "check", "--path", dir, "--only", "resolve", "--format", "json", "--now", now,
				"--audit-log", tt.auditLog)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			rep := jsonReport(t, r)
			if got := rules(rep); !equalCounts(got, tt.wantRules) {
				t.Errorf("findings %v, want %v", got, tt.wantRules)
			}
			c := checkByID(rep, result.CheckResolve)
			if c.Status != tt.wantStatus {
				t.Errorf("resolve check %s (%q), want %s", c.Status, c.Error, tt.wantStatus)
			}
			for _, want := range tt.wantError {
				if !strings.Contains(c.Error, want) {
					t.Errorf("resolve check error %q lacks %q", c.Error, want)
				}
			}
			if incomplete := tt.wantStatus == result.StatusError; rep.Summary.Incomplete != incomplete {
				t.Errorf("summary.incomplete = %v, want %v", rep.Summary.Incomplete, incomplete)
			}
			// The job log keeps its copy of every read.
			if n := strings.Count(r.stderr, `"event":"secretsmanager:GetSecretValue"`); n < len(tt.secrets) {
				t.Errorf("%d audit lines in the job log, want at least %d:\n%s", n, len(tt.secrets), r.stderr)
			}
			for _, v := range []string{apiKey, apiSecret} {
				if strings.Contains(r.stdout, v) || strings.Contains(r.stderr, v) {
					t.Errorf("a secret value appears in the output")
				}
			}
			if tt.wantFileReads < 0 {
				return
			}
			b, err := os.ReadFile(tt.auditLog)
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(b), `"secret_id":"prod/auditgood/api"`); n != tt.wantFileReads {
				t.Errorf("audit file holds %d reads of prod/auditgood/api, want %d:\n%s", n, tt.wantFileReads, b)
			}
		})
	}
}
