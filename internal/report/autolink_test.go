package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// liveURL matches what GitHub's autolink extension would link in prose:
// a scheme and "://", or "www.", before a host of the attacker's.
var liveURL = regexp.MustCompile(`(?i)(https?|ftp)://evil|www\.evil`)

// URLs and www. hosts in repository text (messages, remediations, check
// reasons) are not auto-linked in the pull-request comment or the job
// summary, and a custom rule's docs_url becomes a link only when it is
// https.
func TestRepositoryURLsAreNotLinked(t *testing.T) {
	r := hostileNamesReport()
	r.Findings = r.Findings[:3]
	rules := []result.Rule{
		{ID: "acme-http", Check: result.CheckLeaks, Severity: result.SeverityHigh, Title: "http docs", DocsURL: "http://evil.example/docs"},
		{ID: "acme-ftp", Check: result.CheckLeaks, Severity: result.SeverityHigh, Title: "ftp docs", DocsURL: "ftp://evil.example/docs"},
		{ID: "acme-https", Check: result.CheckLeaks, Severity: result.SeverityHigh, Title: "https docs", DocsURL: "https://docs.example/acme"},
	}
	for i, rule := range rules {
		r.Rules[rule.ID] = rule
		r.Findings = append(r.Findings, result.Finding{
			Rule: rule.ID, Check: rule.Check, Severity: rule.Severity, Title: rule.Title,
			Message:     "Upload to https://evil.example/a, http://evil.example/b, HTTPS://EVIL.EXAMPLE/c or www.evil.example (WWW.EVIL.EXAMPLE); see `https://in.code.example/x`",
			Remediation: "Read www.evil.example/fix or ftp://evil.example/fix",
			Resource:    "www.evil.example",
			File:        "docs/www.evil.example.md",
			Line:        i + 1,
			Fingerprint: "url-" + rule.ID,
			New:         true,
		})
	}
	r.Checks = append(r.Checks, result.Check{ID: result.CheckNaming, Status: result.StatusSkipped, Reason: "see https://evil.example/reason"})
	r = newOnly(r, "high")

	md, err := New(FormatMarkdown, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var summary bytes.Buffer
	if err := md.Write(&summary, r); err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"job summary": summary.String(),
		"comment":     NewComment(Options{}, StateNone).Render(r),
	}
	for where, out := range outputs {
		prose := stripCode(out)
		if m := liveURL.FindAllString(prose, -1); len(m) > 0 {
			t.Errorf("%s: repository URLs would be auto-linked: %q", where, m)
		}
		if !strings.Contains(prose, "evil.example/a") {
			t.Errorf("%s: the message's URL is not shown at all", where)
		}
		for _, bad := range []string{"](http://evil", "](ftp://evil"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s: a non-https docs_url is a link: %s", where, bad)
			}
		}
		if !strings.Contains(out, "](https://docs.example/acme)") {
			t.Errorf("%s: the https docs_url is not linked", where)
		}
	}
}

func TestNoAutolink(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"https://evil.example", "https:" + zwj + "//evil.example"},
		{"a www.evil.example b", "a www" + zwj + ".evil.example b"},
		{"WWW.EVIL.EXAMPLE", "WWW" + zwj + ".EVIL.EXAMPLE"},
		{"ww.x and wwww.y", "ww.x and wwww" + zwj + ".y"},
		{"x:/y and :// alone", "x:/y and :" + zwj + "// alone"},
	} {
		if got := noAutolink(tc.in); got != tc.want {
			t.Errorf("noAutolink(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHTTPSURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://docs.example/a b": "https://docs.example/a%20b",
		"http://docs.example/a":    "",
		"ftp://docs.example/a":     "",
		"javascript:alert(1)":      "",
		"HTTPS://docs.example/x":   "https://docs.example/x",
	} {
		if got := httpsURL(in); got != want {
			t.Errorf("httpsURL(%q) = %q, want %q", in, got, want)
		}
	}
}
