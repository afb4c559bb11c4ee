package explain

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Render writes the explanation in plain words: the role and where its
// trust policy comes from, the token's shown claims, the verdict with the
// statement and conditions that decided it, and the simulated attacker
// tokens.
func Render(w io.Writer, e Explanation) error {
	var b strings.Builder
	renderHeader(&b, e)
	if !e.Known {
		renderUnknown(&b, e)
		_, err := io.WriteString(w, b.String())
		return err
	}
	renderVerdict(&b, e)
	renderAttackers(&b, e)
	_, err := io.WriteString(w, b.String())
	return err
}

func renderHeader(b *strings.Builder, e Explanation) {
	switch {
	case e.Role != "" && e.Role != e.RoleARN:
		fmt.Fprintf(b, "Role %s (%s)\n", e.Role, e.RoleARN)
	default:
		fmt.Fprintf(b, "Role %s\n", e.RoleARN)
	}
	if e.Known {
		fmt.Fprintf(b, "Trust policy: %s\n", where(e.Source, e.File, e.Line))
	}
	if len(e.Claims) > 0 {
		var parts []string
		for _, k := range sortedKeys(e.Claims) {
			parts = append(parts, fmt.Sprintf("%s %q", k, e.Claims[k]))
		}
		fmt.Fprintf(b, "Token: %s\n", strings.Join(parts, ", "))
	}
}

func where(source, file string, line int) string {
	loc := file
	if loc != "" && line > 0 {
		loc = fmt.Sprintf("%s:%d", file, line)
	}
	switch {
	case loc != "" && source != "":
		return fmt.Sprintf("%s (%s)", loc, source)
	case loc != "":
		return loc
	case source != "":
		return source
	}
	return "unknown location"
}

// maxRolesListed bounds the roles an unknown-role verdict lists.
const maxRolesListed = 20

// renderUnknown says why the trust policy is unknown. explain-trust runs
// offline: the way to a verdict is a file the repository holds (the role's
// declaration, or an inventory snapshot taken with AWS credentials), never
// a permission to grant.
func renderUnknown(b *strings.Builder, e Explanation) {
	const snapshot = "an inventory snapshot that includes it (secretgate inventory --out FILE, taken with AWS credentials)"
	if e.Role != "" {
		fmt.Fprintf(b, "Verdict: trust policy unknown: the role is declared in %s without its trust policy; declare the trust policy there, or add %s.\n", where(e.Source, e.File, e.Line), snapshot)
		return
	}
	name := roleName(e.RoleARN)
	var variants []string
	for _, r := range e.RolesFound {
		if strings.HasPrefix(r, name+"/if ") {
			variants = append(variants, r)
		}
	}
	if len(variants) > 0 {
		// A CloudFormation role read once per branch of an Fn::If its
		// template cannot decide: each variant has its own trust.
		fmt.Fprintf(b, "Verdict: %s is read in %d variants, one per branch of a condition the template does not decide; explain each: %s.\n", name, len(variants), roleFlags(variants))
		return
	}
	fmt.Fprintf(b, "Verdict: trust policy unknown: no role %q in the repository's IAM JSON, CloudFormation, Terraform or inventory snapshots; check the name, or add %s.\n", name, snapshot)
	switch n := len(e.RolesFound); {
	case n == 0:
		b.WriteString("No role was found in the repository.\n")
	case n <= maxRolesListed:
		fmt.Fprintf(b, "Roles found (%d): %s.\n", n, strings.Join(e.RolesFound, ", "))
	default:
		fmt.Fprintf(b, "Roles found (%d): %s, and %d more (--format json lists them all).\n", n, strings.Join(e.RolesFound[:maxRolesListed], ", "), n-maxRolesListed)
	}
}

func renderVerdict(b *strings.Builder, e Explanation) {
	byIndex := map[int]Statement{}
	for _, s := range e.Statements {
		byIndex[s.Index] = s
	}
	switch {
	case e.Admitted:
		fmt.Fprintf(b, "Verdict: admitted by %s.\n", labels(e.AllowedBy, byIndex))
		b.WriteString("If AWS still refused the token, the cause lies outside the trust policy's conditions: the IAM OIDC provider's audiences (client IDs) must list the token's aud, session tags need sts:TagSession in the same statement, DurationSeconds must not exceed the role's maximum session duration, and the trust policy in the account may differ from the one declared here.\n")
	case len(e.DeniedBy) > 0:
		b.WriteString("Verdict: refused.\n")
		for _, i := range e.DeniedBy {
			s := byIndex[i]
			fmt.Fprintf(b, "Refused by Deny %s, whose conditions all hold for this token", label(s))
			renderConditions(b, s.Checks, denyCondition)
		}
		if len(e.AllowedBy) > 0 {
			fmt.Fprintf(b, "(Without it, %s would admit the token.)\n", labels(e.AllowedBy, byIndex))
		}
	case e.Closest != nil:
		b.WriteString("Verdict: refused.\n")
		refusing := 0
		for _, s := range e.Statements {
			if s.Verdict == "refuses" {
				refusing++
			}
		}
		closest := byIndex[*e.Closest]
		if refusing == 1 {
			fmt.Fprintf(b, "Refused by %s", label(closest))
		} else {
			fmt.Fprintf(b, "No statement admits the token. Closest miss: %s", label(closest))
		}
		renderConditions(b, closest.Failures, failedCondition)
		for _, s := range e.Statements {
			if s.Verdict == "refuses" && s.Index != *e.Closest {
				fmt.Fprintf(b, "Also refused by %s", label(s))
				renderConditions(b, s.Failures, failedCondition)
			}
		}
	default:
		b.WriteString("Verdict: refused.\n")
		fmt.Fprintf(b, "No statement allows sts:AssumeRoleWithWebIdentity to the token's provider %s.\n", e.Provider)
		for _, s := range e.Statements {
			fmt.Fprintf(b, "  - %s: %s.\n", capital(label(s)), inapplicable(s, e.Provider))
		}
	}
}

