package leaks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

func TestWorkingTreeInGit(t *testing.T) {
	key, untrackedKey, ignoredKey := leakstest.AWSKey(t), leakstest.AWSKey(t), leakstest.AWSKey(t)
	r := newRepo(t)
	r.write(".gitignore", "*.local\nbuild/\n")
	r.write("config/prod/app.env", "region=eu-west-1\naws_access_key_id="+key+"\n")
	r.write("README.md", "nothing to see\n")
	r.commit("init", "Alice Example")
	r.write("notes/untracked.txt", "key "+untrackedKey+"\n") // untracked, not ignored: scanned
	r.write("secrets.local", "key "+ignoredKey+"\n")         // ignored: not scanned
	r.write("build/out.txt", "key "+ignoredKey+"\n")         // ignored directory
	r.write("config/prod/staged.env", "clean\n")
	r.git("add", "config/prod/staged.env")

	res := scan(t, r.dir, Scope{})
	got := where(awsFindings(res))
	want := []string{"config/prod/app.env:2 aws-access-token", "notes/untracked.txt:1 aws-access-token"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	f := awsFindings(res)[0]
	if f.Redacted != key[:4]+Ellipsis || f.Commit != "" || f.Author != "" {
		t.Errorf("finding %+v", f)
	}
	if f.Fingerprint != "config/prod/app.env:aws-access-token:2" {
		t.Errorf("fingerprint %q", f.Fingerprint)
	}
	if f.Column == 0 || f.Entropy <= 3 || f.Description == "" {
		t.Errorf("finding %+v", f)
	}
	if res.Files != 5 { // .gitignore, README.md, app.env, staged.env, untracked.txt
		t.Errorf("files %d, want 5", res.Files)
	}
}

func TestWorkingTreeOutsideGit(t *testing.T) {
	key := leakstest.AWSKey(t)
	dir := t.TempDir()
	writeFile(t, dir, "app/settings.py", "AWS_KEY = '"+key+"'\n")
	writeFile(t, dir, ".git/config", "key "+leakstest.AWSKey(t)+"\n")             // never entered
	writeFile(t, dir, "node_modules/x/index.js", "k='"+leakstest.AWSKey(t)+"'\n") // gitleaks' global allowlist
	res := scan(t, dir, Scope{})
	if got := where(awsFindings(res)); !slices.Equal(got, []string{"app/settings.py:1 aws-access-token"}) {
		t.Fatalf("findings %v", got)
	}
}

// TestStagedIsWhatCommitRecords: the staged blob is scanned, not the file
// in the working tree.
func TestStagedIsWhatCommitRecords(t *testing.T) {
	stagedKey, unstagedKey := leakstest.AWSKey(t), leakstest.AWSKey(t)
	r := newRepo(t)
	r.write("deploy/prod.env", "a=1\n")
	r.write("other.env", "b=2\n")
	r.commit("init", "A")

	r.write("deploy/prod.env", "a=1\nkey="+stagedKey+"\n")
	r.git("add", "deploy/prod.env")
	r.write("deploy/prod.env", "a=1\nkey=removed-again-in-the-working-tree\n") // not staged
	r.write("other.env", "b=2\nkey="+unstagedKey+"\n")                         // not staged

	res := scan(t, r.dir, Scope{Kind: Staged})
	got := awsFindings(res)
	if len(got) != 1 || got[0].File != "deploy/prod.env" || got[0].Line != 2 || got[0].Commit != "" {
		t.Fatalf("findings %v", where(got))
	}
	if got[0].Fingerprint != "deploy/prod.env:aws-access-token:2" {
		t.Errorf("fingerprint %q", got[0].Fingerprint)
	}

	// The working tree scan sees the other file, not the staged content.
	if got := where(awsFindings(scan(t, r.dir, Scope{}))); !slices.Equal(got, []string{"other.env:2 aws-access-token"}) {
		t.Fatalf("working tree findings %v", got)
	}
}

func TestStagedInNewRepositoryAndSubdirectory(t *testing.T) {
	key := leakstest.AWSKey(t)
	r := newRepo(t) // no commit yet: the index is compared with the empty tree
	r.write("svc/app/config.yaml", "aws:\n  key: "+key+"\n")
	r.write("top.yaml", "key: "+leakstest.AWSKey(t)+"\n")
	r.git("add", "-A")
	if got := where(awsFindings(scan(t, r.dir, Scope{Kind: Staged}))); !slices.Equal(got, []string{"svc/app/config.yaml:2 aws-access-token", "top.yaml:1 aws-access-token"}) {
		t.Fatalf("findings %v", got)
	}
	// Scanning a subdirectory: only its files, named relative to it.
	if got := where(awsFindings(scan(t, filepath.Join(r.dir, "svc"), Scope{Kind: Staged}))); !slices.Equal(got, []string{"app/config.yaml:2 aws-access-token"}) {
		t.Fatalf("findings in svc %v", got)
	}
}

// TestRangeEveryCommitAttributed: a key added in the 3rd of 40 commits of a
// range (and removed again later) is found and attributed to that commit
// and its author; a key the base already had is not part of the range.
func TestRangeEveryCommitAttributed(t *testing.T) {
	key, oldKey := leakstest.AWSKey(t), leakstest.AWSKey(t)
	r := newRepo(t)
	r.write("legacy.env", "key="+oldKey+"\n")
	base := r.commit("base", "Base Author")
	var third string
	for i := 1; i <= 40; i++ {
		r.write(fmt.Sprintf("src/file%02d.txt", i), fmt.Sprintf("change %d\n", i))
		author := fmt.Sprintf("Dev %02d", i)
		switch i {
		case 3:
			r.write("config/prod/app.env", "region=eu-west-1\naws_access_key_id="+key+"\n")
			author = "Carol Leaker"
		case 30:
			r.write("config/prod/app.env", "region=eu-west-1\n") // removed again
		}
		sha := r.commit(fmt.Sprintf("commit %d", i), author)
		if i == 3 {
			third = sha
		}
	}

	res := scan(t, r.dir, Scope{Kind: Range, Base: base, Head: "HEAD"})
	got := awsFindings(res)
	if len(got) != 1 {
		t.Fatalf("findings %v", where(got))
	}
	f := got[0]
	if f.Commit != third || f.Author != "Carol Leaker" || f.File != "config/prod/app.env" || f.Line != 2 {
		t.Fatalf("finding %+v, want commit %s by Carol Leaker", f, third)
	}
	if f.Fingerprint != third+":config/prod/app.env:aws-access-token:2" {
		t.Errorf("fingerprint %q", f.Fingerprint)
	}
	if res.Commits != 40 {
		t.Errorf("commits scanned %d, want 40", res.Commits)
	}

	// The same range given by name and with three dots.
	r.git("branch", "base-branch", base)
	for _, d := range []string{"base-branch..HEAD", "base-branch...HEAD", "base-branch.."} {
		sc, err := ParseScope(false, d, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := awsFindings(scan(t, r.dir, sc)); len(got) != 1 || got[0].Commit != third {
			t.Errorf("--diff %s: %v", d, where(got))
		}
	}
}

func TestRangeWithMerge(t *testing.T) {
	key := leakstest.AWSKey(t)
	r := newRepo(t)
	r.write("a.txt", "a\n")
	base := r.commit("base", "A")
	r.git("checkout", "-q", "-b", "feature")
	r.write("feature.env", "k="+key+"\n")
	feat := r.commit("feature", "Feature Dev")
	r.git("checkout", "-q", "main")
	r.write("b.txt", "b\n")
	r.commit("main moves on", "B")
	r.git("checkout", "-q", "feature")
	r.git("merge", "-q", "--no-edit", "main")
	got := awsFindings(scan(t, r.dir, Scope{Kind: Range, Base: base, Head: "HEAD"}))
	if len(got) != 1 || got[0].Commit != feat || got[0].Author != "Feature Dev" {
		t.Fatalf("findings %+v", got)
	}
}

func TestHistoryOnly(t *testing.T) {
	key := leakstest.AWSKey(t)
	r := newRepo(t)
	r.write("app.py", "print('hi')\n")
	r.commit("one", "A")
	r.write("app.py", "print('hi')\nKEY = '"+key+"'\n")
	added := r.commit("oops", "Bob Oops")
	r.write("app.py", "print('hi')\n")
	r.commit("remove the key", "Bob Oops")
	// Also on a branch that is not checked out.
	r.git("checkout", "-q", "-b", "side")
	r.write("side.env", "k="+leakstest.AWSKey(t)+"\n")
	side := r.commit("side", "Sid")
	r.git("checkout", "-q", "main")

	if got := awsFindings(scan(t, r.dir, Scope{})); len(got) != 0 {
		t.Fatalf("working tree findings %v", where(got))
	}
	got := awsFindings(scan(t, r.dir, Scope{Kind: History}))
	commits := map[string]string{}
	for _, f := range got {
		commits[f.File] = f.Commit + " " + f.Author
	}
	want := map[string]string{"app.py": added + " Bob Oops", "side.env": side + " Sid"}
	if fmt.Sprint(commits) != fmt.Sprint(want) {
		t.Fatalf("history findings %v, want %v", commits, want)
	}
}

func TestGitleaksIgnore(t *testing.T) {
	r := newRepo(t)
	r.write("a.env", "k="+leakstest.AWSKey(t)+"\n")
	r.write("b.env", "k="+leakstest.AWSKey(t)+"\n")
	sha := r.commit("keys", "A")
	r.write(IgnoreFile, "# reviewed: rotated 2026-01-02\na.env:aws-access-token:1\n\n"+sha+":b.env:aws-access-token:1\n")
	r.commit("ignore", "A")

	tree := scan(t, r.dir, Scope{})
	// a.env is ignored everywhere; the commit fingerprint of b.env only
	// ignores it in that commit, not in the working tree.
	if got := where(awsFindings(tree)); !slices.Equal(got, []string{"b.env:1 aws-access-token"}) {
		t.Fatalf("working tree %v", got)
	}
	if tree.Ignored != 1 {
		t.Errorf("ignored %d", tree.Ignored)
	}
	if got := awsFindings(scan(t, r.dir, Scope{Kind: History})); len(got) != 0 {
		t.Fatalf("history %v", where(got))
	}
}

func TestInlineAllow(t *testing.T) {
	r := newRepo(t)
	r.write("test.go", "const k = \""+leakstest.AWSKey(t)+"\" // gitleaks:allow\nconst j = \""+leakstest.AWSKey(t)+"\"\n")
	r.commit("x", "A")
	for _, sc := range []Scope{{}, {Kind: History}} {
		if got := where(awsFindings(scan(t, r.dir, sc))); !slices.Equal(got, []string{"test.go:2 aws-access-token"}) {
			t.Errorf("%s: %v", sc, got)
		}
	}
}

const extendingConfig = `
title = "acme"
[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme-internal-token"
description = "ACME internal token"
regex = '''acme_[a-z0-9]{24}'''
keywords = ["acme_"]

[[allowlists]]
description = "fixtures"
paths = ['''^fixtures/''']
`

// acmeToken matches the custom rule of extendingConfig; it is put together
// at run time so that this file does not trip a scanner itself.
func acmeToken() string { return "acme" + "_" + strings.Repeat("a1b2c3", 4) }

func TestGitleaksTomlExtendsDefaults(t *testing.T) {
	for i := range 2 { // twice: loading must not depend on earlier loads
		r := newRepo(t)
		r.write(ConfigFile, extendingConfig)
		r.write("app.cfg", "token = "+acmeToken()+"\naws = "+leakstest.AWSKey(t)+"\n")
		r.write("fixtures/keys.txt", "aws = "+leakstest.AWSKey(t)+"\n")
		r.commit("x", "A")
		res := scan(t, r.dir, Scope{})
		got := where(res.Findings)
		want := []string{"app.cfg:1 acme-internal-token", "app.cfg:2 aws-access-token"}
		if !slices.Equal(got, want) {
			t.Fatalf("load %d: findings %v, want %v", i+1, got, want)
		}
	}
}

func TestGitleaksTomlExtendsPath(t *testing.T) {
	r := newRepo(t)
	r.write("ci/base.toml", "[extend]\nuseDefault = true\n")
	r.write(ConfigFile, "[extend]\npath = \"ci/base.toml\"\n[[rules]]\nid = \"x-token\"\nregex = '''xtok_[0-9]{12}'''\n")
	r.write("a.txt", "xtok_123456789012 "+leakstest.AWSKey(t)+"\n")
	r.commit("x", "A")
	if got := where(scan(t, r.dir, Scope{}).Findings); !slices.Equal(got, []string{"a.txt:1 x-token", "a.txt:1 aws-access-token"}) {
		t.Fatalf("findings %v", got)
	}
}

func TestBrokenGitleaksToml(t *testing.T) {
	tests := []struct {
		name, config string
		want         []string
	}{
		{"syntax", "[extend]\nuseDefault = \n", []string{".gitleaks.toml:2:", "invalid TOML"}},
		{"bad regex", "[[rules]]\nid = \"x\"\nregex = '''(unclosed'''\n", []string{".gitleaks.toml:", `rule "x" regex`, "missing closing )"}},
		{"bad allowlist regex", "[[allowlists]]\nregexes = ['''[z-a]''']\n", []string{"allowlist", "invalid character class range"}},
		{"rule without regex or path", "[[rules]]\nid = \"x\"\n", []string{"both |regex| and |path| are empty"}},
		{"missing extended file", "[extend]\npath = \"nope.toml\"\n", []string{"failed to load extended config"}},
		{"bad condition", "[[allowlists]]\ncondition = \"XOR\"\nregexes = ['''a''']\n", []string{"unknown allowlist |condition|"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, ConfigFile, tc.config)
			_, err := LoadGitleaks(dir)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a *ConfigError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	// A good configuration loads after the broken ones.
	dir := t.TempDir()
	writeFile(t, dir, ConfigFile, extendingConfig)
	g, err := LoadGitleaks(dir)
	if err != nil || g.Rules() < 100 {
		t.Fatalf("good config after broken ones: %v, %d rules", err, g.Rules())
	}
}

// TestBadInputDoesNotStopTheScan: binary files, oversized files,
// non-UTF-8 text and very long lines are skipped or scanned, never fatal;
// skipped files are listed, oversized text files also as problems.
func TestBadInputDoesNotStopTheScan(t *testing.T) {
	key, latin1Key, afterLongKey := leakstest.AWSKey(t), leakstest.AWSKey(t), leakstest.AWSKey(t)
	r := newRepo(t)
	// An ELF executable (gitleaks' file source skips application types).
	r.write("bin/tool", "\x7fELF\x02\x01\x01\x00"+strings.Repeat("\x00", 64)+"k="+leakstest.AWSKey(t)+"\n")
	r.write("big.log", strings.Repeat("x", 2048)+"\nk="+leakstest.AWSKey(t)+"\n")
	r.write("latin1.txt", "caf\xe9 \xff\xfe k="+latin1Key+"\n")
	r.write("long.txt", strings.Repeat("a", 3<<20)+"\nk="+afterLongKey+"\n")
	r.write("ok.txt", "k="+key+"\n")
	r.commit("x", "A")

	for _, sc := range []Scope{{}, {Kind: History}} {
		t.Run(sc.String(), func(t *testing.T) {
			res, err := scanErr(t, r.dir, sc, func(s *Scanner) { s.MaxFileBytes = 1 << 10 })
			if err != nil {
				t.Fatal(err)
			}
			files := map[string]bool{}
			for _, f := range awsFindings(res) {
				files[f.File] = true
			}
			if !files["ok.txt"] || !files["latin1.txt"] {
				t.Errorf("findings %v", where(res.Findings))
			}
			skipped := map[string]string{}
			for _, s := range res.Skipped {
				skipped[s.Path] = s.Reason
			}
			if !strings.Contains(skipped["big.log"], "1 KiB") {
				t.Errorf("big.log not skipped as too large: %v", skipped)
			}
			// Text above the limit is not a quiet skip: the scan is
			// incomplete, naming each such file.
			if len(res.Problems) != 2 || !strings.HasPrefix(res.Problems[0], "big.log") || !strings.HasPrefix(res.Problems[1], "long.txt") {
				t.Errorf("problems %q, want big.log and long.txt", res.Problems)
			}
			if skipped["bin/tool"] == "" {
				t.Errorf("binary not listed as skipped: %v", skipped)
			}
		})
	}

	// Without a size limit, the long line is scanned and does not hide the
	// key after it.
	res, err := scanErr(t, r.dir, Scope{}, func(s *Scanner) { s.MaxFileBytes = -1 })
	if err != nil {
		t.Fatal(err)
	}
	var long []Finding
	for _, f := range awsFindings(res) {
		if f.File == "long.txt" {
			long = append(long, f)
		}
	}
	if len(long) != 1 || long[0].Line != 2 {
		t.Errorf("long.txt findings %v", where(long))
	}
}

// memValues is an in-memory LiveValues.
type memValues struct {
	values map[string][]string
	err    error
}

func (m memValues) Values(ctx context.Context, yield func(string, []byte) bool) error {
	for name, vs := range m.values {
		for _, v := range vs {
			if !yield(name, []byte(v)) {
				return nil
			}
		}
	}
	return m.err
}

func TestLiveValueMatch(t *testing.T) {
	live, previous, other := leakstest.AWSKey(t), leakstest.AWSKey(t), leakstest.AWSKey(t)
	r := newRepo(t)
	r.write("a.env", "k="+live+"\n")
	r.write("b.env", "k="+previous+"\n")
	r.write("c.env", "k="+other+"\n")
	r.commit("x", "A")
	src := memValues{values: map[string][]string{
		"prod/bybit/api":   {"not-it", live},
		"staging/db/admin": {previous + "x", previous}, // AWSCURRENT, AWSPREVIOUS
		"dev/empty/thing":  {""},
	}}
	res, err := scanErr(t, r.dir, Scope{}, func(s *Scanner) { s.Live = src })
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range awsFindings(res) {
		got[f.File] = f.LiveSecret
	}
	want := map[string]string{"a.env": "prod/bybit/api", "b.env": "staging/db/admin", "c.env": ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("live secrets %v, want %v", got, want)
	}
	if len(res.Problems) != 0 {
		t.Fatalf("problems %v", res.Problems)
	}

	// A source that fails: the findings stay, the problem is reported.
	res, err = scanErr(t, r.dir, Scope{}, func(s *Scanner) {
		s.Live = memValues{err: errors.New("secretsmanager: access denied")}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(awsFindings(res)) != 3 || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "access denied") {
		t.Fatalf("findings %v problems %v", where(res.Findings), res.Problems)
	}
}

// TestRawTextNeverEscapes prints and encodes everything a scan returns,
// and matches themselves, and looks for the secret.
func TestRawTextNeverEscapes(t *testing.T) {
	key := leakstest.AWSKey(t)
	r := newRepo(t)
	r.write("k.env", "aws_access_key_id="+key+"\n")
	r.commit("x", "A")
	res, err := scanErr(t, r.dir, Scope{}, func(s *Scanner) {
		s.Live = memValues{values: map[string][]string{"prod/x/y": {key}}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) == 0 || res.Findings[0].LiveSecret != "prod/x/y" {
		t.Fatalf("findings %+v", res.Findings)
	}
	det, err := LoadGitleaks(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	ms := det.Detect(context.Background(), Fragment{Path: "k.env", Text: "aws_access_key_id=" + key + "\n", StartLine: 1})
	if len(ms) == 0 {
		t.Fatal("no match")
	}
	var out bytes.Buffer
	for _, v := range []any{res, *res, res.Findings, ms, ms[0], &ms[0], ms[0].raw, []found{{Match: ms[0]}}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		b, _ := json.Marshal(v)
		out.Write(b)
	}
	if s := out.String(); strings.Contains(s, key) || strings.Contains(s, key[4:]) || strings.Contains(s, fmt.Sprintf("%x", key[4:])) {
		t.Fatalf("the secret escaped:\n%s", s)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "…"},
		{"abcdefg", "a…"},
		{"password", "pa…"},
		{"AKIA0123456789ABCDEF", "AKIA…"},
		{"ghp_" + strings.Repeat("x", 36), "ghp_…"},
		{"\x1b[31mred-and-long-enough", "…"},
		{"ab\ncdefghijklmnop", "ab…"},
		{"ünïcödé-secret-value", "ünïc…"},
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", "…"},
	}
	for _, tc := range tests {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestScanCancelled(t *testing.T) {
	r := newRepo(t)
	for i := range 50 {
		r.write(fmt.Sprintf("f%d.txt", i), "x\n")
	}
	r.commit("x", "A")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, sc := range []Scope{{}, {Kind: History}} {
		tg, err := Resolve(context.Background(), r.dir, sc)
		if err != nil {
			t.Fatal(err)
		}
		det, _ := LoadGitleaks(r.dir)
		if _, err := (&Scanner{Detector: det}).Scan(ctx, tg); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want context.Canceled", sc, err)
		}
	}
}

// TestUnusualFileNames: names git would quote (spaces, quotes, non-ASCII)
// come out as they are in every scope.
func TestUnusualFileNames(t *testing.T) {
	const name = `café dir/ключ "q" x.env`
	r := newRepo(t)
	r.write(name, "k="+leakstest.AWSKey(t)+"\n")
	r.git("add", "-A")
	for _, sc := range []Scope{{Kind: Staged}, {}} {
		if got := where(awsFindings(scan(t, r.dir, sc))); !slices.Equal(got, []string{name + ":1 aws-access-token"}) {
			t.Errorf("%s: %v", sc, got)
		}
	}
	r.commit("x", "A")
	if got := where(awsFindings(scan(t, r.dir, Scope{Kind: History}))); !slices.Equal(got, []string{name + ":1 aws-access-token"}) {
		t.Errorf("history: %v", got)
	}
}
