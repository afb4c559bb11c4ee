package leaks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	_ "unsafe" // for go:linkname, see extendDepth

	toml "github.com/pelletier/go-toml/v2"
	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	glconfig "github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/secretgate/secretgate/internal/safefile"
)

// ConfigFile is the gitleaks configuration read from the scan root, as the
// gitleaks CLI reads it from its source directory.
const ConfigFile = ".gitleaks.toml"

// maxDecodeDepth is the gitleaks CLI's default --max-decode-depth: matches
// inside base64, hex and percent-encoded text are found up to five
// encodings deep.
const maxDecodeDepth = 5

// Gitleaks is the Detector backed by the gitleaks v8 engine: its default
// rules, or the repository's .gitleaks.toml (which may extend them).
type Gitleaks struct {
	// det is built on first use for the default rules (detOnce): a staged
	// scan builds a smaller detector instead (Narrow).
	detOnce sync.Once
	det     *detect.Detector
	detErr  error
	// ConfigPath is the .gitleaks.toml in use; empty for the default rules.
	ConfigPath string

	idOnce sync.Once
	id     string

	// plain is det without decoding (MaxDecodeDepth 0) and without the
	// rules fast runs: it runs the other rules on the first pass. fast
	// runs the rules matched from their literals (fastrules.go) and the
	// decoding passes; nil when no rule qualifies (det then runs every
	// fragment gitleaks' decoder finds something in, mayDecode).
	plainOnce sync.Once
	plain     *detect.Detector
	fast      *fastEngine

	// allow are the global allowlists for SkipPath, read from the
	// default configuration without its rules so that a walk of a tree
	// the cache knows compiles no rule (allowOnce); paths remembers their
	// verdicts, shared with fast.
	allowOnce sync.Once
	allow     []*glconfig.Allowlist
	paths     pathMemo
}

var (
	_ Detector          = (*Gitleaks)(nil)
	_ pathSkipper       = (*Gitleaks)(nil)
	_ rulesetIdentifier = (*Gitleaks)(nil)
)

// RulesetID implements rulesetIdentifier: a hash of the rules and
// allowlists in effect and of the engine's version.
func (g *Gitleaks) RulesetID() string {
	g.idOnce.Do(g.identify)
	return g.id
}

func (g *Gitleaks) identify() {
	if g.ConfigPath == "" {
		// The default rules are gitleaks' embedded configuration: hashing
		// its text spares compiling it when everything is cached.
		g.id = defaultRulesetID()
		return
	}
	g.id = rulesetID(&g.detector().Config)
}

