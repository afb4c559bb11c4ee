package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/secretgate/secretgate/internal/awsauth"
	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/matrix"
	"github.com/secretgate/secretgate/internal/merge"
	"github.com/secretgate/secretgate/internal/org"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/run"
)

// orgFlags are the check flags of an organisation run
// (docs/organizations.md).
type orgFlags struct {
	accounts     string // a matrix shard's accounts, comma-separated
	organization bool   // every selected account of the organisation
}

func (o orgFlags) set() bool { return o.accounts != "" || o.organization }

// checkOrgFlags rejects organisation flags that cannot work.
func checkOrgFlags(f checkFlags, cfg *config.Config) error {
	if !f.org.set() {
		return nil
	}
	switch {
	case f.org.accounts != "" && f.org.organization:
		return errors.New("--accounts and --organization are mutually exclusive: --organization lists the accounts itself")
	case f.offline:
		return errors.New("--accounts and --organization check AWS accounts and cannot be combined with --offline")
	case cfg.AWS.Organization == nil:
		return errors.New("--accounts and --organization need aws.organization.role_name in the configuration: the role to assume in each account")
	case f.auditLog != "":
		return errors.New("--audit-log is for one account; an organisation run reads credentials in many")
	}
	if f.org.accounts != "" {
		if _, err := shardAccounts(f.org.accounts); err != nil {
			return err
		}
	}
	return nil
}

// shardAccounts reads --accounts.
func shardAccounts(s string) ([]string, error) {
	ids := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	if len(ids) == 0 {
		return nil, errors.New("--accounts: no account ids")
	}
	for _, id := range ids {
		if !matrix.ValidAccount(id) {
			return nil, fmt.Errorf("--accounts: %q is not a 12-digit AWS account id", printable(id))
		}
	}
	return ids, nil
}

// orgRun is an organisation run: the hub session, the accounts and the
// plan each account's check starts from.
type orgRun struct {
	plan  run.Plan
	flags orgFlags
	orgc  *config.Organization
	log   io.Writer
}

// check checks every account — assumes its spoke role from the hub, finds
// its regions, runs the plan with that session — at most
// aws.organization.concurrency at once, and merges the accounts' reports.
// An account whose role cannot be assumed or whose check could not run is
// not judged, with the reason. err means nothing could be checked (no hub
// session, the organisation could not be listed).
func (o orgRun) check(ctx context.Context) (result.Report, error) {
	p := o.plan
	hub, err := run.HubSession(ctx, p.AWS.RoleARN, p.AWS.Regions, p.Config, p.Env, o.log)
	if err != nil {
		return result.Report{}, fmt.Errorf("hub credentials: %w", err)
	}
	var targets []org.Account
	var notJudged []result.Account
	if o.flags.organization {
		accounts, missing, err := org.List(ctx, organizations.NewFromConfig(hub.Config), org.Selection{
			OUs: o.orgc.OUs, Include: o.orgc.Include, Exclude: o.orgc.Exclude,
		})
		if err != nil {
			return result.Report{}, fmt.Errorf("list the organisation's accounts: %w", err)
		}
		targets = accounts
		for _, m := range missing {
			notJudged = append(notJudged, result.Account{ID: m.ID, Reason: m.Reason})
		}
	} else {
		ids, _ := shardAccounts(o.flags.accounts)
		for _, id := range ids {
			targets = append(targets, org.Account{ID: id})
		}
	}

	spoke := org.Spoke{
		RoleName: o.orgc.RoleName, ExternalID: o.orgc.ExternalID, SessionTags: o.orgc.SessionTags,
		SessionName: sessionName(p.Env),
	}
	partition := org.Partition(hub.ARN)
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
	rep := merge.Merge(done, merge.Options{Threshold: &p.Threshold, NotJudged: notJudged, Now: now, Tool: p.Tool})
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
	p.AWS = run.AWS{Regions: regions, Session: &awsauth.Session{Config: cfg, Account: a.ID, ARN: roleARN, RoleARN: roleARN, Method: "assume-role"}}
	p.Context.Account, p.Context.RoleARN, p.Context.Regions = a.ID, roleARN, regions
	p.Progress = nil
	p.Log = io.Discard
	// Each run would tune the process-wide garbage collector for itself;
	// runs side by side must leave it alone (as with GOGC set).
	env := p.Env
	p.Env = func(k string) string {
		if k == "GOGC" && env(k) == "" && o.orgc.Concurrency > 1 {
			return "100"
		}
		return env(k)
	}
	done, err := run.Check(ctx, p)
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
func sessionName(env Env) string {
	if r := env("GITHUB_REPOSITORY"); r != "" {
		return awsauth.SessionName(r, env("GITHUB_RUN_ID"))
	}
	return fmt.Sprintf("secretgate-%d", time.Now().Unix())
}
