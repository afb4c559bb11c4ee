package report

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/secretgate/secretgate/internal/result"
)

// The official OASIS SARIF 2.1.0 schema (errata01). testdata holds a copy of
// the one github.com/owenrumney/go-sarif/v3 v3.3.1 embeds
// (pkg/report/v210/sarif/schema.go), whose "id" is the OASIS URL.
const sarifSchemaFile = "testdata/sarif-schema-2.1.0.json"

var sarifSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	f, err := os.Open(sarifSchemaFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	// GitHub's upload checks formats too ("uri-reference" rejects raw
	// spaces and pipes in artifact URIs), so the test does.
	c.AssertFormat()
	// The validator's own uri formats go through net/url, which accepts
	// raw spaces and pipes; GitHub's validator follows RFC 3986 strictly.
	c.RegisterFormat(&jsonschema.Format{Name: "uri", Validate: strictURI(true)})
	c.RegisterFormat(&jsonschema.Format{Name: "uri-reference", Validate: strictURI(false)})
	if err := c.AddResource(SARIFSchemaURI, doc); err != nil {
		return nil, err
	}
	return c.Compile(SARIFSchemaURI)
})

// strictURI checks RFC 3986 syntax: only unreserved, reserved and
// percent-encoded characters, and a scheme when absolute is required.
func strictURI(absolute bool) func(v any) error {
	scheme := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
	chars := regexp.MustCompile(`^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$`)
	return func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		if !chars.MatchString(s) {
			return fmt.Errorf("%q has characters RFC 3986 does not allow", s)
		}
		if absolute && !scheme.MatchString(s) {
			return fmt.Errorf("%q has no scheme", s)
		}
		if !absolute && !scheme.MatchString(s) {
			first, _, _ := strings.Cut(s, "/")
			if strings.Contains(first, ":") {
				return fmt.Errorf("%q: first segment of a relative reference has a colon", s)
			}
		}
		return nil
	}
}