// ConfigError is a .gitleaks.toml that cannot be used. Line is 0 when the
// problem is not tied to a line (an invalid regular expression, a rule
// without an id).
type ConfigError struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (e *ConfigError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// extendDepth is gitleaks' package-level count of configuration files
// extended so far. gitleaks never resets it: in a process that loads a
// second configuration with [extend], the default rules would not be
// merged in and rule validation would be skipped. Loading is serialised by
// loadMu and the counter reset before each load. If a gitleaks upgrade
// renames the variable, the build fails at link time instead of loading
// configurations wrongly.
//
//go:linkname extendDepth github.com/zricethezav/gitleaks/v8/config.extendDepth
var extendDepth int

var (
	// loadMu serialises configuration loading: gitleaks' [extend]
	// handling goes through viper's global instance and extendDepth.
	loadMu sync.Mutex

	defaultOnce sync.Once
	defaultDet  *detect.Detector
	defaultErr  error
)

// silenceGitleaks turns gitleaks' own logger off. At trace and debug level
// it logs raw secrets ("finding": …); at other levels it would write to
// secretgate's standard error behind the reporters' backs.
var silenceGitleaks = sync.OnceFunc(func() { logging.Logger = zerolog.Nop() })

// LoadGitleaks returns the gitleaks detector for a scan of root: with the
// rules of root/.gitleaks.toml when that file exists, else gitleaks'
// default rules. A configuration that cannot be used is a *ConfigError.
func LoadGitleaks(root string) (*Gitleaks, error) {
	silenceGitleaks()
	path := filepath.Join(root, ConfigFile)
	data, err := safefile.Read(context.Background(), root, path, safefile.MaxGitleaks)
	if errors.Is(err, os.ErrNotExist) {
		// The default rules are compiled when first needed, and only in
		// part for a staged scan (Narrow).
		return &Gitleaks{}, nil
	}
	if err != nil {
		return nil, &ConfigError{File: path, Msg: fileProblem(err)}
	}
	cfg, err := parseConfig(path, root, data)
	if err != nil {
		return nil, err
	}
	g := &Gitleaks{ConfigPath: path}
	g.detOnce.Do(func() { g.det = newDetector(cfg) })
	return g, nil
}

// detector returns the gitleaks detector, building the default one on
// first use.
func (g *Gitleaks) detector() *detect.Detector {
	g.detOnce.Do(func() { g.det, g.detErr = defaultDetector() })
	if g.detErr != nil {
		// The embedded default configuration is part of the build; a
		// failure to load it is a bug, caught by every test.
		panic(g.detErr)
	}
	return g.det
}

// defaultDetector builds the detector of gitleaks' default rules once per
// process: compiling some two hundred regular expressions is the largest
// part of its start-up time.
func defaultDetector() (*detect.Detector, error) {
	defaultOnce.Do(func() {
		vc, err := defaultViperConfig()
		if err != nil {
			defaultErr = err
			return
		}
		cfg, err := translate("gitleaks default configuration", vc)
		if err != nil {
			defaultErr = fmt.Errorf("load the default gitleaks rules: %w", err)
			return
		}
		defaultDet = newDetector(cfg)
	})
	return defaultDet, defaultErr
}

// defaultViperConfig is gitleaks' default configuration, parsed but not
// compiled. It is embedded in gitleaks and known to be valid, so the
// checks parseConfig makes for a user's file are left out, and it is
// decoded with go-toml directly rather than through viper (several times
// faster; TestDefaultConfigDecodedAsViperDoes pins the result to viper's).
var defaultViperConfig = sync.OnceValues(func() (*glconfig.ViperConfig, error) {
	var vc glconfig.ViperConfig
	if err := toml.Unmarshal([]byte(glconfig.DefaultConfig), &vc); err != nil {
		return nil, fmt.Errorf("load the default gitleaks rules: %w", err)
	}
	return &vc, nil
})

// viperDecode decodes a gitleaks configuration the way gitleaks' CLI does.
func viperDecode(data []byte) (*glconfig.ViperConfig, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, err
	}
	var vc glconfig.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return nil, err
	}
	return &vc, nil
}

func newDetector(cfg glconfig.Config) *detect.Detector {
	d := detect.NewDetector(cfg)
	d.MaxDecodeDepth = maxDecodeDepth
	return d
}

// parseConfig turns a gitleaks TOML configuration into a config.Config the
// way the gitleaks CLI does, but with errors instead of panics and exits.
// A relative [extend] path is taken relative to root (the CLI takes it
// relative to its working directory, which is usually the same).
func parseConfig(path, root string, data []byte) (cfg glconfig.Config, err error) {
	// A syntax check first, for the line and column viper does not give.
	var syntax map[string]any
	if err := toml.Unmarshal(data, &syntax); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return cfg, &ConfigError{File: path, Line: line, Col: col, Msg: "invalid TOML: " + de.Error()}
		}
		return cfg, &ConfigError{File: path, Msg: "invalid TOML: " + err.Error()}
	}

	vc, err := viperDecode(data)
	if err != nil {
		return cfg, &ConfigError{File: path, Msg: err.Error()}
	}
	if err := checkRegexes(vc); err != nil {
		return cfg, &ConfigError{File: path, Msg: err.Error()}
	}
	if p := vc.Extend.Path; p != "" && !filepath.IsAbs(p) && root != "" {
		vc.Extend.Path = filepath.Join(root, p)
	}
	if err := checkExtend(vc.Extend.Path, root); err != nil {
		return cfg, &ConfigError{File: path, Msg: err.Error()}
	}
	pinned, cleanup, err := pinNestedExtend(vc.Extend.Path, root)
	if err != nil {
		return cfg, &ConfigError{File: path, Msg: err.Error()}
	}
	defer cleanup()
	if pinned != "" {
		vc.Extend.Path = pinned
	}

	return translate(path, vc)
}

