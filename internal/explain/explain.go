// Package explain says why AWS refused (or would admit) a GitHub Actions
// OIDC token for a role: it evaluates the role's trust policy against the
// token's claims with the same Rego functions the trust rules use
// (data.secretgate.lib.trust.explain_outside), and reports the statement and
// condition that refused the token, or the closest miss. It also simulates
// the tokens an attacker could present from the token's repository (a pull
// request, a fork's pull request, another branch, another repository, another
// organisation) and says which of them the role admits.
//
// The token itself is never needed: only its decoded claims, of which only
// ShownClaims are ever shown.
package explain

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/secretgate/secretgate/internal/facts"
)

// Query is the Rego function an explanation is made by.
const Query = "data.secretgate.lib.trust.explain_outside(input.document, input.claims, input.protected)"

// Options are the configuration an explanation depends on.
type Options struct {
	// ProtectedEnvironments is github.protected_environments: the
	// simulated pull-request job names no environment these cover, as the
	// trust rules assume such a job is held to the environment's
	// deployment-branch rules.
	ProtectedEnvironments []string
}

// Evaluator evaluates a Rego query over the compiled policies
// (*policy.Engine).
type Evaluator interface {
	Eval(ctx context.Context, query string, input any) (any, error)
}

// Explanation is the verdict on one token for one role.
type Explanation struct {
	// RoleARN is the role asked about (an ARN or a name).
	RoleARN string `json:"role_arn"`
	// Role is the name of the role found; empty when unknown.
	Role string `json:"role,omitempty"`
	// Known is true when the role's trust policy is known and was evaluated.
	Known bool `json:"known"`
	// RolesFound lists the names of the roles that were read, sorted, when
	// the one asked about is not among them: the user mistyped it, or it
	// lives only in AWS.
	RolesFound []string `json:"roles_found,omitempty"`
	// Source says where the trust policy came from (iam-json,
	// cloudformation, terraform, inventory), File and Line where.
	Source string `json:"source,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	// Claims holds the token's claims that may be shown (ShownClaims).
	Claims map[string]string `json:"claims"`
	// Provider is the condition key prefix of the token's issuer.
	Provider string `json:"provider,omitempty"`
	// Admitted: some Allow statement admits the token and no Deny refuses it.
	Admitted  bool  `json:"admitted"`
	AllowedBy []int `json:"allowed_by,omitempty"`
	DeniedBy  []int `json:"denied_by,omitempty"`
	// Closest is the index of the closest miss: the Allow statement for the
	// token's provider and sts:AssumeRoleWithWebIdentity with the fewest
	// failing conditions; nil when admitted or when there is none.
	Closest    *int        `json:"closest,omitempty"`
	Statements []Statement `json:"statements,omitempty"`
	// Home is the repository the token comes from, the attackers'
	// reference point; Attackers the simulated tokens.
	Home      string  `json:"home,omitempty"`
	Attackers []Probe `json:"attackers,omitempty"`
}

// Statement is one trust statement judged against the token.
type Statement struct {
	Index  int    `json:"index"`
	Sid    string `json:"sid,omitempty"`
	Effect string `json:"effect"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	// Verdict: allows, refuses (an Allow whose conditions fail), denies (a
	// Deny that applies), no-match (a Deny whose conditions fail),
	// other-principal, other-action, other-effect.
	Verdict   string   `json:"verdict"`
	Providers []string `json:"providers,omitempty"`
	Actions   []string `json:"actions,omitempty"`
	// Checks are all conditions, Failures the failing ones.
	Checks   []Condition `json:"checks,omitempty"`
	Failures []Condition `json:"failures,omitempty"`
}

// Condition is one operator and key of a statement's condition.
type Condition struct {
	Operator string   `json:"operator"`
	Key      string   `json:"key"`
	Claim    string   `json:"claim,omitempty"`
	Values   []string `json:"values"`
	// Actual holds the token's values for the key; nil when the token
	// lacks the claim or when Hidden.
	Actual []string `json:"actual,omitempty"`
	// Hidden: the claim is not one of ShownClaims, so its value is withheld.
	Hidden bool `json:"hidden,omitempty"`
	Holds  bool `json:"holds"`
	// Reason why a failing condition fails: mismatch, missing, excluded,
	// not-all, null, other-provider.
	Reason string `json:"reason,omitempty"`
}

// Probe is one simulated attacker token and IAM's verdict on it.
type Probe struct {
	// Kind: pull_request, fork_pull_request, environment_pull_request (a
	// pull-request job naming a fresh environment), other_branch,
	// other_repo, other_org, forged_template (another organisation's own
	// subject template, for a workflow-first sub).
	Kind     string `json:"kind"`
	Sub      string `json:"sub"`
	Admitted bool   `json:"admitted"`
}

