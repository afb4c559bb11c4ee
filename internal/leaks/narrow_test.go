package leaks

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
	glconfig "github.com/zricethezav/gitleaks/v8/config"
)

// matchList is a detector's findings in a comparable form (rule, place
// and a hash-free view: the secret's length).
func matchList(ms []Match) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s:%d:%d:%d", m.RuleID, m.Line, m.Column, len(m.text().secret)))
	}
	sort.Strings(out)
	return out
}

// A narrowed detector finds what the full one finds, in the texts it was
// narrowed for: gitleaks' own test files (full of fake secrets of every
// kind), this package's sources, and secrets only visible after decoding.
func TestNarrowFindsTheSame(t *testing.T) {
	g, err := LoadGitleaks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key := leakstest.AWSKey(t)
	encoded := base64.StdEncoding.EncodeToString([]byte("aws_access_key_id=" + key))
	// Whole fragments of the corpus, not its single lines: each text
	// compiles a detector.
	var corpus []string
	for _, text := range decoderCorpus(t) {
		if len(text) > 2000 || strings.Contains(text, "=") {
			corpus = append(corpus, text)
		}
	}
	if stride := len(corpus) / 200; stride > 1 {
		sample := corpus[:0]
		for i := 0; i < len(corpus); i += stride {
			sample = append(sample, corpus[i])
		}
		corpus = sample
	}
	corpus = append(corpus,
		"config = \""+encoded+"\"\n",
		"x = \""+base64.StdEncoding.EncodeToString([]byte(encoded))+"\"\n", // twice encoded
		pemBlock("RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA"+fmt.Sprintf("%0300d", 7)),
	)
	ctx := context.Background()
	fewer := 0
	for i, text := range corpus {
		n := g.Narrow([]string{text})
		if n.(*Gitleaks).Rules() < g.Rules() {
			fewer++
		}
		f := Fragment{Path: "src/config.txt", Text: text, StartLine: 1}
		want, got := matchList(g.Detect(ctx, f)), matchList(n.Detect(ctx, f))
		if !slices.Equal(got, want) {
			t.Errorf("text %d (%d bytes): narrowed %v, full %v", i, len(text), got, want)
		}
	}
	if fewer < len(corpus)/2 {
		t.Errorf("narrowing left out rules for only %d of %d texts", fewer, len(corpus))
	}
	// The encoded key is found through decoding, by both.
	f := Fragment{Path: "a.txt", Text: "config = \"" + encoded + "\"\n", StartLine: 1}
	if got := matchList(g.Narrow([]string{f.Text}).Detect(ctx, f)); len(got) == 0 {
		t.Errorf("the base64-encoded key was not found")
	}
}

// pemBlock assembles a PEM block at run time (no key-shaped literal lives
// in secretgate's source).
func pemBlock(kind, body string) string {
	dashes := strings.Repeat("-", 5)
	return dashes + "BEGIN " + kind + dashes + "\n" + body + "\n" + dashes + "END " + kind + dashes + "\n"
}

// hideNarrow hides a detector's Narrow method.
type hideNarrow struct{ Detector }

func TestStagedScanNarrowedSameFindings(t *testing.T) {
	r := newRepo(t)
	r.write("README.md", "hello\n")
	r.commit("init", "A")
	key := leakstest.AWSKey(t)
	r.write("config/prod/app.env", "aws_access_key_id="+key+"\n")
	r.write("enc.txt", "v = \""+base64.StdEncoding.EncodeToString([]byte("aws_secret="+key))+"\"\n")
	r.write("src/main.go", "package main\n\nconst token = \"ghp_"+fmt.Sprintf("%036d", 42)+"\"\n")
	r.git("add", "-A")
	narrowed := scan(t, r.dir, Scope{Kind: Staged})
	full, err := scanErr(t, r.dir, Scope{Kind: Staged}, func(s *Scanner) { s.Detector = hideNarrow{s.Detector} })
	if err != nil {
		t.Fatal(err)
	}
	if got, want := where(narrowed.Findings), where(full.Findings); !slices.Equal(got, want) || len(got) < 2 {
		t.Errorf("staged findings %v, without narrowing %v", got, want)
	}
}

// The default configuration is decoded with go-toml, not viper: the result
// must be what the gitleaks CLI's viper decoding gives.
func TestDefaultConfigDecodedAsViperDoes(t *testing.T) {
	fast, err := defaultViperConfig()
	if err != nil {
		t.Fatal(err)
	}
	viaViper, err := viperDecode([]byte(glconfig.DefaultConfig))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast, viaViper) {
		t.Fatalf("go-toml and viper decode the default configuration differently")
	}
	if len(fast.Rules) < 200 {
		t.Fatalf("%d rules", len(fast.Rules))
	}
}

// A narrowed detector keeps generic-api-key's stop words (searched for one
// by one instead of through a trie, see deferStopwords): a value holding
// one is allowed by both detectors, the same value without it is found by
// both; above maxDeferStopwordsText the trie is built as gitleaks builds it.
func TestNarrowKeepsStopwords(t *testing.T) {
	g, err := LoadGitleaks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const value = "Zq8xR2mN7vL4pK9sQw3r"
	padding := strings.Repeat("// filler line without anything to find\n", maxDeferStopwordsText/40+1)
	for _, tt := range []struct {
		name, text string
		want       int
	}{
		{"a stop word allows it", `api_key = "about` + value + `"` + "\n", 0},
		{"a stop word in capitals allows it", `api_key = "ABOUT` + value + `"` + "\n", 0},
		{"without a stop word it is found", `api_key = "` + value + `"` + "\n", 1},
		{"a large text: stop words through the trie", `api_key = "about` + value + `"` + "\n" + padding, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := Fragment{Path: "src/app.py", Text: tt.text, StartLine: 1}
			full, narrowed := matchList(g.Detect(ctx, f)), matchList(g.Narrow([]string{tt.text}).Detect(ctx, f))
			if !slices.Equal(narrowed, full) {
				t.Fatalf("narrowed %v, full %v", narrowed, full)
			}
			if len(full) != tt.want {
				t.Errorf("findings %v, want %d", full, tt.want)
			}
		})
	}
	// The default configuration shared by every detector keeps its stop
	// words whatever Narrow did with its copy.
	vc, err := defaultViperConfig()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range vc.Rules {
		if r.ID != "generic-api-key" {
			continue
		}
		n := 0
		for _, a := range r.Allowlists {
			n += len(a.StopWords)
		}
		if n < 1000 {
			t.Errorf("the default configuration's generic-api-key has %d stop words left", n)
		}
	}
}
