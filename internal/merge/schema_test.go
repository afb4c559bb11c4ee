package merge

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/secretgate/secretgate/internal/matrix"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

const reportSchema = "../../docs/schema/report.schema.json"

func compileReportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(reportSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, name string, b []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("%s does not follow docs/schema/report.schema.json: %v", name, err)
	}
}

// TestReportsFollowTheSchema: the JSON reports of secretgate check (the
// golden files) and of secretgate merge, with every extension set, follow
// docs/schema/report.schema.json; a report with an undocumented field or
// a wrong value does not.
func TestReportsFollowTheSchema(t *testing.T) {
	sch := compileReportSchema(t)
	golden, _ := filepath.Glob("../report/testdata/golden/*.json")
	if len(golden) == 0 {
		t.Fatal("no golden JSON reports")
	}
	for _, g := range golden {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		validate(t, sch, g, b)
	}

	m, err := matrix.Build([]string{"111111111111", "222222222222", "333333333333"}, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	prev := Merge([]Input{
		{File: "a", Report: accountReport("111111111111", live("naming-pattern", "gone", result.SeverityHigh))},
		{File: "b", Report: accountReport("222222222222", live("naming-pattern", "carried", result.SeverityHigh))},
	}, Options{Now: night.Add(-24 * time.Hour)})
	rep := Merge([]Input{
		{File: "a", Report: accountReport("111111111111", live("naming-pattern", "n", result.SeverityMedium), repoFinding("leaks-aws-key", "x.py", result.SeverityCritical))},
		{File: "c", Report: accountReport("333333333333")},
		{File: "bad", Err: errors.New("not a JSON report")},
	}, Options{Matrix: &m, Previous: PreviousReport(prev), Now: night,
		Excluded: []result.Account{{ID: "555555555555", Name: "sandbox", Reason: "excluded by aws.organization.exclude"}}})
	var b bytes.Buffer
	if err := (&report.JSON{}).Write(&b, rep); err != nil {
		t.Fatal(err)
	}
	if rep.Trend == nil || len(rep.Trend.FixedFindings) == 0 || len(rep.Merge.MissingShards) == 0 || !bytes.Contains(b.Bytes(), []byte(`"carried_since"`)) ||
		!bytes.Contains(b.Bytes(), []byte(`"status": "excluded"`)) {
		t.Fatalf("the merged report does not exercise every extension: %+v %+v", rep.Trend, rep.Merge)
	}
	validate(t, sch, "merged report", b.Bytes())

	// The schema can fail.
	bad := bytes.Replace(b.Bytes(), []byte(`"status": "not-judged"`), []byte(`"status": "skipped-quietly"`), 1)
	doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if sch.Validate(doc) == nil {
		t.Error("an unknown account status passed the schema")
	}
}
