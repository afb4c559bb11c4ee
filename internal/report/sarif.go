package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

// SARIF renders the report as a SARIF 2.1.0 log that GitHub code scanning
// accepts: one run, a rule for every rule id in the results, results worst
// first with stable partialFingerprints, waived findings as suppressed
// results.
type SARIF struct {
	opts Options
}

var _ Reporter = (*SARIF)(nil)

// SARIF constants GitHub code scanning relies on.
const (
	// SARIFSchemaURI is the OASIS schema the log declares.
	SARIFSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// InformationURI is the tool's home page in tool.driver.
	InformationURI = "https://github.com/secretgate/secretgate"
	// FingerprintKey names secretgate's partial fingerprint. Bump the
	// version when Finding.Fingerprint changes meaning, or GitHub will
	// close and reopen every alert.
	FingerprintKey = "secretgate/v1"
	// MaxSARIFResults is GitHub's hard limit of results per run; a log with
	// more is rejected whole. Extra findings (the least severe) are left out
	// and a tool notification says how many.
	MaxSARIFResults = 25000
	// srcRoot is the uriBaseId for repository-relative paths.
	srcRoot = "%SRCROOT%"
)

// securitySeverity maps severities to GitHub's numeric security-severity
// scale (critical > 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9).
var securitySeverity = map[result.Severity]string{
	result.SeverityCritical: "9.5",
	result.SeverityHigh:     "8.0",
	result.SeverityMedium:   "5.5",
	result.SeverityLow:      "3.0",
	result.SeverityInfo:     "0.0",
}

// sarifLevel maps a severity to a SARIF level: critical and high are errors,
// medium a warning, low and info notes.
func sarifLevel(s result.Severity) string {
	switch {
	case s >= result.SeverityHigh:
		return sarif.LevelError
	case s == result.SeverityMedium:
		return sarif.LevelWarning
	}
	return sarif.LevelNote
}

// Write renders r to w.
func (s *SARIF) Write(w io.Writer, r result.Report) error {
	b, err := leanSARIF(s.log(r))
	if err != nil {
		return fmt.Errorf("encode sarif: %w", err)
	}
	b = append(b, '\n')
	// As in the JSON report: no workflow command from repository text
	// when the log is printed; the values decode the same.
	_, err = safetext.NewWriter(w).Write(b)
	return err
}

// leanSARIF encodes log without what go-sarif fills in for properties
// that were never set: -1 for "no index/rank/offset" (SARIF's own default,
// so leaving it out means the same) and empty arrays. A one-result log
// shrinks to about a third, which matters for code scanning uploads. The
// run's results array is kept even when empty: SARIF reads an empty one as
// "ran and found nothing", a missing one as "did not run".
func leanSARIF(log *sarif.Report) ([]byte, error) {
	raw, err := json.Marshal(log)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return json.MarshalIndent(prune(doc, ""), "", "  ")
}

// keptEmpty are the arrays whose emptiness says something.
var keptEmpty = map[string]bool{"results": true, "runs": true}

// prune drops -1 numbers and empty arrays and objects below v (key is
// v's own property name), keeping those keptEmpty names.
func prune(v any, key string) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			p := prune(x, k)
			if p == nil {
				delete(t, k)
				continue
			}
			t[k] = p
		}
		if len(t) == 0 && !keptEmpty[key] {
			return nil
		}
		return t
	case []any:
		out := t[:0]
		for _, x := range t {
			if p := prune(x, ""); p != nil {
				out = append(out, p)
			}
		}
		if len(out) == 0 && !keptEmpty[key] {
			return nil
		}
		return out
	case json.Number:
		if t == "-1" {
			return nil
		}
	}
	return v
}

