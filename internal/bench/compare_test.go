package bench

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiffFindings(t *testing.T) {
	opa := `{"result":[{"expressions":[{"value":[
		{"rule":"a","resource":"x","message":"m","file":"f","line":1,"key":"ignored"},
		{"rule":"b","resource":"y","message":"n","file":"f","line":2},
		{"rule":"b","resource":"y","message":"n","file":"f","line":2}
	],"text":"data.secretgate.main.findings"}]}]}`
	report := `{"schema":"secretgate/report/v1","findings":[
		{"rule":"b","resource":"y","message":"n","file":"f","line":2,"check":"naming","fingerprint":"z"},
		{"rule":"c","resource":"z","message":"o","file":"g","line":3}
	]}`
	want, err := OPAFindings(strings.NewReader(opa))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReportFindings(strings.NewReader(report))
	if err != nil {
		t.Fatal(err)
	}
	diff := DiffFindings(want, got)
	wantDiff := []string{`+ c z g:3 "o"`, `- a x f:1 "m"`, `- b y f:2 "n"`}
	if d := cmp.Diff(wantDiff, diff); d != "" {
		t.Errorf("diff (-want +got):\n%s", d)
	}
	if d := DiffFindings(got, got); len(d) != 0 {
		t.Errorf("a set differs from itself: %v", d)
	}
	if _, err := OPAFindings(strings.NewReader(`{"result":[]}`)); err == nil {
		t.Error("opa output without a result accepted")
	}
}
