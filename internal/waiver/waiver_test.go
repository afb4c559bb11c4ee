package waiver

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
)

func mustLoad(t *testing.T, text string) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), config.FileName)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatalf("Load:\n%s\n%v", text, err)
	}
	return c
}

func TestRequireExpiry(t *testing.T) {
	c := mustLoad(t, `waivers:
  - rule: a
    reason: x
    owner: y
    expires: 2020-01-01
  - rule: b
    resource: prod/*
    reason: x
    owner: y
  - {rule: c, reason: x, owner: y}
`)
	if err := RequireExpiry(c, false); err != nil {
		t.Errorf("without --require-waiver-expiry: %v", err)
	}
	err := RequireExpiry(c, true)
	var es config.Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("want two errors, got %v", err)
	}
	if es[0].Line != 6 || es[0].Column != 5 || es[1].Line != 10 {
		t.Errorf("locations: %+v %+v", es[0], es[1])
	}
	if !strings.HasSuffix(es[0].File, config.FileName) || !strings.Contains(es[0].Msg, `rule "b" on "prod/*" has no expires date`) {
		t.Errorf("message: %v", es[0])
	}
	// An expired waiver is not an error here: the policies report it.
	if err := RequireExpiry(config.Default(), true); err != nil {
		t.Errorf("no waivers: %v", err)
	}
}

func TestCheckRules(t *testing.T) {
	c := mustLoad(t, `waivers:
  - {rule: known-rule, reason: x, owner: y}
  - {rule: "*", reason: x, owner: y}
  - {rule: typo-rule, reason: x, owner: y}
  - {rule: other-typo, reason: x, owner: y}
`)
	known := func(id string) bool { return id == "known-rule" }
	err := CheckRules(c, known)
	var es config.Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("want two errors (the unknown rules; * is every rule), got %v", err)
	}
	if es[0].Line != 4 || es[1].Line != 5 || !strings.Contains(es[0].Msg, `unknown rule "typo-rule"`) {
		t.Errorf("errors: %+v %+v", es[0], es[1])
	}
	if err := CheckRules(c, func(string) bool { return true }); err != nil {
		t.Errorf("every rule known: %v", err)
	}
}

// TestConfirm: only a configured waiver (its rule's or "*") waives; a
// finding a rule marked waived by itself is not.
func TestConfirm(t *testing.T) {
	set := NewSet([]facts.Waiver{{Rule: "a", Reason: "ok", Owner: "o"}, {Rule: "*", Reason: "all", Owner: "p"}})
	tests := []struct {
		name string
		raw  policy.Raw
		want bool
	}{
		{"its rule's waiver", policy.Raw{Rule: "a", Waived: true, WaiverReason: "ok", WaiverOwner: "o"}, true},
		{"a waiver for every rule", policy.Raw{Rule: "b", Waived: true, WaiverReason: "all", WaiverOwner: "p"}, true},
		{"another rule's waiver", policy.Raw{Rule: "b", Waived: true, WaiverReason: "ok", WaiverOwner: "o"}, false},
		{"self-made", policy.Raw{Rule: "a", Waived: true, WaiverReason: "trust me", WaiverOwner: "o"}, false},
		{"not waived", policy.Raw{Rule: "a"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.raw
			set.Confirm(&raw)
			if raw.Waived != tc.want {
				t.Errorf("waived %v, want %v", raw.Waived, tc.want)
			}
			if !raw.Waived && (raw.WaiverReason != "" || raw.WaiverOwner != "") {
				t.Errorf("an unwaived finding keeps the waiver's reason %q and owner %q", raw.WaiverReason, raw.WaiverOwner)
			}
		})
	}
}

// TestDocsShowRealError: the --require-waiver-expiry example of
// docs/configuration.md is what RequireExpiry says.
func TestDocsShowRealError(t *testing.T) {
	const docsPath = "../../docs/configuration.md"
	b, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	c := &config.Config{Path: config.FileName, Waivers: []config.Waiver{{Rule: "iam-kms-decrypt-unscoped", Resource: "**", Line: 14, Column: 5}}}
	msg := RequireExpiry(c, true).Error()
	if !strings.Contains(string(b), "$ secretgate check --require-waiver-expiry\n  "+msg+"\n") {
		t.Errorf("%s: the --require-waiver-expiry example is not what RequireExpiry says:\n%s", docsPath, msg)
	}
}