func (s *SARIF) log(r result.Report) *sarif.Report {
	findings := sortedFindings(r.Findings)
	dropped := 0
	if len(findings) > MaxSARIFResults {
		dropped = len(findings) - MaxSARIFResults
		findings = findings[:MaxSARIFResults]
	}

	log := sarif.NewReport()
	log.Schema = SARIFSchemaURI
	run := sarif.NewRunWithInformationURI(orDefault(r.Tool.Name, "secretgate"), InformationURI)
	if r.Tool.Version != "" {
		run.Tool.Driver.WithVersion(r.Tool.Version)
	}

	// Rules in id order, so ruleIndex is stable for a given set of rules.
	var ids []string
	first := map[string]result.Finding{}
	for _, f := range findings {
		if _, ok := first[f.Rule]; !ok {
			first[f.Rule] = f
			ids = append(ids, f.Rule)
		}
	}
	slices.Sort(ids)
	index := map[string]int{}
	for i, id := range ids {
		index[id] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule(ruleFor(r, first[id])))
	}

	anchor := orDefault(s.opts.AnchorFile, DefaultAnchorFile)
	for _, f := range findings {
		run.AddResult(sarifResult(f, index[f.Rule], ruleFor(r, f), anchor))
	}

	run.AddInvocation(sarifInvocation(r, dropped))
	log.AddRun(run)
	return log
}

// ruleFor is the catalogue entry of a finding's rule, completed from the
// finding itself when the catalogue lacks it (a user rule without
// METADATA).
func ruleFor(r result.Report, f result.Finding) result.Rule {
	rule, ok := r.Rules[f.Rule]
	if !ok {
		rule = result.Rule{ID: f.Rule, Severity: f.Severity}
	}
	rule.ID = f.Rule
	if rule.Title == "" {
		rule.Title = orDefault(f.Title, f.Rule)
	}
	if rule.Description == "" {
		rule.Description = rule.Title
	}
	if rule.Check == "" {
		rule.Check = f.Check
	}
	if rule.Remediation == "" {
		rule.Remediation = f.Remediation
	}
	if rule.DocsURL == "" {
		rule.DocsURL = f.DocsURL
	}
	return rule
}

func sarifRule(rule result.Rule) *sarif.ReportingDescriptor {
	d := sarif.NewRule(rule.ID).
		WithName(ruleName(rule.ID)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(oneLine(rule.Title))).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(safetext.Visible(rule.Description, "\n")))

	docs := safeURL(rule.DocsURL)
	text := []string{safetext.Visible(rule.Description, "\n")}
	md := []string{mdBlock(rule.Description)}
	if rule.Remediation != "" {
		text = append(text, "Remediation: "+safetext.Visible(rule.Remediation, "\n"))
		md = append(md, "**Remediation:** "+mdBlock(rule.Remediation))
	}
	if docs != "" {
		text = append(text, "Documentation: "+docs)
		md = append(md, fmt.Sprintf("[Documentation](%s)", docs))
		d.WithHelpURI(docs)
	}
	d.WithHelp(sarif.NewMultiformatMessageString().
		WithText(strings.Join(text, "\n\n")).
		WithMarkdown(strings.Join(md, "\n\n")))

	tags := []string{"security"}
	if rule.Check != "" {
		tags = append(tags, oneLine(rule.Check))
	}
	props := sarif.NewPropertyBag().WithTags(tags)
	props.Add("security-severity", securitySeverity[normSeverity(rule.Severity)])
	d.WithProperties(props)

	cfg := sarif.NewReportingConfiguration()
	cfg.Level = sarifLevel(rule.Severity)
	d.WithDefaultConfiguration(cfg)
	return d
}

func sarifResult(f result.Finding, ruleIndex int, rule result.Rule, anchor string) *sarif.Result {
	res := sarif.NewRuleResult(f.Rule).
		WithRuleIndex(ruleIndex).
		WithLevel(sarifLevel(f.Severity)).
		WithMessage(sarif.NewTextMessage(resultMessage(f, rule)))

	loc := sarif.NewLocation()
	file, line := f.File, f.Line
	if file == "" {
		// A live AWS resource has no file. GitHub rejects a log whose
		// results lack a physical location, so anchor it and name the
		// resource as a logical location.
		file, line = anchor, 1
	}
	loc.WithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewArtifactLocation().
			WithURI(sarifURI(file)).
			WithURIBaseID(srcRoot)).
		WithRegion(sarif.NewRegion().WithStartLine(max(line, 1))))
	if f.Resource != "" {
		ll := sarif.NewLogicalLocation().
			WithName(oneLine(f.Resource)).
			WithFullyQualifiedName(oneLine(f.Resource)).
			WithKind("resource")
		loc.WithLogicalLocations([]*sarif.LogicalLocation{ll})
	}
	res.AddLocation(loc)

	if f.Fingerprint != "" {
		// In a report of several accounts a finding is its account's and
		// fingerprint's (result.FindingKey): code scanning must not fold
		// two accounts' findings into one alert.
		fp := f.Fingerprint
		if f.Account != "" {
			fp = result.FindingKey(f)
		}
		res.WithPartialFingerprints(map[string]string{FingerprintKey: fp})
	}
	if f.Waived {
		just := safetext.Visible(f.WaiverReason, " ")
		if f.WaiverOwner != "" {
			just = strings.TrimSpace(just + " (owner: " + safetext.Visible(f.WaiverOwner, " ") + ")")
		}
		sup := sarif.NewSuppression().WithKind("external").WithStatus("accepted")
		if just != "" {
			sup.WithJustification(just)
		}
		res.AddSuppression(sup)
	}
	return res
}

