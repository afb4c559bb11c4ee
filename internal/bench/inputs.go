package bench

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/secretgate/secretgate/internal/inventory"
	"github.com/secretgate/secretgate/policies"
)

// BenchNow is the clock of the generated account: its rotation dates are
// relative to it, and secretgate check is given it with --now.
var BenchNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// WriteAccount writes the generated account (Account) as an inventory
// snapshot file, the input secretgate check reads from a directory.
func WriteAccount(path string, secrets, roles int) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := inventory.Write(f, Account(secrets, roles, BenchNow)); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// WritePolicies copies the built-in Rego policies, without their tests,
// into dir: what opa eval is given to evaluate the same rules.
func WritePolicies(dir string) (int, error) {
	n := 0
	err := fs.WalkDir(policies.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") || strings.HasSuffix(path, "_test.rego") {
			return err
		}
		data, err := policies.FS.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		n++
		return os.WriteFile(dst, data, 0o644)
	})
	return n, err
}

// fakeToken is a deterministic, random-looking GitHub personal access
// token: a key both scanners must find (gitleaks' github-pat rule). Made
// at run time so that this repository's own leak check has nothing to
// find in the source.
func fakeToken(r *rand.Rand) string {
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := []byte("ghp" + "_")
	for range 36 {
		b = append(b, alnum[r.IntN(len(alnum))])
	}
	return string(b)
}

// goSource is a plausible Go file of about 2 KiB; every leakEvery-th file
// (leakEvery > 0) plants one fake token.
func goSource(r *rand.Rand, i int, leak bool) string {
	words := strings.Fields("token handler config secret key value request response client server cache index")
	var b strings.Builder
	b.WriteString("package pkg\n\n")
	for j := range 24 {
		fmt.Fprintf(&b, "// %s %d-%d: the %s is read from the environment\nvar v%d_%d = %q\n",
			words[(i+j)%len(words)], i, j, words[(i*j)%len(words)], i, j, fmt.Sprintf("%s-%d", words[j%len(words)], i*7919%100003))
	}
	if leak {
		fmt.Fprintf(&b, "\nconst githubToken%d = %q\n", i, fakeToken(r))
	}
	return b.String()
}

// SyntheticHistory makes a git repository at dir with a linear history of
// commits commits, each changing one of 400 Go files; every 250th commit
// plants a fake token. Built with git fast-import: seconds for thousands
// of commits.
func SyntheticHistory(dir string, commits int) error {
	if err := gitRun("", "init", "-q", "-b", "main", dir); err != nil {
		return err
	}
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet")
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git fast-import: %w", err)
	}
	w := bufio.NewWriter(in)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 1; i <= commits; i++ {
		path := fmt.Sprintf("src/pkg%02d/file%03d.go", i%50, i%400)
		data := goSource(r, i, i%250 == 0)
		msg := fmt.Sprintf("commit %d\n", i)
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\nauthor Dev %d <dev%d@example.com> %d +0000\ncommitter Dev <dev@example.com> %d +0000\ndata %d\n%s",
			i, i%17, i%17, 1700000000+i*60, 1700000000+i*60, len(msg), msg)
		if i > 1 {
			fmt.Fprintf(w, "from :%d\n", i-1)
		}
		fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", path, len(data), data)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git fast-import: %w: %s", err, stderr.String())
	}
	return gitRun(dir, "reset", "-q", "--hard")
}

// StagedRepo makes a git repository at dir with one commit of base files
// and files new Go files staged on top, two of them planting a fake
// token: a pre-commit hook's typical change.
func StagedRepo(dir string, base, files int) error {
	if err := gitRun("", "init", "-q", "-b", "main", dir); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(3, 4))
	write := func(name string, i int, leak bool) error {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, []byte(goSource(r, i, leak)), 0o644)
	}
	for i := range base {
		if err := write(fmt.Sprintf("base/file%03d.go", i), i, false); err != nil {
			return err
		}
	}
	if err := gitRun(dir, "add", "-A"); err != nil {
		return err
	}
	if err := gitRun(dir, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "base"); err != nil {
		return err
	}
	for i := range files {
		if err := write(fmt.Sprintf("change/file%02d.go", i), 1000+i, i%5 == 0); err != nil {
			return err
		}
	}
	return gitRun(dir, "add", "-A")
}

// CommitOne adds a file and commits it: the one new commit between two
// history scans.
func CommitOne(dir, name, content string) error {
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		return err
	}
	if err := gitRun(dir, "add", "-A"); err != nil {
		return err
	}
	return gitRun(dir, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "one more")
}

func gitRun(dir string, args ...string) error {
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// CopyTree copies the regular files below src to dst, writable (the Go
// module cache is read-only), and returns their count and total size.
func CopyTree(dst, src string) (files int, size int64, err error) {
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		n, err := io.Copy(out, in)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		files++
		size += n
		return err
	})
	return files, size, err
}
