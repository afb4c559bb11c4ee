package policycorpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// label is one case of testdata/labels.json: what a careful reviewer says
// about one real policy, written before secretgate ran on it.
type label struct {
	ID string `json:"id"`
	// Kind is "trust" (a role trust policy) or "permission".
	Kind string `json:"kind"`
	// File is the policy as found, relative to testdata/cases.
	File string `json:"file"`
	// Source is where the policy was taken from: owner/repo@commit:path#line
	// or a URL.
	Source    string `json:"source"`
	LabeledOn string `json:"labeled_on"`
	Batch     int    `json:"batch"`
	// Exposure (trust cases): who can assume the role, the broadest
	// answer (exposures).
	Exposure string `json:"exposure,omitempty"`
	// Power (permission cases): what the policy lets its holder do, the
	// strongest class (powers).
	Power string `json:"power,omitempty"`
	// Hygiene: the condition and document defects present (hygieneClasses);
	// an absent class is a claim too: it must not be reported.
	Hygiene []string `json:"hygiene,omitempty"`
	// Require and Forbid are rule ids that must, and must not, fire on
	// the case.
	Require []string `json:"require,omitempty"`
	Forbid  []string `json:"forbid,omitempty"`
	Reason  string   `json:"reason"`
	// KnownMiss, when set, says why secretgate disagrees with this label
	// today; the case then counts against the score without failing.
	KnownMiss string `json:"known_miss,omitempty"`
	// History records every change of the label after secretgate ran,
	// with why (the label was wrong, never "to match the tool").
	History []string `json:"history,omitempty"`
}

// exposures are the trust exposure classes, broadest first.
var exposures = []string{
	"public",          // any AWS principal (Principal "*") without a condition that names the caller
	"any-org",         // a workflow of any GitHub organisation (no sub, sub "*", a forgeable subject)
	"org-any-repo",    // any repository of one organisation
	"pull-request",    // pull-request runs (unreviewed code) of the named repositories
	"any-environment", // any GitHub environment of the repositories (environment:*), which pull requests can name
	"any-branch",      // any branch or tag, pushes only
	"pinned",          // named branches, tags or environments of named repositories
	"broken",          // nobody can assume the role through GitHub
	"other-principal", // not a GitHub OIDC trust and not public: services, accounts, other providers
}

// powers are the permission classes, most powerful first, as
// policies/lib/power.rego names them.
var powers = []string{"admin", "privilege-escalation", "secret-write", "prod-secret-read", "write", "read-only", "none"}

// hygieneClasses maps each defect class to the rules that report it.
var hygieneClasses = map[string][]string{
	"aud-missing":           {"trust-oidc-aud-missing"},
	"aud-mismatch":          {"trust-oidc-aud-mismatch"},
	"unknown-key":           {"trust-oidc-condition-unknown-claim", "trust-oidc-condition-provider-mismatch"},
	"duplicate-key":         {"trust-duplicate-key", "iam-duplicate-key"},
	"forgeable-subject":     {"trust-oidc-forgeable-subject"},
	"immutable-id-wildcard": {"trust-oidc-immutable-id-wildcard"},
	"malformed-subject":     {"trust-oidc-subject-malformed"},
	"condition-hole":        {"trust-oidc-condition-hole"},
	"literal-wildcard":      {"trust-oidc-literal-wildcard"},
	"action-wildcard":       {"trust-oidc-action-wildcard", "trust-oidc-action-not-web-identity"},
}

// hygieneNames is hygieneClasses' keys, sorted.
func hygieneNames() []string {
	var names []string
	for k := range hygieneClasses {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func loadLabels(t *testing.T) []label {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "labels.json"))
	if err != nil {
		t.Fatalf("read labels: %v", err)
	}
	var doc struct {
		Cases []label `json:"cases"`
	}
	if err := jsonUnmarshalStrict(b, &doc); err != nil {
		t.Fatalf("parse labels: %v", err)
	}
	seen := map[string]bool{}
	for _, l := range doc.Cases {
		if err := l.valid(); err != nil {
			t.Errorf("label %s: %v", l.ID, err)
		}
		if seen[l.ID] {
			t.Errorf("label %s: id used twice", l.ID)
		}
		seen[l.ID] = true
	}
	if t.Failed() {
		t.FailNow()
	}
	return doc.Cases
}

// valid checks one label for what the score needs: a known kind and
// class, a source, a reason, a date, and the policy file.
func (l label) valid() error {
	if l.ID == "" || strings.ContainsAny(l.ID, `/\ `) {
		return fmt.Errorf("id %q must be non-empty without slashes or spaces", l.ID)
	}
	switch l.Kind {
	case "trust":
		if !slices.Contains(exposures, l.Exposure) {
			return fmt.Errorf("exposure %q is not one of %v", l.Exposure, exposures)
		}
		if l.Power != "" {
			return fmt.Errorf("a trust case has no power label")
		}
	case "permission":
		if !slices.Contains(powers, l.Power) {
			return fmt.Errorf("power %q is not one of %v", l.Power, powers)
		}
		if l.Exposure != "" {
			return fmt.Errorf("a permission case has no exposure label")
		}
	default:
		return fmt.Errorf("kind %q is neither trust nor permission", l.Kind)
	}
	for _, h := range l.Hygiene {
		if _, ok := hygieneClasses[h]; !ok {
			return fmt.Errorf("hygiene class %q is not one of %v", h, hygieneNames())
		}
	}
	if l.Source == "" || l.Reason == "" {
		return fmt.Errorf("source and reason are required")
	}
	if _, err := time.Parse("2006-01-02", l.LabeledOn); err != nil {
		return fmt.Errorf("labeled_on: %w", err)
	}
	if _, err := os.Stat(filepath.Join("testdata", "cases", l.File)); err != nil {
		return fmt.Errorf("policy file: %w", err)
	}
	return nil
}

// jsonUnmarshalStrict decodes b into v, refusing fields v does not have
// (a misspelled label key must not silently drop a claim).
func jsonUnmarshalStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