// pinNestedExtend handles an [extend] file that itself extends another
// (gitleaks follows two levels). gitleaks would resolve that second path
// against the working directory, so that a pull request's checkout could
// supply it while the first came from the base (internal/judge): a
// relative path is taken relative to root, as the first level is, and
// checked the same way. The result is a copy of the first file naming
// the second by its absolute path ("" when there is nothing to pin);
// cleanup removes it once gitleaks has read it.
func pinNestedExtend(p, root string) (pinned string, cleanup func(), err error) {
	cleanup = func() {}
	if p == "" {
		return "", cleanup, nil
	}
	data, err := safefile.Read(context.Background(), "", p, safefile.MaxGitleaks)
	if err != nil {
		return "", cleanup, nil //nolint:nilerr // checkExtend or gitleaks says what is wrong
	}
	var doc map[string]any
	if toml.Unmarshal(data, &doc) != nil {
		return "", cleanup, nil //nolint:nilerr // gitleaks reports the syntax error
	}
	ext, _ := doc["extend"].(map[string]any)
	next, _ := ext["path"].(string)
	if next == "" {
		return "", cleanup, nil
	}
	if !filepath.IsAbs(next) && root != "" {
		next = filepath.Join(root, next)
	}
	if err := checkExtend(next, root); err != nil {
		return "", cleanup, fmt.Errorf("[extend] file %s: %w", p, err)
	}
	ext["path"] = next
	out, err := toml.Marshal(doc)
	if err != nil {
		return "", cleanup, fmt.Errorf("[extend] file %s: %w", p, err)
	}
	f, err := os.CreateTemp("", "secretgate-gitleaks-*.toml")
	if err != nil {
		return "", cleanup, err
	}
	cleanup = func() { _ = os.Remove(f.Name()) }
	if _, err := f.Write(out); err != nil {
		f.Close()
		return "", cleanup, err
	}
	if err := f.Close(); err != nil {
		return "", cleanup, err
	}
	return f.Name(), cleanup, nil
}

// checkExtend checks the file an [extend] path names before gitleaks reads
// it: a regular file within safefile.MaxGitleaks bytes and, when the path
// is relative, inside root (an absolute path is the configuration's
// explicit choice, but still no device, FIFO or /proc file).
func checkExtend(p, root string) error {
	if p == "" {
		return nil
	}
	within := ""
	if rel, err := filepath.Rel(root, p); err == nil && root != "" && filepath.IsLocal(rel) {
		within = root
	}
	f, info, err := safefile.Open(within, p)
	if errors.Is(err, os.ErrNotExist) {
		return nil // gitleaks says it is missing, as before
	}
	if err != nil {
		return fmt.Errorf("[extend] path: %s", fileProblem(err))
	}
	defer f.Close()
	if info.Size() > safefile.MaxGitleaks {
		return fmt.Errorf("[extend] path %s: file is %s, over the %s limit", p, safefile.HumanBytes(info.Size()), safefile.HumanBytes(safefile.MaxGitleaks))
	}
	return nil
}

