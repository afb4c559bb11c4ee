package ghaction

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

var high = result.Threshold{Min: result.SeverityHigh}

func finding(sev result.Severity, file string, line int, msg string) result.Finding {
	return result.Finding{Rule: "r1", Check: result.CheckLeaks, Severity: sev, Title: "T", Message: msg, File: file, Line: line, New: true, Fingerprint: fmt.Sprint(sev, file, line, msg)}
}

func annotate(t *testing.T, r result.Report, opts AnnotateOptions) (string, AnnotationStats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := Annotate(&buf, r, opts)
	if err != nil {
		t.Fatal(err)
	}
	return buf.String(), st
}

func TestAnnotationEscaping(t *testing.T) {
	tests := []struct {
		name string
		f    result.Finding
		want string
	}{
		{"plain", finding(result.SeverityHigh, "a/b.json", 3, "bad"),
			"::error file=a/b.json,line=3,title=secretgate high%3A T (new)::bad%0ARule: r1\n"},
		{"percent and line breaks in the message", finding(result.SeverityHigh, "f", 1, "100% bad\r\nnext\nline"),
			"::error file=f,line=1,title=secretgate high%3A T (new)::100%25 bad%0Anext%0Aline%0ARule: r1\n"},
		{"colon and comma in the file property", finding(result.SeverityHigh, "c:d,e.json", 2, "m"),
			"::error file=c%3Ad%2Ce.json,line=2,title=secretgate high%3A T (new)::m%0ARule: r1\n"},
		{"a newline in a file name cannot start a new command", finding(result.SeverityHigh, "x\n::error::pwned", 1, "m"),
			"::error file=x %3A%3Aerror%3A%3Apwned,line=1,title=secretgate high%3A T (new)::m%0ARule: r1\n"},
		{"ANSI and bidi controls are made visible", finding(result.SeverityHigh, "f", 1, "\x1b[31mred\u202eevil"),
			"::error file=f,line=1,title=secretgate high%3A T (new)::\\x1b[31mred\\u202eevil%0ARule: r1\n"},
		{"no file: no file property, the resource in the message", result.Finding{Rule: "rot", Severity: result.SeverityMedium, Title: "Rotate", Message: "old", Resource: "prod/db"},
			"::warning title=secretgate medium%3A Rotate::old%0AResource: prod/db%0ARule: rot\n"},
		{"title with colon and comma", result.Finding{Rule: "x", Severity: result.SeverityLow, Title: "a: b, c", Message: "m", File: "f"},
			"::warning file=f,title=secretgate low%3A a%3A b%2C c::m%0ARule: x\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := annotate(t, result.Report{Findings: []result.Finding{tc.f}}, AnnotateOptions{Threshold: high})
			if got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
				if !strings.HasPrefix(line, "::") {
					t.Errorf("output line %q is not a workflow command", line)
				}
			}
		})
	}
}

func TestAnnotationKinds(t *testing.T) {
	r := result.Report{Findings: []result.Finding{
		finding(result.SeverityCritical, "new.json", 1, "new critical"),
		{Rule: "r", Severity: result.SeverityCritical, Message: "existing critical", File: "old.json", Fingerprint: "old"},
		{Rule: "r", Severity: result.SeverityCritical, Message: "waived", File: "w.json", Waived: true, Fingerprint: "w"},
		finding(result.SeverityLow, "low.json", 1, "low"),
	}}
	got, st := annotate(t, r, AnnotateOptions{Threshold: result.Threshold{Min: result.SeverityHigh, NewOnly: true}, PathPrefix: "svc"})
	if st.Errors != 1 || st.Warnings != 2 || st.LeftOut != 0 {
		t.Errorf("stats %+v, want 1 error (the new critical), 2 warnings", st)
	}
	for _, want := range []string{"::error file=svc/new.json", "::warning file=svc/old.json", "::warning file=svc/low.json"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "waived") {
		t.Error("a waived finding was annotated")
	}
}

func TestAnnotationCap(t *testing.T) {
	var fs []result.Finding
	for i := range 25 {
		fs = append(fs, finding(result.SeverityCritical, fmt.Sprintf("c%02d", i), 1, "c"))
		fs = append(fs, finding(result.SeverityMedium, fmt.Sprintf("m%02d", i), 1, "m"))
	}
	fs = append(fs, finding(result.SeverityHigh, "h", 1, "h"))
	got, st := annotate(t, result.Report{Findings: fs}, AnnotateOptions{Threshold: high})
	if st.Errors != MaxPerKind || st.Warnings != MaxPerKind || st.LeftOut != 51-2*MaxPerKind {
		t.Fatalf("stats %+v", st)
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 2*MaxPerKind+1 {
		t.Fatalf("%d commands, want %d", len(lines), 2*MaxPerKind+1)
	}
	// Worst first: the ten errors are criticals, the high is left out.
	if strings.Contains(got, "file=h,") {
		t.Error("the high finding was annotated before all criticals")
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "::notice title=secretgate%3A more findings::31 more findings were not annotated") {
		t.Errorf("last line %q is not the left-out notice", last)
	}
	if n := strings.Count(got, "::notice"); n != 1 {
		t.Errorf("%d notices", n)
	}
}

func TestWriteOutputs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "output")
	if err := os.WriteFile(path, []byte("earlier=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteOutputs(path, []Output{
		{Name: "high", Value: "2"},
		{Name: "report-json", Value: "/tmp/r.json"},
		{Name: "empty", Value: ""},
		{Name: "multi", Value: "line 1\nline 2\n_GitHubActionsFileCommandDelimeter_\nevil=1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	got := parseOutputFile(t, string(b))
	want := map[string]string{
		"earlier": "1", "high": "2", "report-json": "/tmp/r.json", "empty": "",
		"multi": "line 1\nline 2\n_GitHubActionsFileCommandDelimeter_\nevil=1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("output %s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["evil"]; ok || len(got) != len(want) {
		t.Errorf("outputs %v", got)
	}
	for _, bad := range []string{"", "a=b", "a\nb", "a<<b"} {
		if err := WriteOutputs(path, []Output{{Name: bad, Value: "x"}}); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	if err := WriteOutputs("", nil); err == nil {
		t.Error("no GITHUB_OUTPUT accepted")
	}
}

// parseOutputFile reads $GITHUB_OUTPUT the way the runner does: name=value
// lines, and name<<DELIM blocks up to a line that is exactly DELIM.
func parseOutputFile(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if name, delim, ok := strings.Cut(l, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			i++
			for ; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("delimiter %q never closes", delim)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("line %q is neither name=value nor name<<delimiter", l)
		}
		out[name] = val
	}
	return out
}

func TestAppendSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary")
	if err := os.WriteFile(path, []byte("# earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := AppendSummary(path, "### secretgate"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "# earlier step\n### secretgate\n" {
		t.Errorf("summary %q", b)
	}
	if err := AppendSummary(filepath.Join(t.TempDir(), "no", "such", "dir"), "x"); err == nil {
		t.Error("no error for an unwritable summary")
	}
}
