// Command benchtable prints make bench's table: each piece of work
// secretgate does, measured side by side with its peer on the same input
// (the gitleaks CLI for leak scanning, opa eval for policy evaluation,
// git itself for reading history), the two commands taking turns so that
// both see the same load, with medians, ranges, ratios and the project's
// goal for each ratio. Every row also checks that both found the same
// thing: a difference in findings stops the bench with an error, since a
// faster scan that finds less proves nothing.
//
// -size small runs the same rows on small inputs, once: CI's guard that
// the bench keeps working, not a measurement.
package main

import (
	"bytes"
	"debug/buildinfo"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/secretgate/secretgate/internal/bench"
)

type config struct {
	size        string
	runs        int
	sg          string // the binary under test (stripped, as released)
	sgSymbols   string // the same build with symbols, for the dependency costs
	gitleaks    string
	opa         string
	tree        string
	modules     string
	historyRepo string
	commits     int
	work        string
	parts       string
}

// Sizes of the inputs: the figures at full size; small keeps
// every code path at a few seconds in all.
type sizes struct {
	runs     int
	modules  string
	commits  int
	accounts [][2]int
}

var presets = map[string]sizes{
	"full":  {runs: 5, modules: `^github.com/open-policy-agent/opa@`, commits: 5000, accounts: [][2]int{{10000, 1000}, {100000, 10000}}},
	"small": {runs: 1, modules: `bmatcuk/doublestar|google/go-cmp`, commits: 300, accounts: [][2]int{{1000, 100}, {2000, 200}}},
}

