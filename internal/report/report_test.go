package report

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/secretgate/secretgate/internal/result"
)

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		format  string
		want    Reporter
		wantErr bool
	}{
		{"text", &Text{}, false},
		{"json", &JSON{}, false},
		{"sarif", &SARIF{}, false},
		{"markdown", &Markdown{}, false},
		{"xml", nil, true},
		{"", nil, true},
		{"Text", nil, true},
		{"md", nil, true},
	} {
		t.Run(tc.format, func(t *testing.T) {
			got, err := New(tc.format, Options{})
			if tc.wantErr {
				if err == nil {
					t.Fatalf("New(%q) = %T, want an error", tc.format, got)
				}
				for _, f := range Formats {
					if !strings.Contains(err.Error(), f) {
						t.Errorf("error %q does not list %q", err, f)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if reflect.TypeOf(got) != reflect.TypeOf(tc.want) {
				t.Errorf("New(%q) = %T, want %T", tc.format, got, tc.want)
			}
		})
	}
}

func TestColorFor(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	var nilFile *os.File
	for _, tc := range []struct {
		name string
		w    io.Writer
		env  map[string]string
	}{
		{"buffer", &bytes.Buffer{}, nil},
		{"regular file", file, nil},
		{"nil file", nilFile, nil},
		{"NO_COLOR", os.Stdout, map[string]string{"NO_COLOR": "1"}},
		{"TERM=dumb", os.Stdout, map[string]string{"TERM": "dumb"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ColorFor(tc.w, env(tc.env)) {
				t.Error("colour on, want off")
			}
		})
	}
	// A terminal is needed for the "on" case; use one when the test has it.
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		t.Run("tty", func(t *testing.T) {
			if !ColorFor(tty, env(nil)) {
				t.Error("colour off on a terminal")
			}
			if ColorFor(tty, env(map[string]string{"NO_COLOR": "x"})) {
				t.Error("NO_COLOR ignored on a terminal")
			}
		})
	}
}

func TestTextColor(t *testing.T) {
	plain := string(render(t, FormatText, Options{}, failingReport()))
	if strings.Contains(plain, "\x1b[") {
		t.Error("escape sequences without Options.Color")
	}
	colored := string(render(t, FormatText, Options{Color: true}, failingReport()))
	if !strings.Contains(colored, ansiBRed+"FAILED"+ansiReset) {
		t.Error("verdict not coloured with Options.Color")
	}
	// The same text once the colour is taken out.
	if got := strings.NewReplacer(ansiReset, "", ansiBold, "", ansiDim, "", ansiRed, "", ansiBRed, "", ansiGreen, "", ansiYellow, "", ansiCyan, "").Replace(colored); got != plain {
		t.Errorf("coloured text differs from plain text beyond the colour:\n%s", cmp.Diff(plain, got))
	}
}

// TestTextNoTerminalInjection: escape sequences in report strings reach the
// terminal only as visible text.
func TestTextNoTerminalInjection(t *testing.T) {
	r := hostileReport()
	r.Findings[0].Rule = "rule\x1b]0;pwned\x07"
	r.Checks[1].Error = "\x1b[2J\x1b[Hcleared"
	out := string(render(t, FormatText, Options{}, r))
	if strings.ContainsAny(out, "\x1b\x07\u202e\r") {
		t.Errorf("control characters reach the terminal:\n%q", out)
	}
	for _, want := range []string{`rule\x1b]0;pwned\x07`, `\x1b[2J\x1b[Hcleared`, `\u202eevil`} {
		if !strings.Contains(out, want) {
			t.Errorf("%q not shown as visible text", want)
		}
	}
}

// TestTextGroupsByCheck: checks in result.Families order then config,
// findings worst first within each.
func TestTextGroupsByCheck(t *testing.T) {
	out := string(render(t, FormatText, Options{}, failingReport()))
	last := -1
	for _, id := range append(result.Families, result.CheckConfig) {
		i := strings.Index(out, "\n"+id+": ")
		if i < 0 {
			t.Fatalf("no status line for %s", id)
		}
		if i < last {
			t.Errorf("%s out of order", id)
		}
		last = i
	}
	rot := out[strings.Index(out, "\nrotation: "):strings.Index(out, "\niam: ")]
	if h, l, i := strings.Index(rot, "HIGH"), strings.Index(rot, "LOW"), strings.Index(rot, "INFO"); h >= l || l >= i {
		t.Errorf("rotation findings not worst first:\n%s", rot)
	}
	for _, want := range []string{
		"iam: error — AccessDenied",
		"resolve: skipped — offline run",
		"could not read infra/broken.json:3: invalid character",
		"skipped assets/logo.png: binary file",
		"waived (2):",
		"vendor cannot rotate before Q3 (owner payments-team)",
		"\nsummary: 2 critical, 2 high, 1 medium, 1 low, 1 info, 2 waived",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	active, waived, ok := strings.Cut(out, "waived (2):")
	if !ok || strings.Contains(active, "prod/legacy/db") || !strings.Contains(waived, "prod/legacy/db") {
		t.Error("a waived finding is listed among the active ones")
	}
}

func TestJSONContract(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			r := fx.report()
			out := render(t, FormatJSON, Options{}, r)
			if !bytes.HasSuffix(out, []byte("}\n")) || bytes.HasSuffix(out, []byte("\n\n")) {
				t.Error("want exactly one trailing newline")
			}
			if !bytes.HasPrefix(out, []byte("{\n  \"schema\": \"secretgate/report/v1\",\n")) {
				t.Errorf("want two-space indentation and the schema first:\n%.80s", out)
			}
			var doc map[string]any
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"schema", "tool", "context", "checks", "findings", "summary"} {
				if _, ok := doc[key]; !ok {
					t.Errorf("no %q", key)
				}
			}
			for _, key := range []string{"checks", "findings"} {
				if _, ok := doc[key].([]any); !ok {
					t.Errorf("%q is %T, want an array", key, doc[key])
				}
			}
			for _, f := range doc["findings"].([]any) {
				for _, key := range []string{"rule", "check", "severity", "title", "message", "resource", "fingerprint", "new", "waived"} {
					if _, ok := f.(map[string]any)[key]; !ok {
						t.Errorf("finding lacks %q: %v", key, f)
					}
				}
			}
			sum := doc["summary"].(map[string]any)
			for _, key := range []string{"critical", "high", "medium", "low", "info", "failed", "incomplete"} {
				if _, ok := sum[key]; !ok {
					t.Errorf("summary lacks %q", key)
				}
			}
			if _, ok := doc["rules"]; ok {
				t.Error("the JSON report carries the rule catalogue")
			}

			// Everything but the catalogue comes back.
			var back result.Report
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(r, back, cmpopts.IgnoreFields(result.Report{}, "Rules"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("round trip (-rendered +decoded):\n%s", diff)
			}
		})
	}
}

func TestJSONEmptyReport(t *testing.T) {
	out := string(render(t, FormatJSON, Options{}, result.Report{}))
	for _, want := range []string{`"schema": "secretgate/report/v1"`, `"checks": []`, `"findings": []`} {
		if !strings.Contains(out, want) {
			t.Errorf("empty report lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "null") {
		t.Errorf("null in the empty report:\n%s", out)
	}
}

func TestEmptyReportEveryFormat(t *testing.T) {
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			out := render(t, f, Options{}, result.Report{})
			if len(out) == 0 {
				t.Error("no output")
			}
			if f == FormatSARIF {
				validateSARIF(t, out)
			}
		})
	}
}

func TestUnknownSeverityAndStatus(t *testing.T) {
	r := failingReport()
	r.Findings[0].Severity = 42
	r.Checks[0].Status = "weird"
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			out := render(t, f, Options{}, r)
			if f == FormatSARIF {
				validateSARIF(t, out)
			}
		})
	}
}
