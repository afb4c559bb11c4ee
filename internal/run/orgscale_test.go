package run

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/awstest/orgemu"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// The tests and benchmarks of this file run organisation checks against
// an emulated organisation (internal/awstest/orgemu) where every account
// and region has its own ARNs, some accounts their own secrets, and the
// spoke credentials the hub's AssumeRole hands out are bound to their
// account.

var scaleRegions = []string{"us-east-1", "eu-west-1"}

// startOrg starts an emulated organisation and points the environment at
// its router.
func startOrg(tb testing.TB, o orgemu.Options) *orgemu.Org {
	tb.Helper()
	if o.Regions == nil {
		o.Regions = scaleRegions
	}
	g := orgemu.Start(tb, o)
	for _, kv := range g.Env() {
		k, v, _ := strings.Cut(kv, "=")
		tb.Setenv(k, v)
	}
	return g
}

// scalePlan is orgPlanB over the organisation's regions.
func scalePlan(tb testing.TB, g *orgemu.Org, concurrency int) Plan {
	tb.Helper()
	p := orgPlanB(tb, nil, concurrency)
	p.Config.AWS.Regions = scaleRegions
	return p
}

// singleAccountFloor is the AWS calls a single-account check of account
// makes in its account (through its own role, assumed by the hub): the
// floor an organisation's account must not exceed. GetCallerIdentity is
// dropped: a single-account check asks who it is, an organisation's
// account knows.
func singleAccountFloor(tb testing.TB, g *orgemu.Org, account string) map[string]int {
	tb.Helper()
	p := scalePlan(tb, g, 1)
	p.AWS.RoleARN = "arn:aws:iam::" + account + ":role/secretgate-read"
	g.ResetCalls()
	done, err := Check(context.Background(), p)
	if err != nil {
		tb.Fatal(err)
	}
	if done.Report.Summary.Incomplete {
		tb.Fatalf("the single-account check is incomplete: %+v", done.Report.Checks)
	}
	floor := g.Calls()[account]
	delete(floor, "sts:GetCallerIdentity")
	if floor["secretsmanager:ListSecrets"] == 0 || floor["iam:ListRoles"] == 0 {
		tb.Fatalf("the single-account check read nothing in its account: %v", floor)
	}
	return floor
}

// checkCallsPerAccount fails unless every judged account of rep made
// exactly floor's calls in its account, and the hub one AssumeRole per
// account.
func checkCallsPerAccount(tb testing.TB, g *orgemu.Org, rep result.Report, floor map[string]int) {
	tb.Helper()
	calls := g.Calls()
	for _, a := range rep.Accounts {
		if a.Status != result.AccountJudged {
			continue
		}
		if !maps.Equal(calls[a.ID], floor) {
			tb.Errorf("account %s: %v, want the single-account floor %v", a.ID, calls[a.ID], floor)
		}
	}
	if n := calls[orgemu.Hub]["sts:AssumeRole"]; n != len(rep.Accounts) {
		tb.Errorf("the hub assumed %d spoke roles for %d accounts", n, len(rep.Accounts))
	}
}

