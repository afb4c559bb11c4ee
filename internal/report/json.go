package report

import (
	"encoding/json"
	"io"

	"github.com/secretgate/secretgate/internal/result"
)

// JSON renders the report as the secretgate/report/v1 document DESIGN.md
// fixes, through the struct tags of package result: indented by two
// spaces, one trailing newline, "findings" and "checks" always arrays.
type JSON struct{}

var _ Reporter = (*JSON)(nil)

// Write renders r to w.
func (*JSON) Write(w io.Writer, r result.Report) error {
	if r.Schema == "" {
		r.Schema = result.Schema
	}
	if r.Findings == nil {
		r.Findings = []result.Finding{}
	}
	if r.Checks == nil {
		r.Checks = []result.Check{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// "<", ">" and "&" stay readable; JSON consumers need no HTML escaping.
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
