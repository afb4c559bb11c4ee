package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/secretgate/secretgate/internal/awstest/orgemu"
)

// measured is one secretgate process's exit code, wall time and peak
// resident memory.
type measured struct {
	code   int
	wall   time.Duration
	maxRSS int64 // bytes
	stderr string
}

func measure(t *testing.T, env []string, args ...string) measured {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "NO_COLOR=1"}, env...)
	var errb strings.Builder
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	m := measured{wall: time.Since(start), stderr: errb.String()}
	if ee := (*exec.ExitError)(nil); err != nil && !errors.As(err, &ee) {
		t.Fatalf("run secretgate: %v", err)
	}
	m.code = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return m
}

// TestOrgScaleFull is the matrix run of docs/organizations.md#scale at
// full size: an emulated organisation of SECRETGATE_ORG_ACCOUNTS (default
// 200) accounts × 2 regions × 500 secrets (20 roles each), checked
// in one process (`check --organization`), then as a matrix of one
// account per job (`matrix --organization --max-jobs N`, N `check
// --accounts` processes, two at a time) merged by `secretgate merge`. It
// asserts the merged findings equal the in-process run's and logs the
// figures: wall times, the merge's peak memory, the merged report's size.
// It takes about five minutes on two shared cores, so it runs only with
// SECRETGATE_ORG_SCALE=full:
//
//	SECRETGATE_ORG_SCALE=full go test -count=1 -run TestOrgScaleFull -v -timeout 60m ./cmd/secretgate/
func TestOrgScaleFull(t *testing.T) {
	if os.Getenv("SECRETGATE_ORG_SCALE") != "full" {
		t.Skip("about five minutes: set SECRETGATE_ORG_SCALE=full (docs/organizations.md#scale)")
	}
	n := 200
	if s := os.Getenv("SECRETGATE_ORG_ACCOUNTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	g := orgemu.Start(t, orgemu.Options{Accounts: n, Regions: []string{"us-east-1", "eu-west-1"}, Secrets: 500, Roles: 20, OwnSecretEvery: 10})
	dir := emulatedOrgRepo(t)
	env := g.Env()
	out := t.TempDir()

	inFile := filepath.Join(out, "in-process.json")
	in := measure(t, env, "check", "--path", dir, "--skip", "leaks", "--organization", "--format", "json", "--output", inFile, "--now", now)
	if in.code != 1 {
		t.Fatalf("in process: exit %d, want 1 (findings)\n%s", in.code, in.stderr)
	}
	t.Logf("in process: %d accounts, concurrency 3: %s wall, %.0f MB peak RSS", n, in.wall.Round(time.Second), float64(in.maxRSS)/1e6)

	matrix := filepath.Join(out, "matrix.json")
	if mx := measure(t, env, "matrix", "--organization", "--path", dir, "--max-jobs", strconv.Itoa(n), "--output", matrix); mx.code != 0 {
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
	if err := json.Unmarshal(raw, &m); err != nil || len(m.Include) != n {
		t.Fatalf("matrix: %v, %d shards, want %d", err, len(m.Include), n)
	}
	reports := filepath.Join(out, "reports")
	if err := os.Mkdir(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var jobs errgroup.Group
	jobs.SetLimit(2)
	walls := make([]time.Duration, len(m.Include))
	for i, s := range m.Include {
		jobs.Go(func() error {
			file := filepath.Join(reports, fmt.Sprintf("shard-%03d.json", s.Shard))
			r := measure(t, env, "check", "--path", dir, "--skip", "leaks", "--accounts", s.Accounts, "--format", "json", "--output", file, "--now", now)
			walls[i] = r.wall
			if r.code != 1 {
				return fmt.Errorf("shard %d: exit %d\n%s", s.Shard, r.code, r.stderr)
			}
			return nil
		})
	}
	if err := jobs.Wait(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(walls)
	t.Logf("matrix: %d jobs two at a time: %s wall; a job's wall time median %s, max %s",
		n, time.Since(start).Round(time.Second), walls[len(walls)/2].Round(10*time.Millisecond), walls[len(walls)-1].Round(10*time.Millisecond))

	mergedFile := filepath.Join(out, "merged.json")
	mg := measure(t, nil, "merge", reports, "--matrix", matrix, "--format", "json", "--output", mergedFile, "--now", now)
	if mg.code != 1 {
		t.Fatalf("merge: exit %d\n%s", mg.code, mg.stderr)
	}
	st, err := os.Stat(mergedFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("merge of %d reports: %s wall, %.0f MB peak RSS, merged report %.1f MB", n, mg.wall.Round(10*time.Millisecond), float64(mg.maxRSS)/1e6, float64(st.Size())/1e6)

	inRep, merged := readReport(t, inFile), readReport(t, mergedFile)
	if !slices.Equal(keys(merged), keys(inRep)) || merged.Summary != inRep.Summary || len(merged.Accounts) != n {
		t.Errorf("the matrix run differs from the in-process run: %d vs %d findings, %+v vs %+v, %d accounts",
			len(merged.Findings), len(inRep.Findings), merged.Summary, inRep.Summary, len(merged.Accounts))
	}
	t.Logf("%d findings, %d accounts judged", len(merged.Findings), len(merged.Accounts))
}