func main() {
	var c config
	flag.StringVar(&c.size, "size", "full", "input sizes: full (the measurement) or small (a smoke run)")
	flag.IntVar(&c.runs, "runs", 0, "rounds of each comparison (default: 5 at full size, 1 at small)")
	flag.StringVar(&c.sg, "sg", "bin/secretgate", "the secretgate binary under test")
	flag.StringVar(&c.sgSymbols, "sg-symbols", "", "the same build with its symbols (go build without -s -w), for what each dependency costs")
	flag.StringVar(&c.gitleaks, "gitleaks", ".tools/bin/gitleaks", "the gitleaks CLI (the version go.mod requires)")
	flag.StringVar(&c.opa, "opa", ".tools/bin/opa", "the opa CLI (the version go.mod requires)")
	flag.StringVar(&c.tree, "tree", "", "directory for the leak-scan rows (default: a copy of this module's dependencies from the Go module cache)")
	flag.StringVar(&c.modules, "modules", "", "with the default tree: only the module paths matching this regular expression")
	flag.StringVar(&c.historyRepo, "history-repo", "", "git repository for the history rows (default: a generated linear history)")
	flag.IntVar(&c.commits, "commits", 0, "commits of the generated history")
	flag.StringVar(&c.work, "work", "", "scratch directory (required; emptied by the caller)")
	flag.StringVar(&c.parts, "parts", "", "comma-separated parts to measure: "+strings.Join(partNames(), ", ")+" (default: all)")
	flag.Parse()
	p, ok := presets[c.size]
	if !ok || c.work == "" {
		fmt.Fprintln(os.Stderr, "usage: benchtable -work DIR [-size full|small] [flags]")
		os.Exit(2)
	}
	if c.runs == 0 {
		c.runs = p.runs
	}
	if c.modules == "" {
		c.modules = p.modules
	}
	if c.commits == 0 {
		c.commits = p.commits
	}
	if err := run(c, p, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(c config, p sizes, out io.Writer) error {
	for _, bin := range []*string{&c.sg, &c.gitleaks, &c.opa} {
		abs, err := filepath.Abs(*bin)
		if err != nil {
			return err
		}
		*bin = abs
	}
	fmt.Fprintf(out, "%s; peers: %s, %s; %d rounds each, %d cores, load average %s at the start\n\n",
		version(c.sg), version(c.gitleaks), version(c.opa), c.runs, runtime.NumCPU(), loadAverage())
	chosen, err := choose(c.parts)
	if err != nil {
		return err
	}
	var rows []bench.Row
	for _, part := range chosen {
		r, err := part.rows(c, p)
		if err != nil {
			// What was measured before the failure is still printed.
			if len(rows) > 0 {
				_ = bench.WriteTable(out, rows)
			}
			return err
		}
		rows = append(rows, r...)
		fmt.Fprintf(os.Stderr, "benchtable: %d rows measured\n", len(rows))
	}
	if err := bench.WriteTable(out, rows); err != nil {
		return err
	}
	if c.sgSymbols != "" {
		if err := writeDependencyCosts(out, c.sgSymbols); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\nload average at the end: %s\n", loadAverage())
	return nil
}

// part is a group of the table's rows, measured together.
type part struct {
	name string
	rows func(config, sizes) ([]bench.Row, error)
}

// parts are the table's groups of rows, in the table's order.
var parts = []part{{"tree", treeRows}, {"history", historyRows}, {"staged", stagedRows}, {"empty", emptyRows}, {"policy", policyRows}, {"binary", binaryRows}}

func partNames() []string {
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.name
	}
	return names
}

// choose returns the parts named in list (comma-separated), in the
// table's order; "" is every part.
func choose(list string) ([]part, error) {
	if list == "" {
		return parts, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if !slices.Contains(partNames(), n) {
			return nil, fmt.Errorf("-parts: unknown part %q (known: %s)", n, strings.Join(partNames(), ", "))
		}
		want[n] = true
	}
	var out []part
	for _, p := range parts {
		if want[p.name] {
			out = append(out, p)
		}
	}
	return out, nil
}

// version names a Go binary by its main module's version, read from the
// build information Go stamps into it (gitleaks built by go install does
// not know its own version).
func version(bin string) string {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return filepath.Base(bin) + " (version unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && (v == "" || v == "(devel)") {
			v = s.Value[:min(len(s.Value), 12)]
		}
	}
	if v == "" || v == "(devel)" {
		// make build stamps secretgate's version with -X instead.
		if out, err := exec.Command(bin, "--version").Output(); err == nil {
			return strings.TrimSpace(firstLine(string(out)))
		}
	}
	return filepath.Base(bin) + " " + v
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// sameLeaks fails when two scans of one input differ.
func sameLeaks(what, glReport, root, sgInput string, withCommit bool) (int, error) {
	f, err := os.Open(glReport)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	want, err := bench.GitleaksLeaks(f, root, withCommit)
	if err != nil {
		return 0, err
	}
	g, err := os.Open(sgInput)
	if err != nil {
		return 0, err
	}
	defer g.Close()
	got, err := bench.SecretgateLeaks(g, withCommit)
	if err != nil {
		return 0, err
	}
	if diff := bench.DiffLeaks(want, got); len(diff) > 0 {
		return 0, fmt.Errorf("%s: the findings differ (- gitleaks only, + secretgate only), %d of them:\n%s",
			what, len(diff), strings.Join(diff[:min(len(diff), 20)], "\n"))
	}
	return bench.DistinctLeaks(want), nil
}

// noLimits is the configuration of the leak rows: no file size limit, as
// gitleaks has none by default.
func noLimits(work string) (string, error) {
	path := filepath.Join(work, "secretgate.yml")
	return path, os.WriteFile(path, []byte("max_file_size: 100GiB\nleaks_max_file_size: 100GiB\n"), 0o644)
}

// moduleTree copies the module directories of this module's build list
// that match pattern (the Go module cache: real code, with the test
// fixtures and keys that come with it) into a plain directory.
func moduleTree(c config) (tree, label string, err error) {
	re, err := regexp.Compile(c.modules)
	if err != nil {
		return "", "", fmt.Errorf("-modules: %w", err)
	}
	b, err := exec.Command("go", "list", "-m", "-f", "{{if and .Dir (not .Main)}}{{.Path}}@{{.Version}} {{.Dir}}{{end}}", "all").Output()
	if err != nil {
		return "", "", fmt.Errorf("go list -m all: %w", err)
	}
	tree = filepath.Join(c.work, "modules")
	var copied []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		mod, dir, ok := strings.Cut(line, " ")
		if !ok || !re.MatchString(mod) {
			continue
		}
		if _, _, err := bench.CopyTree(filepath.Join(tree, mod), dir); err != nil {
			return "", "", fmt.Errorf("copy %s: %w", mod, err)
		}
		copied = append(copied, mod)
	}
	switch {
	case len(copied) == 0:
		return "", "", fmt.Errorf("-modules %q matches no module directory", c.modules)
	case len(copied) <= 2:
		label = strings.Join(copied, " and ") + " from the Go module cache"
	default:
		label = fmt.Sprintf("%d modules from the Go module cache", len(copied))
	}
	return tree, label, nil
}

func treeStats(dir string) (files int, mib float64) {
	var size int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			files++
			size += fi.Size()
		}
		return nil
	})
	return files, float64(size) / (1 << 20)
}