func renderConditions(b *strings.Builder, cs []Condition, phrase func(Condition) string) {
	switch len(cs) {
	case 0:
		b.WriteString(".\n")
	case 1:
		fmt.Fprintf(b, ": %s.\n", phrase(cs[0]))
	default:
		b.WriteString(":\n")
		for _, c := range cs {
			fmt.Fprintf(b, "  - %s.\n", phrase(c))
		}
	}
}

// label names a statement: "statement 0 (Sid "X", line 12 of roles/deploy.json)".
func label(s Statement) string {
	var extra []string
	if s.Sid != "" {
		extra = append(extra, fmt.Sprintf("Sid %q", s.Sid))
	}
	switch {
	case s.File != "" && s.Line > 0:
		extra = append(extra, fmt.Sprintf("line %d of %s", s.Line, s.File))
	case s.File != "":
		extra = append(extra, s.File)
	}
	if len(extra) == 0 {
		return fmt.Sprintf("statement %d", s.Index)
	}
	return fmt.Sprintf("statement %d (%s)", s.Index, strings.Join(extra, ", "))
}

func labels(idx []int, byIndex map[int]Statement) string {
	var parts []string
	for _, i := range idx {
		parts = append(parts, label(byIndex[i]))
	}
	return strings.Join(parts, " and ")
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func inapplicable(s Statement, provider string) string {
	switch s.Verdict {
	case "other-principal":
		if len(s.Providers) > 0 {
			return fmt.Sprintf("trusts the OIDC provider %s, not %s", strings.Join(s.Providers, ", "), provider)
		}
		return "does not trust an OIDC provider (its principal is an AWS account, role or service)"
	case "other-action":
		if len(s.Actions) == 0 {
			return "allows no action (NotAction excludes sts:AssumeRoleWithWebIdentity)"
		}
		return fmt.Sprintf("allows %s, not sts:AssumeRoleWithWebIdentity", strings.Join(s.Actions, ", "))
	case "other-effect":
		return fmt.Sprintf("has the effect %q, neither Allow nor Deny", s.Effect)
	case "no-match":
		return "a Deny statement whose conditions do not hold for this token"
	}
	return s.Verdict
}

// quoteValues: "a" or one of "a", "b".
func quoteValues(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "one of " + strings.Join(q, ", ")
}

func tokenSays(c Condition) string {
	switch {
	case c.Hidden:
		return fmt.Sprintf("the token's %s claim does not match (its value is not shown)", c.Claim)
	case len(c.Actual) == 0:
		return fmt.Sprintf("the token has no %s claim", claimLabel(c))
	case len(c.Actual) == 1:
		return fmt.Sprintf("the token says %q", c.Actual[0])
	}
	return "the token says " + quoteAll(c.Actual)
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

func claimLabel(c Condition) string {
	if c.Claim != "" {
		return c.Claim
	}
	return c.Key
}

func opLower(op string) string { return strings.ToLower(op) }

// failedCondition: why one condition of an Allow statement fails.
func failedCondition(c Condition) string {
	head := fmt.Sprintf("condition %s %s", c.Operator, c.Key)
	op := opLower(c.Operator)
	switch c.Reason {
	case "other-provider":
		return fmt.Sprintf("%s names another OIDC provider's claim, which tokens of this provider never carry", head)
	case "null":
		if len(c.Values) > 0 && strings.EqualFold(c.Values[0], "true") {
			return fmt.Sprintf("%s requires the token to lack the %s claim; %s", head, claimLabel(c), tokenSays(c))
		}
		return fmt.Sprintf("%s requires a %s claim; the token has none", head, claimLabel(c))
	case "excluded":
		return fmt.Sprintf("%s excludes %s; %s", head, quoteValues(c.Values), tokenSays(c))
	case "not-all":
		return fmt.Sprintf("%s allows only %s; %s", head, quoteValues(c.Values), tokenSays(c))
	}
	verb := "requires"
	if strings.Contains(op, "like") {
		verb = "requires a value like"
	}
	if strings.HasSuffix(op, "ifexists") {
		verb += " (when present)"
	}
	return fmt.Sprintf("%s %s %s; %s", head, verb, quoteValues(c.Values), tokenSays(c))
}

// denyCondition: a condition of a Deny statement that holds.
func denyCondition(c Condition) string {
	return fmt.Sprintf("condition %s %s %s holds; %s", c.Operator, c.Key, quoteAll(c.Values), tokenSays(c))
}

var probeLabels = map[string]string{
	"pull_request":             "a pull request",
	"fork_pull_request":        "a fork's pull request",
	"environment_pull_request": "a pull request naming an environment",
	"other_branch":             "another branch",
	"other_repo":               "another repository",
	"other_org":                "another organisation",
	"forged_template":          "another organisation's subject template",
}

func renderAttackers(b *strings.Builder, e Explanation) {
	if len(e.Attackers) == 0 {
		return
	}
	fmt.Fprintf(b, "\nSimulated attacker tokens (relative to %s):\n", e.Home)
	width := 0 // the label column: the longest label shown
	for _, p := range e.Attackers {
		width = max(width, len(probeLabels[p.Kind]))
	}
	for _, p := range e.Attackers {
		verdict := "refused"
		if p.Admitted {
			verdict = "ADMITTED"
		}
		fmt.Fprintf(b, "  %-8s  %-*s  %s\n", verdict, width, probeLabels[p.Kind], p.Sub)
	}
}

// roleFlags writes each name as a --role argument.
func roleFlags(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("--role %q", n)
	}
	return strings.Join(q, ", ")
}
