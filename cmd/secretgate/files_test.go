//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A committed file the run reads as its judge (configuration, policies,
// gitleaks files) or takes as --baseline must be a regular file, inside the
// repository when it comes from it, and within a size cap: a link to
// /dev/stdin or a FIFO must not hang the run, a link to /dev/zero must not
// exhaust memory, and a link to /proc/self/environ must not print the
// environment. Each is refused at once, exit 2, with the file named.

// canary is set in secretgate's environment and written into files that
// must never be shown.
const canary = "CANARYq7Zk2Xw9Lm4Pv8"

// secretgateWithin runs secretgate with an open pipe as standard input
// (never written, never closed) and kills it after limit. timedOut says
// whether it had to be killed.
func secretgateWithin(t *testing.T, limit time.Duration, env []string, args ...string) (r run, timedOut bool) {
	t.Helper()
	stdin, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "NO_COLOR=1", "SG_TEST_CANARY=" + canary}, env...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, &errb
	err = cmd.Run()
	if ctx.Err() != nil {
		return run{stdout: out.String(), stderr: errb.String()}, true
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run secretgate: %v", err)
	}
	r.stdout, r.stderr = out.String(), errb.String()
	return r, false
}

func symlinkIn(t *testing.T, dir, rel, target string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

func TestJudgeFilesMustBeRegularFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses /dev/stdin, /dev/zero, /proc and FIFOs")
	}
	outside := filepath.Join(t.TempDir(), "org.yml")
	if err := os.WriteFile(outside, []byte("fail_on: never\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := func(t *testing.T, dir, rel string) {
		if err := syscall.Mkfifo(filepath.Join(dir, rel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		args    []string
		file    string // the file the error must name
		wantErr string
	}{
		{"a .gitleaksignore linked to dev-stdin, stdin open", func(t *testing.T, dir string) {
			symlinkIn(t, dir, ".gitleaksignore", "/dev/stdin")
		}, nil, ".gitleaksignore", ""},
		{"a .gitleaksignore linked to dev-zero", func(t *testing.T, dir string) {
			symlinkIn(t, dir, ".gitleaksignore", "/dev/zero")
		}, nil, ".gitleaksignore", "outside the repository"},
		{"a .gitleaksignore FIFO", func(t *testing.T, dir string) {
			fifo(t, dir, ".gitleaksignore")
		}, nil, ".gitleaksignore", "FIFO"},
		{"a .gitleaks.toml linked to dev-zero", func(t *testing.T, dir string) {
			symlinkIn(t, dir, ".gitleaks.toml", "/dev/zero")
		}, nil, ".gitleaks.toml", "outside the repository"},
		{"a .secretgate.yml linked to dev-zero", func(t *testing.T, dir string) {
			symlinkIn(t, dir, ".secretgate.yml", "/dev/zero")
		}, nil, ".secretgate.yml", "outside the repository"},
		{"a .secretgate.yml linked to proc-self-environ", func(t *testing.T, dir string) {
			symlinkIn(t, dir, ".secretgate.yml", "/proc/self/environ")
		}, nil, ".secretgate.yml", "outside the repository"},
		{"a .secretgate.yml linked to a file outside the repository", func(t *testing.T, dir string) {
			symlinkIn(t, dir, ".secretgate.yml", outside)
		}, nil, ".secretgate.yml", "outside the repository"},
		{"a .secretgate.yml FIFO", func(t *testing.T, dir string) {
			fifo(t, dir, ".secretgate.yml")
		}, nil, ".secretgate.yml", "FIFO"},
		{"a .secretgate.yml over 1 MiB", func(t *testing.T, dir string) {
			writeIn(t, dir, ".secretgate.yml", "fail_on: high\n"+strings.Repeat("# padding\n", 110_000))
		}, nil, ".secretgate.yml", "over the 1.0 MiB limit"},
		{"--config linked to proc-self-environ from outside", func(t *testing.T, dir string) {
			symlinkIn(t, filepath.Dir(dir), "environ.yml", "/proc/self/environ")
		}, []string{"--config", "../environ.yml"}, "environ.yml", "/proc"},
		{"a policy .rego linked to dev-zero", func(t *testing.T, dir string) {
			writeIn(t, dir, ".secretgate.yml", "policies: [policy]\n")
			symlinkIn(t, dir, "policy/zero.rego", "/dev/zero")
		}, nil, "zero.rego", "outside the repository"},
		{"a policy .rego FIFO", func(t *testing.T, dir string) {
			writeIn(t, dir, ".secretgate.yml", "policies: [policy]\n")
			if err := os.Mkdir(filepath.Join(dir, "policy"), 0o755); err != nil {
				t.Fatal(err)
			}
			fifo(t, dir, "policy/fifo.rego")
		}, nil, "fifo.rego", "FIFO"},
		{"a configuration of KEY=value lines", func(t *testing.T, dir string) {
			writeIn(t, dir, ".secretgate.yml", "AWS_SECRET_ACCESS_KEY="+canary+"\n")
		}, nil, ".secretgate.yml", ""},
		{"a binary configuration", func(t *testing.T, dir string) {
			writeIn(t, dir, ".secretgate.yml", "fail_on: \x01"+canary+"\xff\n")
		}, nil, ".secretgate.yml", "not a YAML text file"},
		{"--baseline a FIFO", func(t *testing.T, dir string) {
			fifo(t, filepath.Dir(dir), "base.json")
		}, []string{"--baseline", "../base.json"}, "base.json", "FIFO"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "repo")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			gitIn(t, dir, "init", "-q", "-b", "main")
			writeIn(t, dir, "README.md", "hello\n")
			tc.setup(t, dir)
			// Relative paths in args are relative to the repository.
			args := []string{"check", "--offline", "--now", now, "--path", dir}
			for _, a := range tc.args {
				if strings.HasPrefix(a, "../") {
					a = filepath.Join(dir, a)
				}
				args = append(args, a)
			}
			r, timedOut := secretgateWithin(t, 20*time.Second, nil, args...)
			if timedOut {
				t.Fatalf("secretgate hung (killed after 20s)\nstderr: %.500s", r.stderr)
			}
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\nstdout: %.500s\nstderr: %.500s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.file) || !strings.Contains(r.stderr, tc.wantErr) {
				t.Errorf("stderr does not name %s and say %q:\n%.1000s", tc.file, tc.wantErr, r.stderr)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "fatal error") {
				t.Errorf("secretgate crashed:\n%.1000s", r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, canary) || strings.Contains(r.stdout+r.stderr, canary[:12]) {
				t.Errorf("the output shows the file's contents:\n%s\n%s", r.stdout, r.stderr)
			}
		})
	}
}

