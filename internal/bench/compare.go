package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// FindingKey is what two runs must agree on for a finding: everything a
// rule produces that the report keeps as it is.
type FindingKey struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"`
	Message  string `json:"message"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

func (k FindingKey) String() string {
	return fmt.Sprintf("%s %s %s:%d %q", k.Rule, k.Resource, k.File, k.Line, k.Message)
}

// OPAFindings reads `opa eval --format json … data.secretgate.main.findings`
// output: the findings set of its one expression.
func OPAFindings(r io.Reader) ([]FindingKey, error) {
	var out struct {
		Result []struct {
			Expressions []struct {
				Value []FindingKey `json:"value"`
			} `json:"expressions"`
		} `json:"result"`
	}
	if err := json.NewDecoder(r).Decode(&out); err != nil {
		return nil, fmt.Errorf("opa eval output: %w", err)
	}
	if len(out.Result) != 1 || len(out.Result[0].Expressions) != 1 {
		return nil, fmt.Errorf("opa eval output: want one result with one expression, got %d results", len(out.Result))
	}
	return out.Result[0].Expressions[0].Value, nil
}

// ReportFindings reads the findings of a secretgate JSON report.
func ReportFindings(r io.Reader) ([]FindingKey, error) {
	var rep struct {
		Findings []FindingKey `json:"findings"`
	}
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("secretgate report: %w", err)
	}
	return rep.Findings, nil
}

// DiffFindings lists the findings only one side has (as multisets),
// "- " for want only and "+ " for got only, sorted.
func DiffFindings(want, got []FindingKey) []string {
	count := map[FindingKey]int{}
	for _, k := range want {
		count[k]++
	}
	for _, k := range got {
		count[k]--
	}
	var out []string
	for k, n := range count {
		for ; n > 0; n-- {
			out = append(out, "- "+k.String())
		}
		for ; n < 0; n++ {
			out = append(out, "+ "+k.String())
		}
	}
	sort.Strings(out)
	return out
}