// FindRole finds a role by ARN, else by name (the last segment of the ARN,
// or the whole argument when it is not an ARN). Roles whose trust policy
// is known are preferred.
func FindRole(roleARN string, roles []facts.Role) (facts.Role, bool) {
	name := roleName(roleARN)
	var byName []facts.Role
	for _, r := range roles {
		if roleARN != "" && (strings.EqualFold(r.ARN, roleARN) || r.ID == roleARN) && r.Trust != nil {
			return r, true
		}
		if name != "" && strings.EqualFold(r.Name, name) {
			byName = append(byName, r)
		}
	}
	for _, r := range byName {
		if r.Trust != nil {
			return r, true
		}
	}
	for _, r := range roles {
		if roleARN != "" && (strings.EqualFold(r.ARN, roleARN) || r.ID == roleARN) {
			return r, true
		}
	}
	if len(byName) > 0 {
		return byName[0], true
	}
	return facts.Role{}, false
}

// roleName returns the role name of an ARN ("arn:aws:iam::1:role/path/x"
// → "x") or the argument itself.
func roleName(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 && strings.HasPrefix(arn, "arn:") {
		return arn[i+1:]
	}
	if strings.HasPrefix(arn, "arn:") {
		return ""
	}
	return arn
}

// roleNames returns the distinct names of roles, sorted.
func roleNames(roles []facts.Role) []string {
	seen := map[string]bool{}
	names := []string{}
	for _, r := range roles {
		if r.Name != "" && !seen[r.Name] {
			seen[r.Name] = true
			names = append(names, r.Name)
		}
	}
	sort.Strings(names)
	return names
}

// Explain evaluates the trust policy of the role (found in roles by ARN or
// name) against the token's claims. An unknown role or trust policy is not
// an error: the Explanation says so (Known false).
func Explain(ctx context.Context, engine Evaluator, roleARN string, claims map[string]any, roles []facts.Role) (Explanation, error) {
	return ExplainWith(ctx, engine, roleARN, claims, roles, Options{})
}

// ExplainWith is Explain with the configuration's options.
func ExplainWith(ctx context.Context, engine Evaluator, roleARN string, claims map[string]any, roles []facts.Role, opts Options) (Explanation, error) {
	e := Explanation{RoleARN: roleARN, Claims: shownClaims(claims)}
	role, ok := FindRole(roleARN, roles)
	if !ok {
		e.RolesFound = roleNames(roles)
		return e, nil
	}
	e.Role = role.Name
	e.Source = role.Source
	if role.Trust == nil {
		e.File, e.Line = role.File, role.Line
		return e, nil
	}
	e.Known = true
	e.File, e.Line = role.Trust.File, role.Trust.Line
	if e.File == "" {
		e.File, e.Line = role.File, role.Line
	}
	if claims == nil {
		claims = map[string]any{}
	}
	protected := opts.ProtectedEnvironments
	if protected == nil {
		protected = []string{}
	}
	out, err := engine.Eval(ctx, Query, map[string]any{"document": role.Trust, "claims": claims, "protected": protected})
	if err != nil {
		return e, fmt.Errorf("explain role %s: %w", roleARN, err)
	}
	// The result is JSON-shaped; a JSON round trip fills the typed fields.
	b, err := json.Marshal(out)
	if err != nil {
		return e, fmt.Errorf("explain role %s: %w", roleARN, err)
	}
	var r struct {
		Provider   string      `json:"provider"`
		Admitted   bool        `json:"admitted"`
		AllowedBy  []int       `json:"allowed_by"`
		DeniedBy   []int       `json:"denied_by"`
		Closest    *int        `json:"closest"`
		Statements []Statement `json:"statements"`
		Home       string      `json:"home"`
		Attackers  []Probe     `json:"attackers"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return e, fmt.Errorf("explain role %s: unexpected result: %w", roleARN, err)
	}
	e.Provider, e.Admitted, e.AllowedBy, e.DeniedBy, e.Closest = r.Provider, r.Admitted, r.AllowedBy, r.DeniedBy, r.Closest
	e.Home, e.Attackers = r.Home, r.Attackers
	e.Statements = r.Statements
	for i := range e.Statements {
		s := &e.Statements[i]
		hide(s.Checks)
		hide(s.Failures)
		if s.File == "" {
			s.File = e.File
		}
	}
	return e, nil
}

// hide withholds the token's values of claims that are not shown.
func hide(cs []Condition) {
	for i := range cs {
		if !shown[cs[i].Claim] && len(cs[i].Actual) > 0 {
			cs[i].Actual = nil
			cs[i].Hidden = true
		}
	}
}