// TestIaCNotTextNotShown: policy and template files that are not text of
// their format are reported without their contents, in every format.
func TestIaCNotTextNotShown(t *testing.T) {
	dir := leakRepo(t)
	writeIn(t, dir, "iam/binary.json", "{\"Statement\": [\x01\x02"+canary+"\xff\xfe]}\n")
	writeIn(t, dir, "iam/control.json", "{\"Statement\": [\""+canary+"\x1b\"]}\n")
	writeIn(t, dir, "iam/broken.json", "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": "+canary+"}]}\n")
	writeIn(t, dir, "cfn/stack.yaml", "AWSTemplateFormatVersion: \"2010-09-09\"\nResources: "+canary+"\n")
	writeIn(t, dir, "cfn/control.yaml", "AWSTemplateFormatVersion: \"2010-09-09\"\x01\nResources: {x: "+canary+"}\n")
	for _, format := range []string{"text", "json", "sarif", "markdown"} {
		r := secretgate(t, nil, "check", "--offline", "--now", now, "--path", dir, "--format", format)
		if r.code != 3 {
			t.Errorf("%s: exit %d, want 3 (files that could not be read)\nstderr: %.500s", format, r.code, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, canary[:12]) {
			t.Errorf("%s: the output shows a file's contents:\n%s\n%s", format, r.stdout, r.stderr)
		}
	}
}

// fakeGit puts a git on PATH that starts a child keeping its output open,
// then records that it was started and waits: a run blocked on something
// slow, which killing git alone does not end.
func fakeGit(t *testing.T) (path, started string) {
	t.Helper()
	bin := t.TempDir()
	started = filepath.Join(bin, "started")
	script := "#!/bin/sh\nsleep 30 &\necho \"$@\" >> '" + started + "'\nwait\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin + string(os.PathListSeparator) + os.Getenv("PATH"), started
}

func TestSignals(t *testing.T) {
	tests := []struct {
		name     string
		signals  []syscall.Signal
		wantCode int
		within   time.Duration
	}{
		// The first signal cancels the run: git is killed and the run ends
		// incomplete, even when git left a child holding its output.
		{"one SIGTERM", []syscall.Signal{syscall.SIGTERM}, 3, 15 * time.Second},
		// A second signal ends the process at once.
		{"two SIGTERMs", []syscall.Signal{syscall.SIGTERM, syscall.SIGTERM}, 143, 3 * time.Second},
		{"two SIGINTs", []syscall.Signal{syscall.SIGINT, syscall.SIGINT}, 130, 3 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeIn(t, dir, "README.md", "hello\n")
			path, started := fakeGit(t)
			cmd := exec.Command(binary, "check", "--offline", "--now", now, "--path", dir, "--diff", "HEAD~1..HEAD")
			cmd.Env = []string{"PATH=" + path, "HOME=" + t.TempDir(), "NO_COLOR=1"}
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			defer func() {
				_ = cmd.Process.Kill()
			}()
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				if _, err := os.Stat(started); err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("secretgate never ran git\nstderr: %s", errb.String())
				}
			}
			for i, sig := range tc.signals {
				if i > 0 {
					time.Sleep(200 * time.Millisecond)
				}
				if err := cmd.Process.Signal(sig); err != nil {
					b, _ := os.ReadFile(started)
					t.Fatalf("signal %d: %v\ngit calls: %s\nstderr: %s", i+1, err, b, errb.String())
				}
			}
			sent := time.Now()
			select {
			case err := <-done:
				code := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					code = ee.ExitCode()
				}
				if code != tc.wantCode {
					t.Errorf("exit %d after %s, want %d\nstderr: %s", code, time.Since(sent).Round(time.Millisecond), tc.wantCode, errb.String())
				}
			case <-time.After(tc.within):
				t.Fatalf("secretgate still running %s after %v\nstderr: %s", tc.within, tc.signals, errb.String())
			}
		})
	}
}