func treeRows(c config, _ sizes) ([]bench.Row, error) {
	tree, label := c.tree, filepath.Base(c.tree)
	if tree == "" {
		var err error
		if tree, label, err = moduleTree(c); err != nil {
			return nil, err
		}
	}
	files, mib := treeStats(tree)
	cfg, err := noLimits(c.work)
	if err != nil {
		return nil, err
	}
	cache := filepath.Join(c.work, "tree-cache")
	glReport := filepath.Join(c.work, "gitleaks-tree.json")
	sgInput := filepath.Join(c.work, "secretgate-tree.json")
	scan := bench.Command{MaxOK: 3, Args: []string{c.sg, "check", "--offline", "--only", "leaks", "--cache-dir", cache,
		"--path", tree, "--config", cfg, "--fail-on", "never", "--format", "json", "--output", os.DevNull, "--write-input", sgInput}}
	gl := bench.Command{Args: []string{c.gitleaks, "dir", "--no-banner", "--exit-code", "0", "--log-level", "error",
		"--report-format", "json", "--report-path", glReport, tree}}
	cold := func() (bench.Sample, error) {
		if err := os.RemoveAll(cache); err != nil {
			return bench.Sample{}, err
		}
		return scan.Run()
	}
	s, err := bench.Alternate(c.runs, cold, gl.Run)
	if err != nil {
		return nil, err
	}
	n, err := sameLeaks("leak scan of the tree", glReport, tree, sgInput, false)
	if err != nil {
		return nil, err
	}
	// Warm: the last cold run filled the cache; before each run one more
	// file changes (a line appended, so no finding moves).
	changing, err := goFiles(tree, c.runs)
	if err != nil {
		return nil, err
	}
	round := 0
	warm := func() (bench.Sample, error) {
		if err := appendLine(changing[round%len(changing)], fmt.Sprintf("// changed before warm scan %d\n", round)); err != nil {
			return bench.Sample{}, err
		}
		round++
		return scan.Run()
	}
	w, err := bench.Alternate(c.runs, warm)
	if err != nil {
		return nil, err
	}
	if _, err := sameLeaks("leak scan of the tree, cache warm", glReport, tree, sgInput, false); err != nil {
		return nil, err
	}
	ours, peer := s[0], s[1]
	return []bench.Row{{
		Work:  fmt.Sprintf("leak scan, %.0f MiB / %d-file tree (%s)", mib, files, label),
		Note:  fmt.Sprintf("identical findings (%d)", n),
		Ours:  bench.Cell{Label: "check --only leaks", Series: ours},
		Peer:  bench.Cell{Label: "gitleaks dir", Series: peer},
		Goals: []bench.Goal{{What: "wall", Value: bench.Ratio(ours, peer, bench.Wall), Target: 0.26, AtMost: true}, {What: "peak RSS", Value: bench.Ratio(ours, peer, bench.RSS), Target: 1.5, AtMost: true}},
	}, {
		Work: "same, cache warm, one file changed",
		Note: "identical findings",
		Ours: bench.Cell{Label: "check --only leaks", Series: w[0]},
		Peer: bench.Cell{Label: "gitleaks dir", Series: peer},
		Goals: []bench.Goal{{What: "wall", Value: bench.Ratio(w[0], peer, bench.Wall), Info: true},
			{What: "cold→warm", Value: bench.Ratio(ours, w[0], bench.Wall), Target: 20}},
	}}, nil
}

