package source

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/result"
)

// TestSpecialFilesSkipped: a FIFO, a device or a link to one among the
// candidates is skipped with a reason, never opened: a FIFO would block
// the scan, /dev/zero never end it.
func TestSpecialFilesSkipped(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses FIFOs and /dev")
	}
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

// TestNotTextNotShown: a candidate that is not text of its format is
// reported without its contents.
func TestNotTextNotShown(t *testing.T) {
	const canary = "CANARYq7Zk2Xw9Lm4Pv8"
	root := t.TempDir()
	files := map[string]string{
		"binary.json":  "{\"Statement\": [\x01\x02" + canary + "\xff\xfe]}\n",
		"control.json": "{\"Statement\": [\"" + canary + "\x1b\"]}\n",
		"broken.json":  "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": " + canary + "}]}\n",
		"stack.yaml":   "AWSTemplateFormatVersion: \"2010-09-09\"\nResources: " + canary + "\n",
		"control.yaml": "AWSTemplateFormatVersion: \"2010-09-09\"\x01\nResources: {x: " + canary + "}\n",
	}
	for name, text := range files {
		must(t, os.WriteFile(filepath.Join(root, name), []byte(text), 0o600))
	}
	res, err := Scan(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	problems := append(append([]result.InputProblem(nil), res.Skipped...), res.Errors...)
	if len(problems) != len(files) {
		t.Errorf("%d problems, want one per file: %v", len(problems), problems)
	}
	for _, p := range problems {
		if strings.Contains(p.Message, canary[:12]) {
			t.Errorf("%s: the message shows the file: %s", p.File, p.Message)
		}
	}
}
