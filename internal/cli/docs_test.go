package cli

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docFiles are the documents whose secretgate examples must parse.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{filepath.Join("..", "..", "README.md")}
	err := filepath.WalkDir(filepath.Join("..", "..", "docs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var (
	fence = regexp.MustCompile("(?s)```[a-z]*\n(.*?)```")
	// continuation is a backslash line end and the next line's indent.
	continuation = regexp.MustCompile(`\\\n\s*`)
	span         = regexp.MustCompile("`((?:\\./)?(?:bin/)?secretgate [^`\n]+)`")
)

// docExamples returns the secretgate command lines in the fenced code
// blocks of a Markdown text, continuation lines joined. Synopsis lines
// (with [optional] parts or a|b choices) are not examples.
func docExamples(md string) []docExample {
	var out []docExample
	for _, m := range fence.FindAllStringSubmatch(md, -1) {
		block := continuation.ReplaceAllString(m[1], " ")
		for _, line := range strings.Split(block, "\n") {
			line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "$ "))
			for _, p := range []string{"./bin/", "bin/", "run: "} {
				line = strings.TrimPrefix(line, p)
			}
			if ex, ok := example(line); ok {
				out = append(out, docExample{line: ex})
			}
		}
	}
	for _, m := range span.FindAllStringSubmatch(fence.ReplaceAllString(md, ""), -1) {
		line := strings.TrimPrefix(strings.TrimPrefix(m[1], "./"), "bin/")
		if ex, ok := example(line); ok {
			out = append(out, docExample{line: ex, inline: true})
		}
	}
	return out
}

// docExample is a command line of the docs; an inline one may name a
// flag without its value ("`secretgate inventory --out`").
type docExample struct {
	line   string
	inline bool
}

// example is line as a command to check, without a trailing note set
// off by three spaces; not one when it is no secretgate command, is a
// synopsis, or is the hook's output ("secretgate (leaked keys…)…Failed").
func example(line string) (string, bool) {
	if i := strings.Index(line, "   "); i >= 0 {
		line = line[:i]
	}
	switch {
	case !strings.HasPrefix(line, "secretgate "),
		strings.HasPrefix(line, "secretgate ("),
		strings.ContainsAny(line, "[…"),
		strings.Contains(line, "|") && !strings.Contains(line, " | "):
		return "", false
	}
	return line, true
}

// shellWords splits a command line as a shell would for these examples:
// quotes, and the end of the command at a pipe, redirection, ; && || or #.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.ContainsRune("|>;&#", r) && !inWord:
			return words
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestDocExamplesParse: every secretgate command in the README and docs
// names a command and flags that exist, with values the flags accept. A
// renamed flag fails here, not in a user's pipeline.
func TestDocExamplesParse(t *testing.T) {
	seen := 0
	for _, file := range docFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docExamples(string(data)) {
			seen++
			if err := checkExample(d); err != nil {
				t.Errorf("%s: %q: %v", file, d.line, err)
			}
		}
	}
	if seen < 10 {
		t.Errorf("found %d examples; the extraction is broken", seen)
	}
}

// checkExample parses an example's command and flags as secretgate would.
func checkExample(d docExample) error {
	args := shellWords(d.line)[1:]
	root := newRoot(io.Discard, io.Discard, envOf(nil))
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	err = cmd.ParseFlags(rest)
	if d.inline && err != nil && strings.HasPrefix(err.Error(), "flag needs an argument") {
		return nil // a flag named in the text, not a command to run
	}
	return err
}

// TestDocExampleChecks: the extraction finds block and inline examples
// and leaves synopses out; a misspelt flag or command fails.
func TestDocExampleChecks(t *testing.T) {
	md := "Run `secretgate check --ofline` or:\n\n```sh\nsecretgate check [--path DIR]\n$ bin/secretgate check \\\n  --format json\nsecretgate chek\n```\n"
	got := docExamples(md)
	want := []docExample{{line: "secretgate check   --format json"}, {line: "secretgate chek"}, {line: "secretgate check --ofline", inline: true}}
	if len(got) != len(want) {
		t.Fatalf("examples %+v, want %+v", got, want)
	}
	for i := range want {
		if strings.Join(strings.Fields(got[i].line), " ") != strings.Join(strings.Fields(want[i].line), " ") || got[i].inline != want[i].inline {
			t.Errorf("example %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if err := checkExample(got[0]); err != nil {
		t.Errorf("a good example fails: %v", err)
	}
	for _, bad := range got[1:] {
		if checkExample(bad) == nil {
			t.Errorf("%q passes", bad.line)
		}
	}
}

func TestShellWords(t *testing.T) {
	got := shellWords(`secretgate check --path "my repo" --format json > out.json # note`)
	want := []string{"secretgate", "check", "--path", "my repo", "--format", "json"}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("got %q, want %q", got, want)
	}
}