// TestOrganizationEmulatedCallsPerAccount: `check --organization` over an
// emulated organisation (accounts listed from Organizations) judges every
// account in both regions, each with its own findings, and each account
// costs the AWS calls of a single-account check of it plus the hub's one
// sts:AssumeRole.
func TestOrganizationEmulatedCallsPerAccount(t *testing.T) {
	g := startOrg(t, orgemu.Options{Accounts: 5, Secrets: 30, Roles: 3, OwnSecretEvery: 2})
	floor := singleAccountFloor(t, g, g.Accounts[1])
	g.ResetCalls()
	rep, err := CheckOrganization(context.Background(), scalePlan(t, g, 3), Organization{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Accounts) != 5 || rep.Summary.Incomplete {
		t.Fatalf("accounts %d, summary %+v, problems %+v", len(rep.Accounts), rep.Summary, rep.Merge.Problems)
	}
	checkCallsPerAccount(t, g, rep, floor)
	for _, a := range rep.Accounts {
		if a.Status != result.AccountJudged || strings.Join(a.Regions, ",") != strings.Join(scaleRegions, ",") {
			t.Errorf("account %s: %s %v, want judged in %v", a.ID, a.Status, a.Regions, scaleRegions)
		}
	}
	// Each account's own secret (its name breaks the convention) is
	// found in its account only.
	for account, name := range g.Own {
		var where []string
		for _, f := range rep.Findings {
			if f.Resource == name || strings.Contains(f.Resource, ":secret:"+name) {
				where = append(where, f.Account+" "+f.Resource)
				if f.Account != account {
					t.Errorf("%s's own secret found as %s in account %s", account, f.Resource, f.Account)
				}
			}
		}
		if len(where) == 0 {
			t.Errorf("no finding on %s's own secret %s", account, name)
		}
	}
}

// TestOrganizationEmulatedFaults: an account whose spoke role refuses the
// hub is not judged, with STS's refusal; an account throttled on its
// first calls is retried (adaptive mode) and judged; an account throttled
// beyond the retries is incomplete, naming the check — never a pass.
func TestOrganizationEmulatedFaults(t *testing.T) {
	g := startOrg(t, orgemu.Options{Accounts: 5, Secrets: 10, Roles: 2})
	refused, brief, always := g.Accounts[1], g.Accounts[2], g.Accounts[3]
	g.Refuse(refused)
	var throttled atomic.Int32
	g.Throttle(brief, func(c orgemu.Call) bool { // a third of its calls, at their first attempt
		if c.Attempt == 1 && c.N%3 == 1 {
			throttled.Add(1)
			return true
		}
		return false
	})
	g.Throttle(always, func(c orgemu.Call) bool { return c.Service == "secretsmanager" })
	p := scalePlan(t, g, 3)
	p.Config.AWS.MaxAttempts = 3
	rep, err := CheckOrganization(context.Background(), p, Organization{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Summary.Incomplete {
		t.Errorf("a refused and a throttled-out account left the run complete: %+v", rep.Summary)
	}
	want := map[string]result.AccountStatus{refused: result.AccountNotJudged, always: result.AccountIncomplete}
	for _, a := range rep.Accounts {
		w := want[a.ID]
		if w == "" {
			w = result.AccountJudged
		}
		if a.Status != w {
			t.Errorf("account %s: %s (%s), want %s", a.ID, a.Status, a.Reason, w)
		}
		switch a.ID {
		case refused:
			if !strings.Contains(a.Reason, "AccessDenied") || !strings.Contains(a.Reason, "arn:aws:iam::"+refused+":role/secretgate-read") {
				t.Errorf("refused account's reason %q names neither the refusal nor the role", a.Reason)
			}
		case always:
			if !strings.Contains(a.Reason, "Throttling") {
				t.Errorf("throttled-out account's reason %q does not say it was throttled", a.Reason)
			}
		}
	}
	if throttled.Load() < 3 {
		t.Errorf("the briefly throttled account was throttled %d times: the test proves nothing", throttled.Load())
	}
	if n := g.Attempts()[always]["secretsmanager:ListSecrets"]; n < 2*p.Config.AWS.MaxAttempts {
		t.Errorf("the throttled-out account's ListSecrets was tried %d times in 2 regions, want %d attempts each", n, p.Config.AWS.MaxAttempts)
	}
}

// scaleSizes are BenchmarkOrganizationScale's runs: a small organisation
// by default (what make bench-smoke runs once: about ten seconds), the
// figures of docs/organizations.md#scale with SECRETGATE_ORG_SCALE=full
// (200 accounts × 2 regions × 500 secrets; about twelve minutes on two
// shared cores).
func scaleSizes() (secrets, roles int, runs []struct{ accounts, concurrency int }) {
	type r = struct{ accounts, concurrency int }
	if os.Getenv("SECRETGATE_ORG_SCALE") == "full" {
		return 500, 20, []r{{25, 4}, {50, 4}, {100, 4}, {200, 4}, {200, 1}, {200, 2}, {200, 8}}
	}
	return 50, 3, []r{{2, 2}, {4, 2}}
}

// BenchmarkOrganizationScale checks an emulated organisation of N
// accounts × 2 regions × M secrets (and roles reading them) in one
// process, C accounts at once, and asserts every account costs the
// single-account floor of AWS calls. Wall time should grow with
// accounts / concurrency, not worse: ms/account stays flat across
// accounts. merged-MB is the merged JSON report's size.
func BenchmarkOrganizationScale(b *testing.B) {
	secrets, roles, runs := scaleSizes()
	most := 0
	for _, r := range runs {
		most = max(most, r.accounts)
	}
	g := startOrg(b, orgemu.Options{Accounts: most, Secrets: secrets, Roles: roles, OwnSecretEvery: 10})
	floor := singleAccountFloor(b, g, g.Accounts[0])
	b.Logf("an account's AWS calls (the single-account floor) besides the hub's sts:AssumeRole: %v", floor)
	for _, r := range runs {
		b.Run(fmt.Sprintf("accounts=%d/concurrency=%d", r.accounts, r.concurrency), func(b *testing.B) {
			sel := Organization{Accounts: g.Accounts[:r.accounts]}
			var rep result.Report
			cpu0 := cpuSeconds()
			for b.Loop() {
				g.ResetCalls()
				var err error
				rep, err = CheckOrganization(context.Background(), scalePlan(b, g, r.concurrency), sel)
				if err != nil || rep.Summary.Incomplete || len(rep.Accounts) != r.accounts {
					b.Fatalf("err %v, summary %+v, %d accounts", err, rep.Summary, len(rep.Accounts))
				}
			}
			b.StopTimer()
			cpu := cpuSeconds()
			checkCallsPerAccount(b, g, rep, floor)
			var buf bytes.Buffer
			if err := (&report.JSON{}).Write(&buf, rep); err != nil {
				b.Fatal(err)
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(per.Seconds(), "wall-s")
			b.ReportMetric(float64(per.Milliseconds())/float64(r.accounts), "ms/account")
			b.ReportMetric(float64(sum(floor)+1), "calls/account")
			b.ReportMetric(float64(len(rep.Findings)), "findings")
			b.ReportMetric(float64(buf.Len())/1e6, "merged-MB")
			// CPU per account does not depend on what else the machine
			// runs (wall time does: on shared cores the run waits); the
			// garbage collector's share is what grows first when a run
			// holds more than it should.
			b.ReportMetric(1000*(cpu.used-cpu0.used)/float64(b.N*r.accounts), "cpu-ms/account")
			b.ReportMetric(100*(cpu.gc-cpu0.gc)/(cpu.busy-cpu0.busy), "gc-cpu-%")
		})
	}
}

// cpuTime is the CPU the process has used so far (getrusage: user and
// system, the emulator's included — it runs in the process), and the
// garbage collector's and the idle part of the runtime's estimate
// (runtime/metrics), for the collector's share of the busy time.
type cpuTime struct{ used, gc, busy float64 }

func cpuSeconds() cpuTime {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	ms := []metrics.Sample{{Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"}}
	metrics.Read(ms)
	return cpuTime{
		used: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds(),
		gc:   ms[1].Value.Float64(), busy: ms[0].Value.Float64() - ms[2].Value.Float64(),
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
