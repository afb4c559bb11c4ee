package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/secretgate/secretgate/internal/awsauth"
	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/merge"
	"github.com/secretgate/secretgate/internal/org"
	"github.com/secretgate/secretgate/internal/result"
)

// Organization says which accounts CheckOrganization checks: Accounts (a
// matrix shard's), else every account aws.organization selects.
type Organization struct {
	Accounts []string
}

// orgRun is an organisation run: the accounts and the plan each account's
// check starts from.
type orgRun struct {
	plan Plan
	sel  Organization
	orgc *config.Organization
	log  io.Writer
}

// CheckOrganization checks AWS accounts with p (docs/organizations.md): the
// hub session is p's role (--role-arn, aws.role_arn), each account is read
// through aws.organization's spoke role assumed from it, and the accounts'
// reports are merged into one. err means nothing could be checked (no hub
// session, the organisation could not be listed).
func CheckOrganization(ctx context.Context, p Plan, sel Organization) (result.Report, error) {
	if p.Config.AWS.Organization == nil {
		return result.Report{}, &UsageError{Err: errors.New("no aws.organization in the configuration")}
	}
	log := p.Log
	if log == nil {
		log = io.Discard
	}
	return orgRun{plan: p, sel: sel, orgc: p.Config.AWS.Organization, log: log}.check(ctx)
}

// check checks every account — assumes its spoke role from the hub, finds
// its regions, runs the plan with that session — at most
// aws.organization.concurrency at once, and merges the accounts' reports.
// An account whose role cannot be assumed or whose check could not run is
// not judged, with the reason. err means nothing could be checked (no hub
// session, the organisation could not be listed).
func (o orgRun) check(ctx context.Context) (result.Report, error) {
	p := o.plan
	hub, err := HubSession(ctx, p.AWS.RoleARN, p.AWS.Regions, p.Config, p.Env, o.log)
	if err != nil {
		return result.Report{}, fmt.Errorf("hub credentials: %w", err)
	}
	var targets []org.Account
	var notJudged, excluded []result.Account
	if len(o.sel.Accounts) == 0 {
		l, err := org.List(ctx, organizations.NewFromConfig(hub.Config), org.Selection{
			OUs: o.orgc.OUs, Include: o.orgc.Include, Exclude: o.orgc.Exclude,
		})
		if err != nil {
			return result.Report{}, fmt.Errorf("list the organisation's accounts: %w", err)
		}
		targets = l.Accounts
		for _, m := range l.Missing {
			notJudged = append(notJudged, result.Account{ID: m.ID, Reason: m.Reason})
		}
		excluded = ExcludedAccounts(l.Excluded)
	} else {
		for _, id := range o.sel.Accounts {
			targets = append(targets, org.Account{ID: id})
		}
	}

	spoke := org.Spoke{
		RoleName: o.orgc.RoleName, ExternalID: o.orgc.ExternalID, SessionTags: o.orgc.SessionTags,
		SessionName: sessionName(p.Env),
	}
	partition := org.Partition(hub.ARN)
	// Every account's run compiles nothing of its own: one engine serves
	// them all.
	o.plan.policies = &sharedPolicies{}
	inputs := make([]merge.Input, len(targets))
	failed := make([]*result.Account, len(targets))
	sem := make(chan struct{}, max(1, o.orgc.Concurrency))
	var wg sync.WaitGroup
	for i, a := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			rep, err := o.checkAccount(ctx, hub, partition, a, spoke)
			if err != nil {
				failed[i] = &result.Account{ID: a.ID, Name: a.Name, Reason: err.Error()}
				return
			}
			inputs[i] = merge.Input{Report: rep}
		}()
	}
	wg.Wait()
	var done []merge.Input
	for i := range targets {
		if failed[i] != nil {
			notJudged = append(notJudged, *failed[i])
			continue
		}
		done = append(done, inputs[i])
	}
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}
	rep := merge.Merge(done, merge.Options{Threshold: &p.Threshold, NotJudged: notJudged, Excluded: excluded, Now: now, Tool: p.Tool})
	if len(targets) == 0 && len(notJudged) == 0 {
		// Nothing selected is nothing judged, never a pass.
		rep.Merge.Problems = append(rep.Merge.Problems, result.MergeProblem{Message: "no account selected: check aws.organization (ous, include, exclude)"})
		rep.Summarize(p.Threshold)
	}
	rep.Merge.Reports = len(done)
	return rep, nil
}

