package actiontest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// repoRoot is the repository root: two levels above this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	root, err := filepath.Abs(filepath.Join(filepath.Dir(file), "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// toolPath finds a command-line tool the tests run: the one make tools
// installed at its pinned version into the repository's .tools/bin
// (so go test finds it outside make too), else the one on PATH.
func toolPath(t testing.TB, name string) (string, error) {
	t.Helper()
	return findTool(filepath.Join(repoRoot(t), ".tools", "bin"), name)
}

// findTool is toolPath with the pinned folder given: dir/name when it is
// an executable file, else name looked up on PATH.
func findTool(dir, name string) (string, error) {
	pinned := filepath.Join(dir, name)
	if fi, err := os.Stat(pinned); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
		return pinned, nil
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is neither in %s nor on PATH: %w", name, dir, err)
	}
	return p, nil
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// secretgateBinary builds cmd/secretgate once per test binary run.
func secretgateBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "actiontest-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "secretgate")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/secretgate")
		cmd.Dir = repoRoot(t)
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build ./cmd/secretgate: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// run runs name with args in dir and returns its combined output and exit
// code; a failure to start it fails the test.
func run(t testing.TB, dir string, env []string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			return out.String(), ee.ExitCode()
		}
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return out.String(), 0
}

// workflowFiles lists the workflow files this repository ships: its own
// and the examples users copy.
func workflowFiles(t testing.TB) []string {
	t.Helper()
	root := repoRoot(t)
	var files []string
	for _, dir := range []string{".github/workflows", "docs/examples/workflows"} {
		for _, pat := range []string{"*.yml", "*.yaml"} {
			m, err := filepath.Glob(filepath.Join(root, dir, pat))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, m...)
		}
	}
	if len(files) < 4 {
		t.Fatalf("found %d workflow files, want at least ci, secretgate and the two examples: %v", len(files), files)
	}
	return files
}

// execCommand is exec.Command; exitCode reads an *exec.ExitError.
var execCommand = exec.Command

func exitCode(t testing.TB, err error) int {
	t.Helper()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		return ee.ExitCode()
	}
	t.Fatalf("command did not run: %v", err)
	return -1
}