// goFiles picks n files of the tree to change between warm scans.
func goFiles(tree string, n int) ([]string, error) {
	var files []string
	err := filepath.Walk(tree, func(path string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .go file under %s to change between scans", tree)
	}
	sort.Strings(files)
	return files[:min(n, len(files))], nil
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func historyRows(c config, _ sizes) ([]bench.Row, error) {
	repo := filepath.Join(c.work, "history")
	label := fmt.Sprintf("generated, %d commits", c.commits)
	if c.historyRepo != "" {
		if out, err := exec.Command("git", "clone", "-q", c.historyRepo, repo).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("git clone %s: %w: %s", c.historyRepo, err, out)
		}
		label = filepath.Base(c.historyRepo)
		if label == ".git" || label == "repo" { // a checkout's or a snapshot's git directory
			label = filepath.Base(filepath.Dir(c.historyRepo))
		}
	} else if err := bench.SyntheticHistory(repo, c.commits); err != nil {
		return nil, err
	}
	b, err := exec.Command("git", "-C", repo, "rev-list", "--count", "--all").Output()
	if err != nil {
		return nil, fmt.Errorf("git rev-list: %w", err)
	}
	commits, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	cfg, err := noLimits(c.work)
	if err != nil {
		return nil, err
	}
	glReport := filepath.Join(c.work, "gitleaks-history.json")
	sgInput := filepath.Join(c.work, "secretgate-history.json")
	hist := bench.Command{MaxOK: 3, Args: []string{c.sg, "check", "--offline", "--only", "leaks", "--no-cache", "--history",
		"--path", repo, "--config", cfg, "--fail-on", "never", "--format", "json", "--output", os.DevNull, "--write-input", sgInput}}
	gl := bench.Command{Args: []string{c.gitleaks, "git", "--no-banner", "--exit-code", "0", "--log-level", "error",
		"--report-format", "json", "--report-path", glReport, repo}}
	// What gitleaks git runs (sources/git.go): the floor of any scan that
	// reads every patch.
	gitLog := bench.Command{Stdout: os.DevNull, Args: []string{"git", "-C", repo, "log", "-p", "-U0", "--full-history", "--all", "--diff-filter=tuxdb"}}
	s, err := bench.Alternate(c.runs, hist.Run, gl.Run, gitLog.Run)
	if err != nil {
		return nil, err
	}
	n, err := sameLeaks("history scan", glReport, "", sgInput, true)
	if err != nil {
		return nil, err
	}
	// --diff of the newest 10 commits against the whole history, and the
	// cache: --history again after one more commit.
	diff := bench.Command{MaxOK: 3, Args: []string{c.sg, "check", "--offline", "--only", "leaks", "--no-cache", "--diff", "HEAD~10..HEAD",
		"--path", repo, "--config", cfg, "--fail-on", "never", "--format", "json", "--output", os.DevNull}}
	d, err := bench.Alternate(c.runs, diff.Run)
	if err != nil {
		return nil, err
	}
	cache := filepath.Join(c.work, "history-cache")
	cached := hist
	cached.Args = append([]string{}, hist.Args...)
	for i, a := range cached.Args {
		if a == "--no-cache" {
			cached.Args = append(append(cached.Args[:i:i], "--cache-dir", cache), hist.Args[i+1:]...)
			break
		}
	}
	round := 0
	cold := func() (bench.Sample, error) {
		if err := os.RemoveAll(cache); err != nil {
			return bench.Sample{}, err
		}
		return cached.Run()
	}
	warm := func() (bench.Sample, error) {
		round++
		if err := bench.CommitOne(repo, fmt.Sprintf("bench-new-%d.txt", round), fmt.Sprintf("one more commit, %d\n", round)); err != nil {
			return bench.Sample{}, err
		}
		return cached.Run()
	}
	hw, err := bench.Alternate(c.runs, cold, warm)
	if err != nil {
		return nil, err
	}
	ours, glS, logS := s[0], s[1], s[2]
	return []bench.Row{{
		Work:  fmt.Sprintf("history, %d commits (%s)", commits, label),
		Note:  fmt.Sprintf("identical findings (%d: rule, file, line, commit)", n),
		Ours:  bench.Cell{Label: "check --history", Series: ours},
		Peer:  bench.Cell{Label: "gitleaks git", Series: glS},
		Goals: []bench.Goal{{What: "wall", Value: bench.Ratio(ours, glS, bench.Wall), Info: true}},
	}, {
		Work:  "same, against reading every patch (what gitleaks git runs)",
		Ours:  bench.Cell{Label: "check --history", Series: ours},
		Peer:  bench.Cell{Label: "git log -p -U0 --all", Series: logS},
		Goals: []bench.Goal{{What: "wall", Value: bench.Ratio(ours, logS, bench.Wall), Target: 1.5, AtMost: true}},
	}, {
		Work:  "same, --diff of the newest 10 commits",
		Ours:  bench.Cell{Label: "check --diff HEAD~10..HEAD", Series: d[0]},
		Peer:  bench.Cell{Label: "check --history", Series: ours},
		Goals: []bench.Goal{{What: "wall", Value: bench.Ratio(d[0], ours, bench.Wall), Info: true}},
	}, {
		Work:  "same, cache warm, one new commit",
		Ours:  bench.Cell{Label: "check --history", Series: hw[1]},
		Peer:  bench.Cell{Label: "cache empty", Series: hw[0]},
		Goals: []bench.Goal{{What: "cold→warm", Value: bench.Ratio(hw[0], hw[1], bench.Wall), Target: 10}},
	}}, nil
}

func stagedRows(c config, _ sizes) ([]bench.Row, error) {
	repo := filepath.Join(c.work, "staged")
	if err := bench.StagedRepo(repo, 200, 10); err != nil {
		return nil, err
	}
	glReport := filepath.Join(c.work, "gitleaks-staged.json")
	sgInput := filepath.Join(c.work, "secretgate-staged.json")
	// The pre-commit hook's very command (.pre-commit-hooks.yaml), and
	// gitleaks' own pre-commit command.
	hook := bench.Command{Dir: repo, MaxOK: 3, Args: []string{c.sg, "check", "--offline", "--staged", "--mode", "pre-commit"}}
	gl := bench.Command{Dir: repo, Args: []string{c.gitleaks, "git", "--pre-commit", "--staged", "--no-banner", "--exit-code", "0", "--log-level", "error", "."}}
	s, err := bench.Alternate(max(c.runs, 5), hook.Run, gl.Run)
	if err != nil {
		return nil, err
	}
	// Once more each, writing what was found.
	withInput := hook
	withInput.Args = append(append([]string{}, hook.Args...), "--write-input", sgInput)
	withReport := gl
	withReport.Args = append(append([]string{}, gl.Args[:len(gl.Args)-1]...), "--report-format", "json", "--report-path", glReport, ".")
	if _, err := withInput.Run(); err != nil {
		return nil, err
	}
	if _, err := withReport.Run(); err != nil {
		return nil, err
	}
	n, err := sameLeaks("pre-commit scan", glReport, "", sgInput, false)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("pre-commit scan: no finding from either; the staged change plants keys")
	}
	return []bench.Row{{
		Work:  "pre-commit, 10 staged files",
		Note:  fmt.Sprintf("identical findings (%d)", n),
		Ours:  bench.Cell{Label: "check --staged --mode pre-commit", Series: s[0]},
		Peer:  bench.Cell{Label: "gitleaks git --pre-commit --staged", Series: s[1]},
		Goals: []bench.Goal{{What: "wall", Value: bench.Ratio(s[0], s[1], bench.Wall), Target: 0.5, AtMost: true}},
	}}, nil
}

