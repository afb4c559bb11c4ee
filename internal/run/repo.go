package run

import (
	"context"
	"fmt"
	"strings"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/source"
)

// RepoFiles gathers IAM policies, CloudFormation templates, Terraform plans
// and inventory snapshots from a repository's files.
type RepoFiles struct {
	Root    string
	Options source.Options
	// Staged reads only what `git commit` would record: the files the
	// index adds or changes, from the staged blobs (source.ScanStaged),
	// instead of walking the working tree.
	Staged bool
	// Read, when set, is told once the repository has been read whether
	// it holds any fact of awsFamilies (see repoRead).
	Read *repoRead
}

var _ Gatherer = (*RepoFiles)(nil)

// Name implements Gatherer.
func (g *RepoFiles) Name() string { return "repository files" }

// Families implements Gatherer.
func (g *RepoFiles) Families() []string { return awsFamilies() }

// Gather implements Gatherer.
func (g *RepoFiles) Gather(ctx context.Context, in *facts.Input) Outcome {
	out := Outcome{Resources: map[string]int{}, Errors: map[string]string{}}
	g.Read.start()
	scan, what := source.Scan, "scan repository"
	if g.Staged {
		scan, what = source.ScanStaged, "read staged files"
	}
	res, err := scan(ctx, g.Root, g.Options)
	// Anything that went wrong counts as facts found: the whole rule set
	// then compiles, as it would have without the signal.
	g.Read.report(err != nil || res == nil || len(res.Roles)+len(res.Policies)+len(res.Secrets) > 0 ||
		len(res.Errors) > 0 || len(res.NotJudged) > 0)
	if err != nil {
		for _, f := range g.Families() {
			out.Errors[f] = fmt.Sprintf("%s: %v", what, err)
		}
		return out
	}
	addAWSFacts(in, out.Resources, res.Roles, res.Policies, res.Secrets)
	out.Files = res.Files
	out.Problems = res.Errors
	out.Skips = res.Skipped
	out.NotJudged = res.NotJudged
	var msgs []string
	if n := len(res.Errors); n > 0 {
		// Where and why each file failed is in the report's input
		// problems (inputs.errors): said once there, not again per check.
		msgs = append(msgs, fmt.Sprintf("%s could not be read, first %s (the input problems say why)", plural(n, "file", "files"), where(res.Errors[0])))
	}
	if n := len(res.NotJudged); n > 0 {
		// The roles and secrets such code defines were not judged: the
		// families cannot read as ok (or as having nothing to judge).
		msgs = append(msgs, fmt.Sprintf("%d infrastructure project(s) not judged, first %s", n, describe(res.NotJudged[0])))
	}
	if len(msgs) > 0 {
		msg := strings.Join(msgs, "; ")
		for _, f := range g.Families() {
			out.Errors[f] = msg
		}
	}
	return out
}

// awsFamilies are the check families judged from role, policy and secret
// facts, whether read from repository files or from the live account.
func awsFamilies() []string {
	return []string{result.CheckNaming, result.CheckRotation, result.CheckIAM, result.CheckTrust}
}

// addAWSFacts appends roles, policies and secrets to the input and records
// how many resources each of awsFamilies judges: secrets for naming and
// rotation, policies for IAM (documents read, and AWS managed policies
// attached by ARN only, which the rules judge by name), roles with a trust
// policy for trust.
func addAWSFacts(in *facts.Input, resources map[string]int, roles []facts.Role, policies []facts.Policy, secrets []facts.Secret) {
	in.Roles = append(in.Roles, roles...)
	in.Policies = append(in.Policies, policies...)
	in.Secrets = append(in.Secrets, secrets...)
	trusts := map[string]bool{}
	for _, r := range roles {
		if r.Trust != nil {
			trusts[baseID(r.ID)] = true
		}
	}
	secretIDs := map[string]bool{}
	for _, s := range secrets {
		secretIDs[baseID(s.ID)] = true
	}
	resources[result.CheckNaming] = len(secretIDs)
	resources[result.CheckRotation] = len(secretIDs)
	known := map[string]bool{}
	for _, p := range policies {
		if p.ARN != "" {
			known[p.ARN] = true
		}
	}
	byARN := map[string]bool{}
	for _, r := range roles {
		for _, a := range r.AttachedARNs {
			if !known[a] {
				byARN[a] = true
			}
		}
	}
	policyIDs := map[string]bool{}
	for _, p := range policies {
		policyIDs[baseID(p.ID)] = true
	}
	resources[result.CheckIAM] = len(policyIDs) + len(byARN)
	resources[result.CheckTrust] = len(trusts)
}

// baseID is a fact's id without the variant a CloudFormation reader
// appends ("stack.yaml#Deploy[IsMain=false]" is stack.yaml#Deploy): counts
// are of resources, not of the branches they were read in.
func baseID(id string) string {
	if strings.HasSuffix(id, "]") {
		// A variant is [Cond=value,…]; a Terraform instance ([0],
		// ["prod"]) is a resource of its own.
		if i := strings.LastIndex(id, "["); i > 0 && strings.Contains(id[i:], "=") && !strings.Contains(id[i:], "\"") {
			return id[:i]
		}
	}
	return id
}

// where is a problem's file and line.
func where(p result.InputProblem) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return p.File
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func describe(p result.InputProblem) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// Unavailable is a gatherer for families this run cannot check, with the
// reason. As error it makes the run incomplete (the user asked for something
// that could not be done); otherwise the families are reported skipped.
type Unavailable struct {
	For    []string
	Reason string
	// AsError reports the families as error instead of skipped.
	AsError bool
	// NoInput reports the families as having nothing to judge (no-input)
	// instead of skipped: the check could run, there was nothing for it.
	NoInput bool
}

// Name implements Gatherer.
func (u *Unavailable) Name() string { return "unavailable" }

// Families implements Gatherer.
func (u *Unavailable) Families() []string { return u.For }

// Gather implements Gatherer.
func (u *Unavailable) Gather(context.Context, *facts.Input) Outcome {
	out := Outcome{Errors: map[string]string{}, Skipped: map[string]string{}, NoInput: map[string]string{}}
	for _, f := range u.For {
		switch {
		case u.AsError:
			out.Errors[f] = u.Reason
		case u.NoInput:
			out.NoInput[f] = u.Reason
		default:
			out.Skipped[f] = u.Reason
		}
	}
	return out
}
