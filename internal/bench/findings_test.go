package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/run"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// findingLines renders every finding of a report as one line holding
// everything the policies decide (rule, resource, fingerprint, severity,
// message, file, line, waiver), sorted: two reports have the same finding
// set exactly when their lines are equal. Title, remediation and docs URL
// come from the rule catalogue, not from the evaluation, and are left out.
func findingLines(t *testing.T, rep result.Report) []string {
	t.Helper()
	lines := make([]string, 0, len(rep.Findings))
	for _, f := range rep.Findings {
		f.Title, f.Remediation, f.DocsURL = "", "", ""
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	sort.Strings(lines)
	return lines
}

// TestGeneratedAccountGolden holds the finding set of a generated account
// (every field of every finding: rule, resource, fingerprint, severity,
// message, file, line) to a golden file, so that work on the speed of the
// policies or the engine cannot change a verdict unnoticed. The digest file
// covers the benchmark's full 10,000-secret account the same way (its
// listing would be megabytes); `make bench` checks that one too.
func TestGeneratedAccountGolden(t *testing.T) {
	for _, tc := range []struct {
		name             string
		secrets, roles   int
		listing, summary bool
	}{
		{name: "account-600x60", secrets: 600, roles: 60, listing: true},
		{name: "account-10000x1000", secrets: 10000, roles: 1000, summary: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.secrets > 600 {
				t.Skip("the 10,000-secret account takes seconds; -short leaves it out")
			}
			root := writeAccount(t, tc.secrets, tc.roles)
			rep, err := run.Pipeline(context.Background(), runOptions(t, root))
			if err != nil {
				t.Fatal(err)
			}
			lines := findingLines(t, rep)
			if tc.listing {
				compareGolden(t, filepath.Join("testdata", tc.name+".findings"), strings.Join(lines, "\n")+"\n")
			}
			if tc.summary {
				compareGolden(t, filepath.Join("testdata", tc.name+".digest"), digest(lines))
			}
		})
	}
}

// digest summarises a finding set: its size, the findings per rule, and the
// SHA-256 of the sorted finding lines.
func digest(lines []string) string {
	perRule := map[string]int{}
	h := sha256.New()
	for _, l := range lines {
		var f struct {
			Rule string `json:"rule"`
		}
		_ = json.Unmarshal([]byte(l), &f)
		perRule[f.Rule]++
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	rules := make([]string, 0, len(perRule))
	for r := range perRule {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	var b strings.Builder
	fmt.Fprintf(&b, "findings %d\n", len(lines))
	for _, r := range rules {
		fmt.Fprintf(&b, "%s %d\n", r, perRule[r])
	}
	fmt.Fprintf(&b, "sha256 %s\n", hex.EncodeToString(h.Sum(nil)))
	return b.String()
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); diff != "" {
		t.Errorf("finding set differs from %s (-want +got):\n%s", path, diff)
	}
}
