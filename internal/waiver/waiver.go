// Package waiver owns the Go side of waivers: the configured exceptions
// that hide a rule's findings on matching resources until they expire. A
// waiver passes four stages, always in this order:
//
//  1. parse: config.Load decodes each waivers entry of .secretgate.yml
//     into a config.Waiver (rule, resource glob, reason, owner, expires,
//     and its line), refusing entries without rule, reason or owner; the
//     one YAML decoder of the configuration does it, so that every problem
//     of the file is reported at once. config.Config.Facts hands the
//     waivers to the policies as facts.Waiver.
//  2. validate: RequireExpiry (--require-waiver-expiry) before anything is
//     read, then CheckRules once the policies compiled: a waiver must name
//     a rule of the catalogue, or "*". Both fail the run with exit 2,
//     located at the waiver's entry.
//  3. match: the Rego of policies/main/main.rego applies the unexpired
//     waivers to the findings of every rule (the resource glob, the first
//     matching waiver wins) and marks them waived with the waiver's reason
//     and owner. Set.Confirm then makes sure only a configured waiver
//     waives: a rule cannot mark its own findings waived.
//  4. report: main.rego reports expired waivers (config-waiver-expired,
//     their findings count again) and waivers for every rule or every
//     resource (config-waiver-too-broad); the run carries a waived
//     finding's reason and owner into the report, where it never fails
//     the run.
package waiver

import (
	"fmt"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
)

// RequireExpiry enforces the --require-waiver-expiry policy: with require,
// every waiver without an expires date is a problem, located at its entry.
// It returns nil, a *config.Error, or config.Errors listing all of them.
// Expired waivers are not an error here: the policies report them as
// findings (rule config-waiver-expired), and their findings count again.
func RequireExpiry(cfg *config.Config, require bool) error {
	if !require {
		return nil
	}
	var errs config.Errors
	for _, w := range cfg.Waivers {
		if w.Expires.IsZero() {
			errs = append(errs, &config.Error{
				File:   cfg.Path,
				Line:   w.Line,
				Column: w.Column,
				Msg: fmt.Sprintf("waiver for rule %q on %q has no expires date; --require-waiver-expiry refuses waivers that never expire (add expires: YYYY-MM-DD)",
					w.Rule, w.Resource),
			})
		}
	}
	return errs.Err()
}

// CheckRules refuses waivers that name no known rule: a typo in a rule id
// would otherwise waive nothing, silently. known answers whether a rule id
// is in the compiled catalogue (policy.Engine.Known). It returns nil, a
// *config.Error, or config.Errors listing all of them.
func CheckRules(cfg *config.Config, known func(rule string) bool) error {
	var errs config.Errors
	for _, w := range cfg.Waivers {
		if w.Rule == "*" {
			continue
		}
		if !known(w.Rule) {
			errs = append(errs, &config.Error{File: cfg.Path, Line: w.Line, Column: w.Column,
				Msg: fmt.Sprintf("waiver names unknown rule %q (see secretgate policy list)", w.Rule)})
		}
	}
	return errs.Err()
}

// Set is the configured waivers as the match stage checks them: a finding
// the policies marked waived must carry the reason and owner of a waiver
// for its rule, or of a waiver for every rule ("*").
type Set map[key]bool

type key struct{ rule, reason, owner string }

// NewSet returns the set of the waivers handed to the policies.
func NewSet(ws []facts.Waiver) Set {
	s := Set{}
	for _, w := range ws {
		s[key{w.Rule, w.Reason, w.Owner}] = true
	}
	return s
}

// Confirm clears the waived mark of raw unless a configured waiver backs
// it: only a configured waiver waives, a rule cannot mark its own findings
// waived.
func (s Set) Confirm(raw *policy.Raw) {
	if raw.Waived && !s[key{raw.Rule, raw.WaiverReason, raw.WaiverOwner}] && !s[key{"*", raw.WaiverReason, raw.WaiverOwner}] {
		raw.Waived, raw.WaiverReason, raw.WaiverOwner = false, "", ""
	}
}
