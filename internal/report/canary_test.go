package report

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// The canary: a secret value the gatherers saw. Findings only ever carry
// its redacted form; no output may hold the value itself.
const (
	canarySecret   = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYKEY"
	canaryRedacted = "wJal************************************"
	canaryKeyID    = "AKIAIOSFODNN7CANARY1"
	canaryKeyRed   = "AKIA************ARY1"
)

// redactedReport is built only from redacted values, the way the leak
// gatherer hands findings over.
func redactedReport() result.Report {
	r := result.Report{
		Schema:  result.Schema,
		Tool:    result.Tool{Name: "secretgate", Version: "1.4.0"},
		Context: result.Context{Mode: "nightly", Repository: "acme/payments"},
		Checks:  []result.Check{{ID: result.CheckLeaks, Status: result.StatusFailed, Resources: 9}},
		Findings: []result.Finding{
			{
				Rule: "leaks-aws-secret-key", Check: result.CheckLeaks, Severity: result.SeverityCritical,
				Title:       "No credentials in the repository",
				Message:     "AWS secret access key " + canaryRedacted + " equals the live value of prod/bybit/api.",
				Resource:    canaryRedacted,
				File:        "config/prod.env",
				Line:        4,
				Commit:      "1111222233334444555566667777888899990000",
				Remediation: "Rotate prod/bybit/api now, then remove the value from the history.",
				Fingerprint: "c4n4ryf1ng3rpr1nt",
				New:         true,
			},
			{
				Rule: "leaks-aws-access-key", Check: result.CheckLeaks, Severity: result.SeverityHigh,
				Title:       "No credentials in the repository",
				Message:     "AWS access key " + canaryKeyRed + " committed.",
				Resource:    canaryKeyRed,
				File:        "scripts/deploy.sh",
				Line:        17,
				Fingerprint: "k3y1df1ng3rpr1nt",
				New:         true,
			},
		},
		Inputs: result.Inputs{Files: 9},
		Rules: catalogue(result.Rule{
			ID: "leaks-aws-secret-key", Check: result.CheckLeaks, Severity: result.SeverityCritical,
			Title:       "No credentials in the repository",
			Description: "A credential-shaped value was found; it is shown redacted.",
			Remediation: "Rotate the credential, then remove it from the history.",
		}),
	}
	return summarized(r, "high")
}

// TestRedactedStaysRedacted: the redacted forms are shown, the canary never,
// in any format.
func TestRedactedStaysRedacted(t *testing.T) {
	secretShaped := regexp.MustCompile(`AKIA[0-9A-Z]{16}`)
	for _, gf := range goldenFormats {
		t.Run(gf.format+gf.ext, func(t *testing.T) {
			out := string(render(t, gf.format, gf.opts, redactedReport()))
			for _, bad := range []string{canarySecret, canaryKeyID, "CANARY"} {
				if strings.Contains(out, bad) {
					t.Errorf("output holds %q", bad)
				}
			}
			if m := secretShaped.FindString(out); m != "" {
				t.Errorf("secret-shaped value %q in the output", m)
			}
			if !strings.Contains(out, canaryRedacted) || !strings.Contains(out, canaryKeyRed) {
				t.Error("the redacted values are not shown")
			}
		})
	}
}

// TestReportersAddNoData: every word of every output comes from the report
// itself, from the reporters' own wording (their string literals), or from
// a short list of SARIF fixed values. A reporter that dumped a struct
// (%v, %+v), read the environment or printed anything the report does not
// hold would fail here.
func TestReportersAddNoData(t *testing.T) {
	vocab := sourceVocabulary(t)
	for _, w := range []string{
		// go-sarif's defaults and SARIF level names.
		"localizedData", "nonLocalizedData", "error", "warning", "note", "fail",
	} {
		addTokens(vocab, w)
	}
	reports := map[string]result.Report{
		"failing":  failingReport(),
		"clean":    cleanReport(),
		"hostile":  hostileReport(),
		"redacted": redactedReport(),
		"trimmed":  manyFindings(3000),
	}
	for name, r := range reports {
		known := reportVocabulary(r)
		for _, gf := range goldenFormats {
			t.Run(name+"/"+gf.format+gf.ext, func(t *testing.T) {
				out := render(t, gf.format, gf.opts, r)
				for _, bad := range []string{"%!", "map[", "&{", "<nil>", "}{", "{0 ", " 0x"} {
					if bytes.Contains(out, []byte(bad)) {
						t.Errorf("output holds %q: a Go value was printed", bad)
					}
				}
				for _, tok := range outputTokens(t, gf.format, out) {
					if !vocab[tok] && !known.has(tok) {
						t.Errorf("%q is neither report data nor reporter wording", tok)
					}
				}
			})
		}
	}
}

