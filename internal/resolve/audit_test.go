package resolve_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/resolve"
)

// brokenWriter fails every write after the first ok ones.
type brokenWriter struct {
	ok   int
	err  error
	seen int
}

func (w *brokenWriter) Write(p []byte) (int, error) {
	w.seen++
	if w.seen > w.ok {
		return 0, w.err
	}
	return len(p), nil
}

// TestAuditLogErr: a writer that fails is reported once, with its first
// error and how many lines it lost, not once per line; the writers that
// work still get every line; no failure, no error.
func TestAuditLogErr(t *testing.T) {
	full := errors.New("write /var/log/audit.jsonl: no space left on device")
	gone := errors.New("write /dev/stderr: bad file descriptor")
	tests := []struct {
		name    string
		broken  []*brokenWriter
		records int
		want    string // "" for no error
	}{
		{"no failure", nil, 3, ""},
		{"every line lost", []*brokenWriter{{err: full}}, 3, full.Error() + " (3 of 3 lines not written)"},
		{"fails after the first line", []*brokenWriter{{ok: 1, err: full}}, 3, full.Error() + " (2 of 3 lines not written)"},
		{"two writers fail", []*brokenWriter{{err: full}, {ok: 2, err: gone}}, 3,
			full.Error() + " (3 of 3 lines not written)\n" + gone.Error() + " (1 of 3 lines not written)"},
		{"nothing recorded", []*brokenWriter{{err: full}}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var good bytes.Buffer
			writers := []io.Writer{&good}
			for _, b := range tt.broken {
				writers = append(writers, b)
			}
			a := resolve.NewAuditLog(writers...)
			for i := 0; i < tt.records; i++ {
				a.Record(resolve.AuditRecord{SecretID: "prod/pay/token", VersionStage: "AWSCURRENT", Outcome: "read"})
			}
			got := ""
			if err := a.Err(); err != nil {
				got = err.Error()
				if len(tt.broken) > 0 && !errors.Is(err, tt.broken[0].err) {
					t.Errorf("Err() does not wrap the writer's error %v", tt.broken[0].err)
				}
			}
			if got != tt.want {
				t.Errorf("Err() = %q, want %q", got, tt.want)
			}
			if n := strings.Count(good.String(), "\n"); n != tt.records {
				t.Errorf("the working writer got %d lines, want %d", n, tt.records)
			}
		})
	}
}