func validateSARIF(t *testing.T, out []byte) {
	t.Helper()
	sch, err := sarifSchema()
	if err != nil {
		t.Fatalf("load SARIF schema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("SARIF output fails the 2.1.0 schema: %v", err)
	}
}

// sarifLog is the part of SARIF the GitHub checks below read.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID               string                          `json:"id"`
					Name             string                          `json:"name"`
					ShortDescription struct{ Text string }           `json:"shortDescription"`
					FullDescription  struct{ Text string }           `json:"fullDescription"`
					Help             struct{ Text, Markdown string } `json:"help"`
					HelpURI          string                          `json:"helpUri"`
					Properties       map[string]any                  `json:"properties"`
					Default          struct{ Level string }          `json:"defaultConfiguration"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID              string                `json:"ruleId"`
			RuleIndex           int                   `json:"ruleIndex"`
			Level               string                `json:"level"`
			Message             struct{ Text string } `json:"message"`
			PartialFingerprints map[string]string     `json:"partialFingerprints"`
			Locations           []struct {
				Physical *struct {
					Artifact struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				Logical []struct {
					Name, FullyQualifiedName, Kind string
				} `json:"logicalLocations"`
			} `json:"locations"`
			Suppressions []struct {
				Kind, Status, Justification string
			} `json:"suppressions"`
		} `json:"results"`
		Invocations []struct {
			ExecutionSuccessful bool `json:"executionSuccessful"`
			Notifications       []struct {
				Level   string
				Message struct{ Text string }
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
	} `json:"runs"`
}

func decodeSARIF(t *testing.T, out []byte) sarifLog {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want exactly 1", len(log.Runs))
	}
	return log
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	reports := slices.Concat(fixtures, []struct {
		name   string
		report func() result.Report
	}{{"many", func() result.Report { return manyFindings(300) }}})
	for _, fx := range reports {
		t.Run(fx.name, func(t *testing.T) {
			validateSARIF(t, render(t, FormatSARIF, Options{}, fx.report()))
		})
	}
}

// TestSARIFSchemaCatchesErrors proves the schema check has teeth.
func TestSARIFSchemaCatchesErrors(t *testing.T) {
	sch, err := sarifSchema()
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]string{
		"wrong version":   `{"version":"2.0.0","runs":[]}`,
		"uri with spaces": `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a b|c"}}}]}]}]}`,
		"startLine zero":  `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"startLine":0}}}]}]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if sch.Validate(v) == nil {
				t.Error("schema accepted an invalid log")
			}
		})
	}
}

// TestSARIFForGitHub checks what GitHub code scanning needs beyond the
// schema: rules with help and security-severity, results with a physical
// location, partial fingerprints and suppressions.
func TestSARIFForGitHub(t *testing.T) {
	r := failingReport()
	out := render(t, FormatSARIF, Options{}, r)
	log := decodeSARIF(t, out)
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name != "secretgate" || d.Version != "1.4.0" || d.InformationURI != InformationURI {
		t.Errorf("driver = %q %q %q", d.Name, d.Version, d.InformationURI)
	}

	wantRules := map[string]bool{}
	for _, f := range r.Findings {
		wantRules[f.Rule] = true
	}
	if len(d.Rules) != len(wantRules) {
		t.Errorf("%d rules, want %d (one per rule id in findings)", len(d.Rules), len(wantRules))
	}
	for _, rule := range d.Rules {
		t.Run("rule/"+rule.ID, func(t *testing.T) {
			if !wantRules[rule.ID] {
				t.Errorf("rule %q has no finding", rule.ID)
			}
			if rule.Name == "" || rule.ShortDescription.Text == "" || rule.FullDescription.Text == "" || rule.Help.Text == "" || rule.Help.Markdown == "" {
				t.Errorf("rule lacks name, descriptions or help: %+v", rule)
			}
			sev, ok := rule.Properties["security-severity"].(string)
			if !ok {
				t.Fatalf("security-severity is %T, want a numeric string", rule.Properties["security-severity"])
			}
			if v, err := strconv.ParseFloat(sev, 64); err != nil || v < 0 || v > 10 {
				t.Errorf("security-severity %q is not a number in 0..10", sev)
			}
			tags, _ := rule.Properties["tags"].([]any)
			if len(tags) == 0 || len(tags) > 20 || tags[0] != "security" {
				t.Errorf("tags = %v, want security first and at most 20", tags)
			}
			if cat, ok := r.Rules[rule.ID]; ok {
				if rule.ShortDescription.Text != cat.Title || rule.FullDescription.Text != cat.Description || rule.HelpURI != cat.DocsURL {
					t.Errorf("rule texts do not come from the catalogue: %+v", rule)
				}
				if !strings.Contains(rule.Help.Markdown, cat.DocsURL) || !strings.Contains(rule.Help.Text, "Remediation: "+cat.Remediation) {
					t.Errorf("help lacks remediation or docs link: %+v", rule.Help)
				}
			}
		})
	}

	if len(run.Results) != len(r.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(r.Findings))
	}
	byFP := map[string]result.Finding{}
	for _, f := range r.Findings {
		byFP[f.Fingerprint] = f
	}
	wantLevel := map[result.Severity]string{
		result.SeverityCritical: "error", result.SeverityHigh: "error",
		result.SeverityMedium: "warning", result.SeverityLow: "note", result.SeverityInfo: "note",
	}
	for i, res := range run.Results {
		f, ok := byFP[res.PartialFingerprints[FingerprintKey]]
		if !ok {
			t.Fatalf("result %d: partialFingerprints %v match no finding", i, res.PartialFingerprints)
		}
		if res.RuleID != f.Rule || res.RuleIndex < 0 || res.RuleIndex >= len(d.Rules) || d.Rules[res.RuleIndex].ID != f.Rule {
			t.Errorf("result %d: ruleId %q ruleIndex %d do not point at rule %q", i, res.RuleID, res.RuleIndex, f.Rule)
		}
		if res.Level != wantLevel[f.Severity] {
			t.Errorf("result %d (%s): level %q, want %q", i, f.Severity, res.Level, wantLevel[f.Severity])
		}
		if !strings.HasPrefix(res.Message.Text, f.Message) {
			t.Errorf("result %d: message %q does not start with the finding's", i, res.Message.Text)
		}
		if len(res.Locations) != 1 || res.Locations[0].Physical == nil {
			t.Fatalf("result %d: want exactly one location with a physical location (GitHub rejects others)", i)
		}
		loc := res.Locations[0]
		p := loc.Physical
		if p.Artifact.URIBaseID != "%SRCROOT%" || p.Region.StartLine < 1 {
			t.Errorf("result %d: artifact %+v region %+v", i, p.Artifact, p.Region)
		}
		switch {
		case f.File != "":
			if p.Artifact.URI != f.File || p.Region.StartLine != f.Line {
				t.Errorf("result %d: location %s:%d, want %s:%d", i, p.Artifact.URI, p.Region.StartLine, f.File, f.Line)
			}
		default:
			if p.Artifact.URI != DefaultAnchorFile || p.Region.StartLine != 1 {
				t.Errorf("result %d: file-less finding anchored at %s:%d, want %s:1", i, p.Artifact.URI, p.Region.StartLine, DefaultAnchorFile)
			}
		}
		if len(loc.Logical) != 1 || loc.Logical[0].FullyQualifiedName != f.Resource || loc.Logical[0].Kind != "resource" {
			t.Errorf("result %d: logical locations %+v, want the resource %q", i, loc.Logical, f.Resource)
		}
		if f.Waived {
			if len(res.Suppressions) != 1 || res.Suppressions[0].Kind != "external" || !strings.HasPrefix(res.Suppressions[0].Justification, f.WaiverReason) {
				t.Errorf("result %d: waived finding has suppressions %+v", i, res.Suppressions)
			}
		} else if len(res.Suppressions) != 0 {
			t.Errorf("result %d: unwaived finding is suppressed", i)
		}
	}
	if got := run.Results[0].PartialFingerprints[FingerprintKey]; byFP[got].Severity != result.SeverityCritical {
		t.Errorf("results are not worst first")
	}

	inv := run.Invocations
	if len(inv) != 1 || inv[0].ExecutionSuccessful {
		t.Fatalf("invocations %+v: want one, not successful (the run is incomplete)", inv)
	}
	var notes []string
	for _, n := range inv[0].Notifications {
		notes = append(notes, n.Level+": "+n.Message.Text)
	}
	for _, want := range []string{"error: check iam could not check everything", "note: check resolve skipped: offline run", "error: could not parse infra/broken.json:3", "note: skipped 2 files"} {
		if !strings.Contains(strings.Join(notes, "\n"), want) {
			t.Errorf("notifications %q lack %q", notes, want)
		}
	}
}

func TestSARIFAnchorFile(t *testing.T) {
	out := render(t, FormatSARIF, Options{AnchorFile: "config/secretgate.yml"}, failingReport())
	for _, res := range decodeSARIF(t, out).Runs[0].Results {
		if res.PartialFingerprints[FingerprintKey] == "5555666677778888" {
			if got := res.Locations[0].Physical.Artifact.URI; got != "config/secretgate.yml" {
				t.Errorf("anchor = %q", got)
			}
			return
		}
	}
	t.Error("file-less finding not found")
}

func TestSARIFURI(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"infra/roles/a.json", "infra/roles/a.json"},
		{"./infra/a.json", "infra/a.json"},
		{"dir with space/a|b.json", "dir%20with%20space/a%7Cb.json"},
		{"c:/x.json", "c%3A/x.json"},
		{"a/`b`<c>#d?e%f.json", "a/%60b%60%3Cc%3E%23d%3Fe%25f.json"},
		{"ünï/cødé.json", "%C3%BCn%C3%AF/c%C3%B8d%C3%A9.json"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := sarifURI(tc.in); got != tc.want {
				t.Errorf("sarifURI(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestSARIFResultLimit: GitHub rejects a run with more than 25,000 results,
// so the least severe are left out and a notification says so.
func TestSARIFResultLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 25,000 results")
	}
	r := manyFindings(MaxSARIFResults + 7)
	out := render(t, FormatSARIF, Options{}, r)
	log := decodeSARIF(t, out)
	run := log.Runs[0]
	if len(run.Results) != MaxSARIFResults {
		t.Fatalf("%d results, want %d", len(run.Results), MaxSARIFResults)
	}
	found := false
	for _, n := range run.Invocations[0].Notifications {
		if strings.Contains(n.Message.Text, "7 findings beyond GitHub's limit") {
			found = true
		}
	}
	if !found {
		t.Error("no notification about the findings left out")
	}
	// GitHub also caps uploads at 10 MB gzip-compressed.
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	if _, err := w.Write(out); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if gz.Len() > 10<<20 {
		t.Errorf("25,000 results compress to %d bytes, over GitHub's 10 MB", gz.Len())
	}
	t.Logf("25,000 results: %d bytes, %d gzipped", len(out), gz.Len())
}

func TestSecuritySeverityCoversEverySeverity(t *testing.T) {
	for s := result.SeverityInfo; s <= result.SeverityCritical; s++ {
		t.Run(s.String(), func(t *testing.T) {
			if _, err := strconv.ParseFloat(securitySeverity[s], 64); err != nil {
				t.Errorf("security-severity for %s: %v", s, err)
			}
		})
	}
	if got := fmt.Sprint(securitySeverity[result.SeverityCritical]); got != "9.5" {
		t.Errorf("critical = %s", got)
	}
}

func TestRuleName(t *testing.T) {
	for in, want := range map[string]string{
		"trust-oidc-sub-wildcard": "TrustOidcSubWildcard",
		"config-waiver-expired":   "ConfigWaiverExpired",
		"iam.no_star":             "IamNoStar",
		"custom|rule`x`":          "CustomRuleX",
		"":                        "Rule",
	} {
		if got := ruleName(in); got != want {
			t.Errorf("ruleName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSARIFIsLean: no -1 placeholder and no empty array except results
// (an empty one means "ran, found nothing"), so one finding costs about a
// kilobyte in a code scanning upload, not 7.5.
func TestSARIFIsLean(t *testing.T) {
	var walk func(v any, key, at string)
	walk = func(v any, key, at string) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				t.Errorf("%s: empty object", at)
			}
			for k, y := range x {
				walk(y, k, at+"."+k)
			}
		case []any:
			if len(x) == 0 && key != "results" {
				t.Errorf("%s: empty array", at)
			}
			for i, y := range x {
				walk(y, "", fmt.Sprintf("%s[%d]", at, i))
			}
		case float64:
			if x == -1 {
				t.Errorf("%s: -1 placeholder", at)
			}
		}
	}
	for _, fx := range fixtures {
		var doc any
		if err := json.Unmarshal(render(t, FormatSARIF, Options{}, fx.report()), &doc); err != nil {
			t.Fatal(err)
		}
		walk(doc, "", fx.name)
	}
	one := failingReport()
	one.Findings = one.Findings[:1]
	// The fixture's log also carries four notifications and the rule's
	// help text (about 2.5 KiB together); go-sarif's placeholders alone
	// added 3.5 KiB more.
	if n := len(render(t, FormatSARIF, Options{}, one)); n > 5<<10 {
		t.Errorf("a one-finding SARIF log is %d bytes, want at most 5 KiB", n)
	}
}
