//go:build linux

package source

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSpecialFilesSkipped: a FIFO, a device or a link to one among the
// candidates is skipped with a reason, never opened: a FIFO would block
// the scan, /dev/zero never end it.
func TestSpecialFilesSkipped(t *testing.T) {
	root := t.TempDir()
	must(t, syscall.Mkfifo(filepath.Join(root, "fifo.json"), 0o600))
	must(t, os.Symlink("fifo.json", filepath.Join(root, "fifo-link.json")))
	must(t, os.Symlink("/dev/zero", filepath.Join(root, "zero.json")))
	must(t, os.Symlink("/dev/stdin", filepath.Join(root, "stdin.yaml")))
	done := make(chan *Result, 1)
	go func() {
		res, err := Scan(context.Background(), root, Options{})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Scan blocked")
	}
	if res == nil {
		return
	}
	got := map[string]string{}
	for _, p := range res.Skipped {
		got[p.File] = p.Message
	}
	want := map[string]string{
		"fifo.json":      "a FIFO (named pipe), not a regular file; not read",
		"fifo-link.json": "symbolic link to a FIFO (named pipe), not a regular file; not read",
		"zero.json":      "outside the repository",
	}
	for file, msg := range want {
		if !strings.Contains(got[file], msg) {
			t.Errorf("skipped %s: %q, want %q", file, got[file], msg)
		}
	}
	if len(res.Errors) != 0 {
		t.Errorf("errors: %v", res.Errors)
	}
}

// TestTerraformVariableFileFIFO: a terraform.tfvars that is a FIFO (or a
// link to /dev/zero) is not read — the scan neither blocks nor runs
// forever — and says which file it could not read.
func TestTerraformVariableFileFIFO(t *testing.T) {
	root := t.TempDir()
	must(t, os.WriteFile(filepath.Join(root, "main.tf"), []byte("variable \"org\" {}\n"), 0o644))
	must(t, syscall.Mkfifo(filepath.Join(root, "terraform.tfvars"), 0o600))
	must(t, os.Symlink("/dev/zero", filepath.Join(root, "zero.auto.tfvars")))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := Scan(ctx, root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var named []string
	for _, p := range append(res.Errors, res.Skipped...) {
		named = append(named, p.File)
	}
	got := strings.Join(named, " ")
	if !strings.Contains(got, "terraform.tfvars") || !strings.Contains(got, "zero.auto.tfvars") {
		t.Errorf("problems name %q, want both variable files", got)
	}
}