var tokenRE = regexp.MustCompile(`[A-Za-z0-9]+`)

// addTokens adds the words of s worth checking: four letters or more, not
// only digits (counts, line numbers and durations are rendered freely).
func addTokens(set map[string]bool, s string) {
	for _, tok := range tokenRE.FindAllString(s, -1) {
		if keepToken(tok) {
			set[tok] = true
		}
	}
}

func keepToken(tok string) bool {
	if len(tok) < 4 {
		return false
	}
	_, err := strconv.Atoi(tok)
	return err != nil
}

// sourceVocabulary collects the words of every string literal in the
// package's non-test files: the reporters' own wording.
func sourceVocabulary(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					addTokens(set, s)
				}
			}
			return true
		})
	}
	// Severity names and statuses come from package result.
	for s := result.SeverityInfo; s <= result.SeverityCritical; s++ {
		addTokens(set, s.String()+" "+strings.ToUpper(s.String()))
	}
	return set
}

// vocabulary is the report's own words. A word may also be cut short
// (long values are clipped, SHAs shortened), so prefixes count.
type vocabulary map[string]bool

func (v vocabulary) has(tok string) bool {
	if v[tok] {
		return true
	}
	for w := range v {
		if strings.HasPrefix(w, tok) {
			return true
		}
	}
	return false
}

// reportVocabulary walks every string in the report, the rule catalogue
// included, plus what the reporters derive from them (SARIF rule names).
func reportVocabulary(r result.Report) vocabulary {
	v := vocabulary{}
	var walk func(reflect.Value)
	walk = func(x reflect.Value) {
		switch x.Kind() {
		case reflect.String:
			addTokens(v, x.String())
		case reflect.Struct:
			for i := range x.NumField() {
				walk(x.Field(i))
			}
		case reflect.Slice, reflect.Array:
			for i := range x.Len() {
				walk(x.Index(i))
			}
		case reflect.Map:
			iter := x.MapRange()
			for iter.Next() {
				walk(iter.Key())
				walk(iter.Value())
			}
		}
	}
	walk(reflect.ValueOf(r))
	for _, f := range r.Findings {
		addTokens(v, ruleName(f.Rule))
	}
	return v
}

var (
	escapeRE  = regexp.MustCompile(`\\x[0-9a-f]{2}|\\u[0-9a-f]{4}`)
	percentRE = regexp.MustCompile(`%[0-9A-F]{2}`)
	ansiRE    = regexp.MustCompile("\x1b\\[[0-9;]*m")
)

// outputTokens are the words an output shows: for JSON and SARIF the
// string values (keys are the schema's), otherwise the text; visible
// escapes and percent-encoding are undone first.
func outputTokens(t *testing.T, format string, out []byte) []string {
	t.Helper()
	var texts []string
	switch format {
	case FormatJSON, FormatSARIF:
		var doc any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		var walk func(any)
		walk = func(x any) {
			switch x := x.(type) {
			case string:
				texts = append(texts, x)
			case []any:
				for _, e := range x {
					walk(e)
				}
			case map[string]any:
				for _, e := range x {
					walk(e)
				}
			}
		}
		walk(doc)
	default:
		texts = []string{string(out)}
	}
	var toks []string
	for _, s := range texts {
		s = escapeRE.ReplaceAllString(s, " ")
		s = percentRE.ReplaceAllStringFunc(s, func(m string) string {
			if d, err := url.PathUnescape(m); err == nil && tokenRE.MatchString(d) {
				return d
			}
			return " "
		})
		s = ansiRE.ReplaceAllString(s, " ") // the text format's own colours
		for _, tok := range tokenRE.FindAllString(s, -1) {
			if keepToken(tok) {
				toks = append(toks, tok)
			}
		}
	}
	return toks
}
