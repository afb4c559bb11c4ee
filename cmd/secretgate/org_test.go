package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/secretgate/secretgate/internal/awstest"
	"github.com/secretgate/secretgate/internal/result"
)

// The organisation tests run the binary against one kumo emulator that
// plays every account (kumo keeps one account's data; each account's spoke
// session reads the same secrets and roles): what they prove is the fan-out,
// the role chaining, the not-judged accounts and the merge, not per-account
// data.

const refusingAccount = "333333333333"

func orgRepo(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := "github:\n  repositories: [acme/payments]\naws:\n  regions: [us-east-1]\n  role_arn: arn:aws:iam::123456789012:role/secretgate-hub\n" +
		"  organization:\n    role_name: secretgate-read\n    external_id: acme-secretgate\n" + extra
	if err := os.WriteFile(filepath.Join(dir, ".secretgate.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func refuseAccount(em *awstest.Emulator, account string) {
	em.SetFaults(func(c awstest.Call) awstest.Fault {
		if c.Action == "AssumeRole" && strings.Contains(c.Body, account) {
			return awstest.Fault{Status: 403, Code: "AccessDenied"}
		}
		return awstest.Fault{}
	})
}

func keys(rep result.Report) []string {
	var ks []string
	for _, f := range rep.Findings {
		ks = append(ks, result.FindingKey(f))
	}
	slices.Sort(ks)
	return ks
}

// TestOrgCheckInProcessEqualsMatrix: three accounts checked in one process
// give the same merged findings and verdicts as one matrix job per account
// merged by secretgate merge; the account whose role is refused is not
// judged, named with the refusal, and the run is incomplete.
func TestOrgCheckInProcessEqualsMatrix(t *testing.T) {
	em := liveAccount(t)
	refuseAccount(em, refusingAccount)
	dir := orgRepo(t, "")
	accounts := "111111111111,222222222222," + refusingAccount

	in := secretgate(t, em.Env(), "check", "--path", dir, "--skip", "leaks", "--accounts", accounts, "--format", "json", "--now", now)
	rep := jsonReport(t, in)
	if in.code != 1 || !rep.Summary.Incomplete {
		t.Fatalf("exit %d, incomplete %v; want 1 (findings) and incomplete (a refused account)\n%s", in.code, rep.Summary.Incomplete, in.stderr)
	}
	status := map[string]result.Account{}
	for _, a := range rep.Accounts {
		status[a.ID] = a
	}
	if len(status) != 3 || status["111111111111"].Status != result.AccountJudged || status["222222222222"].Status != result.AccountJudged {
		t.Fatalf("accounts = %+v", rep.Accounts)
	}
	refused := status[refusingAccount]
	if refused.Status != result.AccountNotJudged || !strings.Contains(refused.Reason, "arn:aws:iam::"+refusingAccount+":role/secretgate-read") || !strings.Contains(refused.Reason, "AccessDenied") {
		t.Errorf("refused account = %+v, want not judged naming the role and the refusal", refused)
	}
	perAccount := map[string]int{}
	for _, f := range rep.Findings {
		perAccount[f.Account]++
	}
	if perAccount["111111111111"] == 0 || perAccount["111111111111"] != perAccount["222222222222"] || perAccount[refusingAccount] != 0 {
		t.Errorf("findings per account = %v: want the same (one emulator) for both judged accounts, none for the refused", perAccount)
	}
	// Every spoke session was chained from the hub with the external id.
	var assumes []string
	for _, c := range em.Calls() {
		if c.Action == "AssumeRole" {
			assumes = append(assumes, c.Body)
		}
	}
	for _, acct := range []string{"111111111111", "222222222222"} {
		found := slices.ContainsFunc(assumes, func(b string) bool {
			return strings.Contains(b, acct+"%3Arole%2Fsecretgate-read") && strings.Contains(b, "ExternalId=acme-secretgate")
		})
		if !found {
			t.Errorf("no AssumeRole of %s's spoke with the external id in %v", acct, assumes)
		}
	}

	// The same accounts as a matrix: one job per account, then merge.
	out := t.TempDir()
	var files []string
	for i, acct := range strings.Split(accounts, ",") {
		file := filepath.Join(out, "shard-"+string(rune('1'+i))+".json")
		secretgate(t, em.Env(), "check", "--path", dir, "--skip", "leaks", "--accounts", acct, "--format", "json", "--output", file, "--now", now)
		files = append(files, file)
	}
	merged := secretgate(t, nil, append([]string{"merge", "--format", "json", "--now", now, "--expect-shards", "3"}, files...)...)
	mrep := jsonReport(t, merged)
	if merged.code != in.code || mrep.Summary != rep.Summary || !slices.Equal(keys(mrep), keys(rep)) {
		t.Errorf("matrix merge differs from the in-process run:\n exit %d vs %d\n summary %+v\n vs      %+v", merged.code, in.code, mrep.Summary, rep.Summary)
	}
}

// TestOrgCheckOrganization: --organization lists the accounts from AWS
// Organizations (kumo's) with the hub credentials and checks each.
func TestOrgCheckOrganization(t *testing.T) {
	em := liveAccount(t)
	api := organizations.NewFromConfig(em.Config(t))
	ctx := context.Background()
	if _, err := api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"payments", "data"} {
		if _, err := api.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")}); err != nil {
			t.Fatal(err)
		}
	}
	listed, err := api.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	// An excluded account and an included one that does not exist.
	excluded := aws.ToString(listed.Accounts[0].Id)
	dir := orgRepo(t, "    exclude: [\""+excluded+"\"]\n")
	r := secretgate(t, em.Env(), "check", "--path", dir, "--skip", "leaks", "--organization", "--format", "json", "--now", now, "--fail-on", "never")
	rep := jsonReport(t, r)
	if r.code != 0 || len(rep.Accounts) != len(listed.Accounts) || rep.Summary.Incomplete {
		t.Fatalf("exit %d, %d accounts of %d listed: %+v\n%s", r.code, len(rep.Accounts), len(listed.Accounts), rep.Accounts, r.stderr)
	}
	for _, a := range rep.Accounts {
		switch {
		case a.ID == excluded:
			// The excluded account has a row saying why, and does not
			// make the run incomplete.
			if a.Status != result.AccountExcluded || a.Reason != "excluded by aws.organization.exclude" || a.Name == "" || len(a.Checks) != 0 {
				t.Errorf("excluded account %+v: want a row, status excluded, the reason", a)
			}
		case a.Status != result.AccountJudged || a.Name == "":
			t.Errorf("account %+v: want judged, named", a)
		}
	}

	// The matrix of the same selection, balanced by this night's cost.
	prev := filepath.Join(t.TempDir(), "prev.json")
	if err := os.WriteFile(prev, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	// A runner without AWS_REGION (hosted runners set none, and the
	// reusable workflow cannot be handed one): the hub falls back to
	// Organizations' home region.
	var noRegion []string
	for _, kv := range em.Env() {
		if !strings.HasPrefix(kv, "AWS_REGION=") && !strings.HasPrefix(kv, "AWS_DEFAULT_REGION=") {
			noRegion = append(noRegion, kv)
		}
	}
	cfg, err := os.ReadFile(filepath.Join(dir, ".secretgate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	noRegionDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(noRegionDir, ".secretgate.yml"), bytes.Replace(cfg, []byte("  regions: [us-east-1]\n"), nil, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	mfile := filepath.Join(t.TempDir(), "matrix.json")
	mx := secretgate(t, noRegion, "matrix", "--organization", "--path", noRegionDir, "--max-jobs", "2", "--previous", prev, "--output", mfile)
	var m struct {
		Include []struct {
			Shard    int    `json:"shard"`
			Accounts string `json:"accounts"`
			CostMS   int64  `json:"cost_ms"`
		} `json:"include"`
	}
	if err := json.Unmarshal([]byte(mx.stdout), &m); err != nil || mx.code != 0 {
		t.Fatalf("matrix: exit %d, %v\n%s%s", mx.code, err, mx.stdout, mx.stderr)
	}
	var sharded []string
	for _, s := range m.Include {
		sharded = append(sharded, strings.Split(s.Accounts, ",")...)
		if s.CostMS <= 1 {
			t.Errorf("shard %d cost %d: want last night's cost", s.Shard, s.CostMS)
		}
	}
	if len(m.Include) != 2 || len(sharded) != len(rep.Accounts)-1 || slices.Contains(sharded, excluded) || strings.Contains(mx.stdout, "excluded") {
		t.Errorf("matrix %s: want the %d selected accounts in 2 shards, and nothing but include (a strategy.matrix)", mx.stdout, len(rep.Accounts)-1)
	}

	// The matrix file names the excluded account; the merge of the
	// shards' reports gives it its row, as the in-process run did.
	if b, err := os.ReadFile(mfile); err != nil || !strings.Contains(string(b), `"excluded":[{"id":"`+excluded+`"`) {
		t.Fatalf("matrix file %s (%v): want the excluded account named", b, err)
	}
	shards := t.TempDir()
	for _, s := range m.Include {
		file := filepath.Join(shards, fmt.Sprintf("shard-%d.json", s.Shard))
		if c := secretgate(t, em.Env(), "check", "--path", dir, "--skip", "leaks", "--accounts", s.Accounts, "--shard", fmt.Sprint(s.Shard),
			"--format", "json", "--output", file, "--now", now, "--fail-on", "never"); c.code != 0 {
			t.Fatalf("shard %d: exit %d\n%s", s.Shard, c.code, c.stderr)
		}
	}
	merged := secretgate(t, nil, "merge", shards, "--matrix", mfile, "--format", "json", "--now", now, "--fail-on", "never")
	mrep := jsonReport(t, merged)
	if merged.code != 0 || len(mrep.Accounts) != len(rep.Accounts) {
		t.Fatalf("merge: exit %d, accounts %+v, problems %+v; want 0 and every account", merged.code, mrep.Accounts, mrep.Merge.Problems)
	}
	for i, a := range mrep.Accounts {
		if a.ID != rep.Accounts[i].ID || a.Status != rep.Accounts[i].Status || a.Reason != rep.Accounts[i].Reason {
			t.Errorf("merged account %+v, in process %+v: want the same rows", a, rep.Accounts[i])
		}
	}
}

// TestOrgCheckUsage: the organisation flags need the configuration's
// role name and live AWS.
func TestOrgCheckUsage(t *testing.T) {
	plain := emptyRepo(t)
	for name, args := range map[string][]string{
		"no aws.organization": {"check", "--path", plain, "--accounts", "111111111111"},
		"offline":             {"check", "--path", orgRepo(t, ""), "--offline", "--organization"},
		"both":                {"check", "--path", orgRepo(t, ""), "--organization", "--accounts", "111111111111"},
		"bad id":              {"check", "--path", orgRepo(t, ""), "--accounts", "1111"},
	} {
		t.Run(name, func(t *testing.T) {
			if r := secretgate(t, nil, args...); r.code != 2 {
				t.Errorf("exit %d, want 2\n%s", r.code, r.stderr)
			}
		})
	}
}

// TestOrgMergeExpectShardsCountsShards: a shard's report records its
// matrix job (check --shard: accounts[].shard), so two uploads of the same
// shard (a re-run) count once against --expect-shards.
func TestOrgMergeExpectShardsCountsShards(t *testing.T) {
	em := liveAccount(t)
	dir := orgRepo(t, "")
	out := t.TempDir()
	shard := func(n int, account string) string {
		file := filepath.Join(out, fmt.Sprintf("shard-%d.json", n))
		r := secretgate(t, em.Env(), "check", "--path", dir, "--skip", "leaks", "--accounts", account, "--shard", fmt.Sprint(n), "--format", "json", "--output", file, "--now", now)
		if r.code != 0 && r.code != 1 {
			t.Fatalf("shard %d: exit %d\n%s", n, r.code, r.stderr)
		}
		return file
	}
	one, two := shard(1, "111111111111"), shard(2, "222222222222")
	b, err := os.ReadFile(one)
	if err != nil {
		t.Fatal(err)
	}
	var rep result.Report
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Accounts) != 1 || rep.Accounts[0].Shard != 1 {
		t.Fatalf("shard 1's report: accounts %+v (%v), want shard 1 recorded", rep.Accounts, err)
	}
	again := filepath.Join(out, "shard-1-rerun.json")
	if err := os.WriteFile(again, b, 0o644); err != nil {
		t.Fatal(err)
	}

	both := secretgate(t, nil, "merge", "--format", "json", "--now", now, "--fail-on", "never", "--expect-shards", "2", one, two)
	if r := jsonReport(t, both); both.code != 0 || r.Summary.Incomplete {
		t.Errorf("two shards of two: exit %d, problems %+v; want 0", both.code, r.Merge.Problems)
	}
	rerun := secretgate(t, nil, "merge", "--format", "json", "--now", now, "--fail-on", "never", "--expect-shards", "2", one, again)
	r := jsonReport(t, rerun)
	if rerun.code != 3 || len(r.Merge.Problems) != 1 || !strings.Contains(r.Merge.Problems[0].Message, "1 distinct given") {
		t.Errorf("shard 1 twice of two: exit %d, problems %+v; want 3 and shard 2 counted missing", rerun.code, r.Merge.Problems)
	}
	if u := secretgate(t, nil, "check", "--path", dir, "--shard", "2"); u.code != 2 {
		t.Errorf("--shard without --accounts: exit %d, want 2", u.code)
	}
}