// fileProblem is what a refused or unreadable file's error says, without
// the path the *ConfigError already names.
func fileProblem(err error) string {
	var se *safefile.Error
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

// translate compiles a parsed configuration, as gitleaks' CLI does.
func translate(path string, vc *glconfig.ViperConfig) (cfg glconfig.Config, err error) {
	loadMu.Lock()
	defer loadMu.Unlock()
	extendDepth = 0
	defer func() {
		// gitleaks compiles the regular expressions of extended files
		// with MustCompile; a bad one there panics.
		if r := recover(); r != nil {
			err = &ConfigError{File: path, Msg: fmt.Sprint(r)}
		}
	}()
	// Translate changes what it translates (it moves the deprecated
	// [allowlist] into [[allowlists]]): the default configuration is
	// translated more than once, so it gets a copy.
	// Translate also lower-cases each rule's keywords in place, in the
	// arrays the copies share: each rule gets its own, so that a
	// translation never writes what another goroutine reads (Narrow reads
	// the default configuration's keywords while another scan translates).
	c := *vc
	c.Rules = slices.Clone(vc.Rules)
	for i := range c.Rules {
		c.Rules[i].Keywords = slices.Clone(c.Rules[i].Keywords)
	}
	c.Allowlists = slices.Clone(vc.Allowlists)
	cfg, err = c.Translate()
	if err != nil {
		return cfg, &ConfigError{File: path, Msg: err.Error()}
	}
	// The configuration file itself is never scanned (gitleaks skips the
	// fragment whose path equals Config.Path).
	cfg.Path = ConfigFile
	return cfg, nil
}

// checkRegexes compiles every regular expression of a configuration so that
// a bad one is reported with its rule instead of panicking in gitleaks'
// MustCompile.
func checkRegexes(vc *glconfig.ViperConfig) error {
	check := func(where, re string) error {
		if re == "" {
			return nil
		}
		if _, err := regexp.Compile(re); err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		return nil
	}
	for i, r := range vc.Rules {
		name := fmt.Sprintf("rule %q", r.ID)
		if r.ID == "" {
			name = fmt.Sprintf("rule #%d", i+1)
		}
		if err := check(name+" regex", r.Regex); err != nil {
			return err
		}
		if err := check(name+" path", r.Path); err != nil {
			return err
		}
		lists := r.Allowlists
		if r.AllowList != nil {
			lists = append(lists, r.AllowList)
		}
		for _, a := range lists {
			for _, re := range append(append([]string(nil), a.Regexes...), a.Paths...) {
				if err := check(name+" allowlist", re); err != nil {
					return err
				}
			}
		}
	}
	globals := vc.Allowlists
	if vc.AllowList != nil {
		globals = append(globals, vc.AllowList)
	}
	for _, a := range globals {
		for _, re := range append(append([]string(nil), a.Regexes...), a.Paths...) {
			if err := check("allowlist", re); err != nil {
				return err
			}
		}
	}
	return nil
}

// Detect implements Detector with gitleaks' rules, allowlists, entropy
// checks, decoding of encoded text and the inline gitleaks:allow marker.
func (g *Gitleaks) Detect(ctx context.Context, f Fragment) []Match {
	frag := detect.Fragment{
		Raw:       f.Text,
		FilePath:  f.Path,
		StartLine: f.StartLine,
	}
	if f.Commit != nil {
		frag.CommitSHA = f.Commit.SHA
	}
	var found []report.Finding
	det := g.detector()
	plain, fast := g.plainDetector()
	var first decoding // with the fast engine, decoded once here
	var decode bool
	if det.MaxDecodeDepth > 0 {
		if fast != nil && fast.decodes {
			first = firstDecoding(f.Text)
			decode = len(first.segments) > 0
		} else {
			decode = mayDecode(f.Text)
		}
	}
	switch {
	case fast == nil && !decode:
		found = plain.DetectContext(ctx, frag)
	case fast == nil || (decode && !fast.decodes):
		found = det.DetectContext(ctx, frag)
	default:
		// The first pass: the fast rules, and gitleaks' detector
		// without decoding for the others when it may find something;
		// then the decoding passes when something decodes. gitleaks'
		// filter over the findings of the rules left to it, then over
		// all, is its filter over all (it only drops generic findings
		// that another finding holds).
		fastFound, rest := fast.detect(frag.FilePath, frag.CommitSHA, frag.Raw, frag.StartLine)
		if rest {
			found = plain.DetectContext(ctx, frag)
		}
		found = append(found, fastFound...)
		if decode {
			found = append(found, fast.detectDecoded(ctx, frag.FilePath, frag.CommitSHA, frag.Raw, frag.StartLine, det.MaxDecodeDepth, first)...)
		}
		if ctx.Err() == nil {
			found = genericFilter(found)
		}
	}
	if len(found) == 0 {
		return nil
	}
	out := make([]Match, 0, len(found))
	for _, gf := range found {
		out = append(out, Match{
			RuleID:      gf.RuleID,
			Description: gf.Description,
			Line:        gf.StartLine,
			Column:      gf.StartColumn,
			Entropy:     float64(gf.Entropy),
			raw:         newMatchText(gf.Secret, pathRuleMatch(gf.Match, gf.Secret)),
		})
	}
	return out
}

// plainDetector returns the detector of the same rules that does not
// decode, and the engine of the rules it leaves out.
func (g *Gitleaks) plainDetector() (*detect.Detector, *fastEngine) {
	g.plainOnce.Do(func() {
		var rest glconfig.Config
		g.fast, rest = newFastEngine(g.detector().Config)
		if g.fast != nil {
			g.fast.paths = &g.paths
		}
		if g.fast != nil {
			// Detect calls it only on fragments no global allowlist
			// allows (the fast engine's memoized verdict).
			rest = findingAllowlistsOnly(rest)
		}
		g.plain = detect.NewDetector(rest)
		g.plain.MaxDecodeDepth = 0
	})
	return g.plain, g.fast
}

// findingAllowlistsOnly returns cfg with its global allowlists reduced to
// what gitleaks checks of each finding, for a detector called only on
// fragments that no global allowlist allows (fastEngine.detect returns
// rest false for the others, its path verdicts memoized per path): the
// check gitleaks makes of every fragment first — every path expression
// of every allowlist, on every file of a tree and of every commit — could
// only say no. Of an OR allowlist (gitleaks' default) a finding is checked
// against its expressions and stop words alone; an AND allowlist checks
// the path again with them, so with one cfg is returned as it is, as it
// is when a reduced allowlist does not validate.
func findingAllowlistsOnly(cfg glconfig.Config) glconfig.Config {
	lists := make([]*glconfig.Allowlist, 0, len(cfg.Allowlists))
	for _, a := range cfg.Allowlists {
		if a.MatchCondition != glconfig.AllowlistMatchOr {
			return cfg
		}
		if len(a.Regexes) == 0 && len(a.StopWords) == 0 {
			continue // allows by commit or path only
		}
		reduced := &glconfig.Allowlist{Description: a.Description, MatchCondition: a.MatchCondition,
			RegexTarget: a.RegexTarget, Regexes: a.Regexes, StopWords: a.StopWords}
		if err := reduced.Validate(); err != nil {
			return cfg
		}
		lists = append(lists, reduced)
	}
	cfg.Allowlists = lists
	return cfg
}

// pathRuleMatch drops gitleaks' "file detected: <path>" pseudo-match of
// rules that match on the path alone: it is no secret.
func pathRuleMatch(match, secret string) string {
	if secret == "" {
		return ""
	}
	return match
}

// SkipPath reports whether gitleaks' global allowlists exclude a path, as
// gitleaks' directory walk checks before reading a file (or entering a
// directory).
func (g *Gitleaks) SkipPath(path string) bool {
	for i, a := range g.globalAllowlists() {
		if g.paths.allowed(i, a, path) {
			return true
		}
	}
	return false
}

// globalAllowlists are the configuration's global allowlists. For the
// default rules they come from the configuration translated without its
// rules, which compiles none (the same allowlists, in the same order).
func (g *Gitleaks) globalAllowlists() []*glconfig.Allowlist {
	if g.ConfigPath != "" {
		return g.detector().Config.Allowlists
	}
	g.allowOnce.Do(func() {
		vc, err := defaultViperConfig()
		if err == nil {
			sub := *vc
			sub.Rules = nil
			var cfg glconfig.Config
			if cfg, err = translate("gitleaks default configuration", &sub); err == nil {
				g.allow = cfg.Allowlists
			}
		}
		if err != nil {
			g.allow = g.detector().Config.Allowlists
		}
	})
	return g.allow
}

// Rules is the number of rules in effect.
func (g *Gitleaks) Rules() int { return len(g.detector().Config.Rules) }
