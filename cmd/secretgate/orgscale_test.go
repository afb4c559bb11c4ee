package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/awstest/orgemu"
	"github.com/secretgate/secretgate/internal/result"
)

// emulatedOrgRepo is a repository whose configuration checks the
// emulated organisation g: its hub role, its two regions, its spoke role.
func emulatedOrgRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := "github:\n  repositories: [acme/payments]\naws:\n  regions: [us-east-1, eu-west-1]\n  max_attempts: 2\n" +
		"  role_arn: arn:aws:iam::" + orgemu.HubAccount + ":role/secretgate-hub\n" +
		"  organization:\n    role_name: secretgate-read\n    concurrency: 3\n"
	if err := os.WriteFile(filepath.Join(dir, ".secretgate.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func accountStatuses(rep result.Report) map[string]result.AccountStatus {
	m := map[string]result.AccountStatus{}
	for _, a := range rep.Accounts {
		m[a.ID] = a.Status
	}
	return m
}

// TestOrgEmulatedMatrixEqualsInProcess: over an emulated organisation
// (every account with its own ARNs in two regions, some with their own
// secrets; one account's spoke role refuses the hub, one is throttled
// beyond its retries), `check --organization` in one process and the
// matrix run — `secretgate matrix --organization`, one process per shard
// running `check --accounts`, `secretgate merge --matrix` — give the same
// findings, the same summary and the same verdict per account. With one
// shard's report missing, the merged verdict names exactly that shard's
// accounts not judged, besides the refused one.
func TestOrgEmulatedMatrixEqualsInProcess(t *testing.T) {
	g := orgemu.Start(t, orgemu.Options{Accounts: 6, Regions: []string{"us-east-1", "eu-west-1"}, Secrets: 15, Roles: 2, OwnSecretEvery: 2})
	refused, throttled := g.Accounts[1], g.Accounts[4]
	g.Refuse(refused)
	g.Throttle(throttled, func(c orgemu.Call) bool { return c.Service == "secretsmanager" })
	dir := emulatedOrgRepo(t)
	env := g.Env()

	in := secretgate(t, env, "check", "--path", dir, "--skip", "leaks", "--organization", "--format", "json", "--now", now)
	rep := jsonReport(t, in)
	want := map[string]result.AccountStatus{}
	for _, id := range g.Accounts {
		want[id] = result.AccountJudged
	}
	want[refused], want[throttled] = result.AccountNotJudged, result.AccountIncomplete
	if got := accountStatuses(rep); !maps.Equal(got, want) || in.code != 1 || !rep.Summary.Incomplete {
		t.Fatalf("in process: exit %d, incomplete %v, accounts %v; want exit 1, incomplete, %v\n%s", in.code, rep.Summary.Incomplete, got, want, in.stderr)
	}

	out := t.TempDir()
	matrix := filepath.Join(out, "matrix.json")
	if mx := secretgate(t, env, "matrix", "--organization", "--path", dir, "--max-jobs", "3", "--output", matrix); mx.code != 0 {
		t.Fatalf("matrix: exit %d\n%s", mx.code, mx.stderr)
	}
	raw, err := os.ReadFile(matrix)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Include []struct {
			Shard    int    `json:"shard"`
			Accounts string `json:"accounts"`
		} `json:"include"`
	}
	if err := json.Unmarshal(raw, &m); err != nil || len(m.Include) != 3 {
		t.Fatalf("matrix %s: %v, want 3 shards", raw, err)
	}
	var files []string
	if err := os.Mkdir(filepath.Join(out, "reports"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Include {
		file := filepath.Join(out, "reports", "shard-"+strconv.Itoa(s.Shard)+".json")
		job := secretgate(t, env, "check", "--path", dir, "--skip", "leaks", "--accounts", s.Accounts, "--format", "json", "--output", file, "--now", now)
		if _, err := os.Stat(file); err != nil {
			t.Fatalf("shard %d wrote no report (exit %d): %v\n%s", s.Shard, job.code, err, job.stderr)
		}
		files = append(files, file)
	}
	merged := secretgate(t, nil, "merge", filepath.Join(out, "reports"), "--matrix", matrix, "--format", "json", "--now", now)
	mrep := jsonReport(t, merged)
	if merged.code != in.code || mrep.Summary != rep.Summary || !slices.Equal(keys(mrep), keys(rep)) || !maps.Equal(accountStatuses(mrep), want) {
		t.Errorf("the matrix run differs from the in-process run:\n exit %d vs %d\n summary %+v\n vs      %+v\n findings %d vs %d\n accounts %v",
			merged.code, in.code, mrep.Summary, rep.Summary, len(mrep.Findings), len(rep.Findings), accountStatuses(mrep))
	}
	if len(keys(rep)) == 0 {
		t.Fatal("no findings: the comparison proves nothing")
	}

	// One shard's artifact is missing: its accounts, and only they (and
	// the refused account), are not judged.
	lost := m.Include[1]
	if err := os.Remove(files[1]); err != nil {
		t.Fatal(err)
	}
	partial := secretgate(t, nil, "merge", filepath.Join(out, "reports"), "--matrix", matrix, "--format", "json", "--now", now)
	prep := jsonReport(t, partial)
	wantPartial := maps.Clone(want)
	for _, id := range strings.Split(lost.Accounts, ",") {
		wantPartial[id] = result.AccountNotJudged
	}
	if got := accountStatuses(prep); !maps.Equal(got, wantPartial) || partial.code == 0 || !prep.Summary.Incomplete {
		t.Errorf("shard %d missing: exit %d, accounts %v; want %v", lost.Shard, partial.code, got, wantPartial)
	}
	for _, a := range prep.Accounts {
		if strings.Contains(lost.Accounts, a.ID) && !strings.Contains(a.Reason, "shard "+strconv.Itoa(lost.Shard)) {
			t.Errorf("account %s of the missing shard: reason %q does not name shard %d", a.ID, a.Reason, lost.Shard)
		}
	}
}