func emptyRows(c config, _ sizes) ([]bench.Row, error) {
	dir := filepath.Join(c.work, "empty")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	sg := bench.Command{MaxOK: 3, Args: []string{c.sg, "check", "--offline", "--path", dir, "--format", "json", "--output", os.DevNull}}
	gl := bench.Command{Args: []string{c.gitleaks, "dir", "--no-banner", "--exit-code", "0", "--log-level", "error", dir}}
	s, err := bench.Alternate(max(c.runs, 5), sg.Run, gl.Run)
	if err != nil {
		return nil, err
	}
	return []bench.Row{{
		Work:  "check on an empty directory",
		Ours:  bench.Cell{Label: "check --offline", Series: s[0]},
		Peer:  bench.Cell{Label: "gitleaks dir", Series: s[1]},
		Goals: []bench.Goal{{What: "wall", Value: bench.Ratio(s[0], s[1], bench.Wall), Target: 1, AtMost: true}},
	}}, nil
}

func policyRows(c config, p sizes) ([]bench.Row, error) {
	policyDir := filepath.Join(c.work, "policies")
	if _, err := bench.WritePolicies(policyDir); err != nil {
		return nil, err
	}
	// The largest snapshot is above the default max_file_size.
	cfg, err := noLimits(c.work)
	if err != nil {
		return nil, err
	}
	var rows []bench.Row
	for i, a := range p.accounts {
		secrets, roles := a[0], a[1]
		dir := filepath.Join(c.work, fmt.Sprintf("account-%d", secrets))
		if err := bench.WriteAccount(filepath.Join(dir, "repo", "inventory.json"), secrets, roles); err != nil {
			return nil, err
		}
		input := filepath.Join(dir, "input.json")
		report := filepath.Join(dir, "report.json")
		opaOut := filepath.Join(dir, "opa.json")
		sg := bench.Command{MaxOK: 1, Args: []string{c.sg, "check", "--offline", "--skip", "leaks", "--path", filepath.Join(dir, "repo"),
			"--config", cfg, "--format", "json", "--output", report, "--now", bench.BenchNow.Format("2006-01-02T15:04:05Z")}}
		write := sg
		write.Args = append(append([]string{}, sg.Args...), "--write-input", input)
		if _, err := write.Run(); err != nil {
			return nil, err
		}
		opa := bench.Command{Stdout: opaOut, Args: []string{c.opa, "eval", "--format", "json", "-d", policyDir, "-i", input, "data.secretgate.main.findings"}}
		runs := c.runs
		if i > 0 {
			runs = max(1, min(runs, 3)) // the large account: fewer rounds
		}
		s, err := bench.Alternate(runs, sg.Run, opa.Run)
		if err != nil {
			return nil, err
		}
		n, err := sameFindings(opaOut, report)
		if err != nil {
			return nil, fmt.Errorf("policy evaluation, %d secrets: %w", secrets, err)
		}
		row := bench.Row{
			Work: fmt.Sprintf("policy evaluation, %d secrets + %d roles", secrets, roles),
			Note: fmt.Sprintf("identical findings (%d)", n),
			Ours: bench.Cell{Label: "check --offline --skip leaks", Series: s[0]},
			Peer: bench.Cell{Label: "opa eval", Series: s[1]},
		}
		if i == 0 {
			row.Goals = []bench.Goal{{What: "CPU", Value: bench.Ratio(s[0], s[1], bench.CPU), Target: 0.5, AtMost: true}, {What: "wall", Value: bench.Ratio(s[0], s[1], bench.Wall), Target: 0.5, AtMost: true}}
		} else {
			row.Goals = []bench.Goal{{What: "wall", Value: bench.Ratio(s[0], s[1], bench.Wall), Target: 0.5, AtMost: true}, {What: "peak RSS", Value: bench.Ratio(s[0], s[1], bench.RSS), Target: 0.5, AtMost: true}}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func sameFindings(opaOut, report string) (int, error) {
	read := func(path string, parse func(io.Reader) ([]bench.FindingKey, error)) ([]bench.FindingKey, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return parse(bytes.NewReader(b))
	}
	want, err := read(opaOut, bench.OPAFindings)
	if err != nil {
		return 0, err
	}
	got, err := read(report, bench.ReportFindings)
	if err != nil {
		return 0, err
	}
	if diff := bench.DiffFindings(want, got); len(diff) > 0 {
		return 0, fmt.Errorf("the findings differ (- opa eval only, + secretgate only), %d of them:\n%s", len(diff), strings.Join(diff[:min(len(diff), 20)], "\n"))
	}
	return len(want), nil
}

func binaryRows(c config, _ sizes) ([]bench.Row, error) {
	size := func(path string) (float64, error) {
		fi, err := os.Stat(path)
		if err != nil {
			return 0, err
		}
		return float64(fi.Size()) / 1e6, nil
	}
	ours, err := size(c.sg)
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("%.1f MB stripped", ours)
	if c.sgSymbols != "" {
		sym, err := size(c.sgSymbols)
		if err != nil {
			return nil, err
		}
		text += fmt.Sprintf(" (%.1f MB with symbols)", sym)
	}
	gl, err := size(c.gitleaks)
	if err != nil {
		return nil, err
	}
	op, err := size(c.opa)
	if err != nil {
		return nil, err
	}
	return []bench.Row{{
		Work: "binary size",
		Note: "what each dependency costs: below",
		Ours: bench.Cell{Label: "secretgate", Text: text},
		Peer: bench.Cell{Text: fmt.Sprintf("gitleaks %.1f MB, opa %.1f MB (with symbols, as go install builds them)", gl, op)},
	}}, nil
}

func writeDependencyCosts(out io.Writer, bin string) error {
	mods, err := bench.Modules(bin)
	if err != nil {
		return err
	}
	syms, err := bench.FileSymbols(bin)
	if err != nil {
		return err
	}
	costs, total := bench.DependencyCosts(syms, mods)
	fmt.Fprintf(out, "\nwhat each dependency costs (sizes of code and data symbols, %.1f MB in all; the rest of the file is the runtime's tables and, unstripped, debug information):\n\n| module | MB | share |\n|---|---|---|\n", float64(total)/1e6)
	var rest int64
	for i, d := range costs {
		if i >= 15 {
			rest += d.Bytes
			continue
		}
		fmt.Fprintf(out, "| %s | %.1f | %.0f%% |\n", d.Module, float64(d.Bytes)/1e6, 100*float64(d.Bytes)/float64(total))
	}
	if rest > 0 {
		fmt.Fprintf(out, "| %d more modules | %.1f | %.0f%% |\n", len(costs)-15, float64(rest)/1e6, 100*float64(rest)/float64(total))
	}
	return nil
}