// resultMessage is the finding's message, plus the resource when the
// message does not name it and a finding-specific remediation, as plain
// text. Brackets are escaped when the text would otherwise read as a SARIF
// embedded link ("[text](target)").
func resultMessage(f result.Finding, rule result.Rule) string {
	msg := orDefault(f.Message, orDefault(f.Title, f.Rule))
	if f.Carried() {
		// Kept open, not fixed: its account or check was not judged.
		msg = "Not re-checked since " + carriedDate(f) + " (its account or check was not judged in this run): " + msg
	}
	if f.Resource != "" && !strings.Contains(msg, f.Resource) {
		msg += "\nResource: " + f.Resource
	}
	if f.Remediation != "" && f.Remediation != rule.Remediation {
		msg += "\nRemediation: " + f.Remediation
	}
	msg = safetext.Visible(msg, "\n")
	if strings.Contains(msg, "](") {
		msg = strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`).Replace(msg)
	}
	return msg
}

// sarifInvocation records whether the run was complete, and why not, as
// tool execution notifications.
func sarifInvocation(r result.Report, dropped int) *sarif.Invocation {
	inv := sarif.NewInvocation().WithExecutionSuccessful(!r.Summary.Incomplete)
	note := func(level, text string) {
		n := sarif.NewNotification()
		n.Level = level
		n.Message = sarif.NewTextMessage(text)
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	for _, id := range checkOrder(r) {
		c, ok := checkByID(r, id)
		if !ok {
			continue
		}
		switch c.Status {
		case result.StatusError:
			note(sarif.LevelError, fmt.Sprintf("check %s could not check everything: %s", safetext.Visible(id, " "), safetext.Visible(orDefault(c.Error, "no reason given"), " ")))
		case result.StatusSkipped:
			note(sarif.LevelNote, fmt.Sprintf("check %s skipped: %s", safetext.Visible(id, " "), safetext.Visible(orDefault(c.Reason, "no reason given"), " ")))
		case result.StatusNoInput:
			why := ""
			if c.Reason != "" {
				why = " (" + safetext.Visible(c.Reason, " ") + ")"
			}
			note(sarif.LevelWarning, fmt.Sprintf("check %s had nothing to judge%s: it passed nothing", safetext.Visible(id, " "), why))
		}
	}
	for _, e := range r.Inputs.NotJudged {
		note(sarif.LevelError, fmt.Sprintf("not judged: %s, %s", safetext.Visible(fileLine(e.File, e.Line), " "), safetext.Visible(e.Message, " ")))
	}
	for _, e := range r.Inputs.Errors {
		note(sarif.LevelError, fmt.Sprintf("could not parse %s: %s", safetext.Visible(fileLine(e.File, e.Line), " "), safetext.Visible(e.Message, " ")))
	}
	if n := len(r.Inputs.Skipped); n > 0 {
		note(sarif.LevelNote, fmt.Sprintf("skipped %s by design (binary, oversized, templated or not UTF-8)", plural(n, "file", "files")))
	}
	if dropped > 0 {
		note(sarif.LevelWarning, fmt.Sprintf("%s beyond GitHub's limit of %d results per run left out (the least severe); the JSON report has them all", plural(dropped, "finding", "findings"), MaxSARIFResults))
	}
	return inv
}

// ruleName turns a rule id such as "trust-oidc-sub-wildcard" into the
// PascalCase name SARIF viewers expect ("TrustOidcSubWildcard").
func ruleName(id string) string {
	var b strings.Builder
	upper := true
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z':
			if upper {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			upper = false
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	if b.Len() == 0 {
		return "Rule"
	}
	return b.String()
}

func oneLine(s string) string { return safetext.Visible(s, " ") }
