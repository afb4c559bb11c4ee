package run

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/awstest"
	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/result"
)

// orgPlan is a live plan of the AWS families over an empty repository,
// with the hub credentials from the emulator's environment.
func orgPlan(t *testing.T, em *awstest.Emulator, concurrency int) Plan {
	t.Helper()
	for _, kv := range em.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return orgPlanB(t, em, concurrency)
}

// orgPlanB is orgPlan once the environment points at the emulator.
func orgPlanB(t testing.TB, em *awstest.Emulator, concurrency int) Plan {
	t.Helper()
	cfg := config.Default()
	cfg.GitHub.Repositories = []string{"acme/app"}
	cfg.AWS.Regions = []string{awstest.Region}
	cfg.AWS.Organization = &config.Organization{RoleName: "secretgate-read", Concurrency: concurrency}
	fams, notSelected, err := SelectFamilies([]string{"naming", "rotation", "iam", "trust"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Plan{
		Root: t.TempDir(), Config: cfg, Families: fams, NotSelected: notSelected,
		Threshold: result.Threshold{Min: result.SeverityHigh},
		Now:       time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC),
		Context:   result.Context{Mode: "nightly"},
		Env:       func(string) string { return "" },
	}
}

// TestCheckOrganizationConcurrency: accounts checked side by side give the
// report accounts checked one at a time give; a refused account is not
// judged in both. (Run under the race detector by make test-race.)
func TestCheckOrganizationConcurrency(t *testing.T) {
	em := awstest.Start(t)
	em.CreateSecrets(t, 20)
	em.CreateRoles(t, 5, "123456789012")
	em.CreateSecret(t, "BadName", "x", nil)
	refused := "600000000000"
	em.SetFaults(func(c awstest.Call) awstest.Fault {
		if c.Action == "AssumeRole" && strings.Contains(c.Body, refused) {
			return awstest.Fault{Status: 403, Code: "AccessDenied"}
		}
		return awstest.Fault{}
	})
	var accounts []string
	for i := 1; i <= 6; i++ {
		accounts = append(accounts, fmt.Sprintf("%d00000000000", i))
	}
	run := func(concurrency int) result.Report {
		rep, err := CheckOrganization(context.Background(), orgPlan(t, em, concurrency), Organization{Accounts: accounts})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	one, four := run(1), run(4)
	keys := func(r result.Report) []string {
		var ks []string
		for _, f := range r.Findings {
			ks = append(ks, result.FindingKey(f)+" "+f.Rule)
		}
		return ks
	}
	if !slices.Equal(keys(one), keys(four)) || one.Summary != four.Summary {
		t.Errorf("concurrency 4 differs from 1: %d vs %d findings, %+v vs %+v", len(four.Findings), len(one.Findings), four.Summary, one.Summary)
	}
	for _, rep := range []result.Report{one, four} {
		if len(rep.Accounts) != 6 || !rep.Summary.Incomplete {
			t.Fatalf("accounts %d, summary %+v", len(rep.Accounts), rep.Summary)
		}
		for _, a := range rep.Accounts {
			want := result.AccountJudged
			if a.ID == refused {
				want = result.AccountNotJudged
			}
			if a.Status != want {
				t.Errorf("account %s: %s (%s), want %s", a.ID, a.Status, a.Reason, want)
			}
		}
	}
	perAccount := len(one.Findings) / 5
	if perAccount == 0 || len(one.Findings) != perAccount*5 {
		t.Errorf("%d findings over 5 judged accounts of the same emulator: want the same number in each", len(one.Findings))
	}
}

// TestCheckOrganizationCallsPerAccount: an account of an organisation run
// costs the AWS calls of a single-account check (its inventory) plus the
// one sts:AssumeRole of its spoke role — no more.
func TestCheckOrganizationCallsPerAccount(t *testing.T) {
	em := awstest.Start(t)
	em.CreateSecrets(t, 30)
	em.CreateRoles(t, 3, "123456789012")
	calls := func(accounts ...string) map[string]int {
		em.ResetCalls()
		if _, err := CheckOrganization(context.Background(), orgPlan(t, em, 2), Organization{Accounts: accounts}); err != nil {
			t.Fatal(err)
		}
		return em.CountActions()
	}
	one := calls("100000000000")
	three := calls("100000000000", "200000000000", "300000000000")

	p := orgPlan(t, em, 1)
	em.ResetCalls()
	if _, err := Check(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	single := em.CountActions()
	// The single-account check assumes its role and asks who it is; an
	// organisation's account assumes its spoke and needs no more.
	delete(single, "sts:GetCallerIdentity")
	for action, n := range three {
		perAccount := (n - one[action]) / 2
		want := single[action]
		if action == "sts:AssumeRole" {
			want = 1
		}
		if action == "sts:GetCallerIdentity" {
			want = 0 // the hub's, once
		}
		if perAccount != want {
			t.Errorf("%s: %d calls per account, want %d (single-account check: %v)", action, perAccount, want, single)
		}
	}
	for action := range single {
		if _, ok := three[action]; !ok {
			t.Errorf("%s: the single-account check calls it, the organisation's accounts do not", action)
		}
	}
	t.Logf("per account: %v + sts:AssumeRole", single)
}

// BenchmarkCheckOrganization checks n accounts (one emulator of 500
// secrets and 20 roles plays each) four at a time: the time per account
// should stay flat as accounts grow (wall time grows with accounts /
// concurrency, not worse).
func BenchmarkCheckOrganization(b *testing.B) {
	em := awstest.Start(b)
	for _, kv := range em.Env() {
		k, v, _ := strings.Cut(kv, "=")
		b.Setenv(k, v)
	}
	em.CreateSecrets(b, 500)
	em.CreateRoles(b, 20, "123456789012")
	for _, n := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			var accounts []string
			for i := range n {
				accounts = append(accounts, fmt.Sprintf("%012d", 100000000000+i))
			}
			for b.Loop() {
				p := orgPlanB(b, em, 4)
				rep, err := CheckOrganization(context.Background(), p, Organization{Accounts: accounts})
				if err != nil || rep.Summary.Incomplete || len(rep.Accounts) != n {
					b.Fatalf("err %v, summary %+v, %d accounts", err, rep.Summary, len(rep.Accounts))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*n), "ms/account")
		})
	}
}

// TestCheckOrganizationThrottled: calls AWS throttles are retried in the
// SDK's adaptive mode, and the accounts are judged.
func TestCheckOrganizationThrottled(t *testing.T) {
	em := awstest.Start(t)
	em.CreateSecrets(t, 10)
	var throttled atomic.Int32
	em.SetFaults(func(c awstest.Call) awstest.Fault {
		if (c.Action == "ListSecrets" || c.Action == "AssumeRole") && c.Attempt <= 2 {
			throttled.Add(1)
			return awstest.Fault{Status: 400, Code: "ThrottlingException"}
		}
		return awstest.Fault{}
	})
	p := orgPlan(t, em, 3)
	p.Config.AWS.MaxAttempts = 5
	rep, err := CheckOrganization(context.Background(), p, Organization{Accounts: []string{"100000000000", "200000000000", "300000000000"}})
	if err != nil {
		t.Fatal(err)
	}
	if throttled.Load() < 6 {
		t.Fatal("nothing was throttled")
	}
	for _, a := range rep.Accounts {
		if a.Status != result.AccountJudged {
			t.Errorf("account %s %s: %s", a.ID, a.Status, a.Reason)
		}
	}
	if rep.Summary.Incomplete {
		t.Errorf("throttled calls retried still left the run incomplete: %+v", rep.Merge)
	}
}