// checkAccount runs the plan in one account through its spoke role.
func (o orgRun) checkAccount(ctx context.Context, hub *awsauth.Session, partition string, a org.Account, spoke org.Spoke) (result.Report, error) {
	start := time.Now()
	cfg, err := org.Assume(ctx, hub.Config, partition, a.ID, spoke)
	if err != nil {
		return result.Report{}, err
	}
	p := o.plan
	regions := p.AWS.Regions
	if len(regions) == 0 {
		regions = p.Config.AWS.Regions
	}
	if len(regions) == 0 {
		if regions, err = org.EnabledRegions(ctx, cfg); err != nil {
			return result.Report{}, err
		}
	}
	cfg.Region = regions[0]
	roleARN := spoke.RoleARN(partition, a.ID)
	p.AWS = AWS{Regions: regions, Session: &awsauth.Session{Config: cfg, Account: a.ID, ARN: roleARN, RoleARN: roleARN, Method: "assume-role"}}
	p.Context.Account, p.Context.RoleARN, p.Context.Regions = a.ID, roleARN, regions
	p.Progress = nil
	p.Log = io.Discard
	done, err := Check(ctx, p)
	if err != nil {
		return result.Report{}, fmt.Errorf("check: %w", err)
	}
	rep := done.Report
	if len(rep.Accounts) == 0 {
		// The account's cost, for the next night's matrix, is its wall
		// time (its checks share the gathering, so their durations
		// overlap).
		acc := result.Account{ID: a.ID, Name: a.Name, Status: result.AccountJudged, Regions: regions, Checks: rep.Checks,
			DurationMS: time.Since(start).Milliseconds()}
		for _, c := range rep.Checks {
			if c.Status == result.StatusError && acc.Status == result.AccountJudged {
				acc.Status, acc.Reason = result.AccountIncomplete, c.ID+": "+c.Error
			}
		}
		rep.Accounts = []result.Account{acc}
	}
	return rep, nil
}

// sessionName names the spoke sessions: the repository and run in
// Actions (CloudTrail then says which workflow run read the account).
func sessionName(env func(string) string) string {
	if r := env("GITHUB_REPOSITORY"); r != "" {
		return awsauth.SessionName(r, env("GITHUB_RUN_ID"))
	}
	return fmt.Sprintf("secretgate-%d", time.Now().Unix())
}

// ListOrganization lists the accounts aws.organization selects, with the
// hub credentials (a's role, else aws.role_arn): secretgate matrix
// --organization. The listing's missing are included accounts not found
// active; its excluded the accounts the selection leaves out.
func ListOrganization(ctx context.Context, a AWS, cfg *config.Config, env func(string) string, log io.Writer) (org.Listing, error) {
	o := cfg.AWS.Organization
	if o == nil {
		return org.Listing{}, &UsageError{Err: errors.New("no aws.organization in the configuration")}
	}
	hub, err := HubSession(ctx, a.RoleARN, a.Regions, cfg, env, log)
	if err != nil {
		return org.Listing{}, fmt.Errorf("hub credentials: %w", err)
	}
	return org.List(ctx, organizations.NewFromConfig(hub.Config), org.Selection{OUs: o.OUs, Include: o.Include, Exclude: o.Exclude})
}

// ExcludedAccounts are the rows of the accounts an organisation's
// selection leaves out: status excluded, with why.
func ExcludedAccounts(ex []org.Excluded) []result.Account {
	out := make([]result.Account, 0, len(ex))
	for _, e := range ex {
		out = append(out, result.Account{ID: e.ID, Name: e.Name, Status: result.AccountExcluded, Reason: e.Reason})
	}
	return out
}
