package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/gobwas/glob"
	"gopkg.in/yaml.v3"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safefile"
	"github.com/secretgate/secretgate/internal/snippet"
)

// Keys known at each level of the file. The schema test checks that
// docs/schema/secretgate.schema.json lists the same keys.
var (
	topKeys = []string{"version", "environments", "naming", "environment_from", "github",
		"credentials", "waivers", "policies", "cloudformation_parameters", "terraform_var_files", "fail_on", "judge_changes", "exclude", "max_file_size", "leaks_max_file_size", "aws"}
	environmentKeys     = []string{"max_rotation_days", "warn_days", "grace_hours", "require_rotation", "production", "aliases"}
	namingKeys          = []string{"pattern", "regex"}
	environmentFromKeys = []string{SourceTag, SourceNameSegment, "separator", SourceNameContains, SourcePathSegment}
	githubKeys          = []string{"organizations", "repositories", "audience", "issuers", "protected_environments"}
	credentialKeys      = []string{"secret", "fields", "type", "region", "previous_required"}
	waiverKeys          = []string{"rule", "resource", "reason", "owner", "expires"}
	awsKeys             = []string{"regions", "role_arn", "session_duration", "timeout", "concurrency", "max_attempts", "audience", "organization"}
)

// Value syntax shared with the JSON Schema (the schema test compares them).
var (
	environmentNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	organizationRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*(@[0-9]+)?$`)
	repositoryRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*(@[0-9]+)?/[A-Za-z0-9._-]+?(@[0-9]+)?$`)
	regionRE          = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	roleARNRE         = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$`)
	sizeRE            = regexp.MustCompile(`^([0-9]+) ?(B|kB|KB|KiB|MB|MiB|GB|GiB)?$`)
	fieldRE           = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

var sizeUnits = map[string]int64{
	"": 1, "B": 1,
	"kB": 1000, "KB": 1000, "KiB": 1 << 10,
	"MB": 1000 * 1000, "MiB": 1 << 20,
	"GB": 1000 * 1000 * 1000, "GiB": 1 << 30,
}

// Limits on AWS settings: STS accepts sessions of 15 minutes to 12 hours.
const (
	minSessionDuration = 15 * time.Minute
	maxSessionDuration = 12 * time.Hour
	maxConcurrency     = 64
	maxAttempts        = 20
)

// Load reads and validates the configuration file at path and applies
// defaults. The file must exist and be a regular file of at most
// safefile.MaxConfig bytes (a device, FIFO or /proc file is refused).
// Problems in the file come back as an *Error or, when there are several,
// as Errors (all of them, in file order).
func Load(path string) (*Config, error) { return LoadIn("", path) }

// LoadIn is Load for a configuration that must also lie inside root once
// symbolic links are resolved: the repository's own file. root "" is for a
// file the user named outside the repository (--config).
func LoadIn(root, path string) (*Config, error) { return LoadResolving(root, path, nil) }

// LoadResolving is LoadIn with the relative entries of `policies` resolved
// by policyDir instead of against the file's directory: a pull request's
// judge is a copy of the base's files (internal/judge), whose entries
// inside the repository name the copy and the others the real places.
// A nil policyDir resolves against the file's directory.
func LoadResolving(root, path string, policyDir func(entry string) string) (*Config, error) {
	// A regular file within the cap cannot block: no context needed.
	data, err := safefile.Read(context.Background(), root, path, safefile.MaxConfig)
	var se *safefile.Error
	if errors.As(err, &se) {
		return nil, se // "<path>: is a FIFO …; not read"
	}
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return parseWith(path, filepath.Dir(abs), data, policyDir)
}

// Find returns the configuration file to load: explicit (--config) when
// given, which must then exist; else .secretgate.yml (or .secretgate.yaml)
// in root when present — relative to the working directory when below it;
// else "" (use Default).
func Find(root, explicit string) (string, error) {
	if explicit != "" {
		info, err := os.Stat(explicit)
		if err != nil {
			return "", fmt.Errorf("--config %s: %w", explicit, err)
		}
		if info.IsDir() {
			return "", fmt.Errorf("--config %s: is a directory, want a file", explicit)
		}
		return explicit, nil
	}
	var found []string
	for _, name := range []string{FileName, ".secretgate.yaml"} {
		p := filepath.Join(root, name)
		// Lstat: a symbolic link, even one that leads nowhere or to a
		// device, is found, and Load says what is wrong with it.
		info, err := os.Lstat(p)
		switch {
		case err == nil && !info.IsDir():
			found = append(found, p)
		case err != nil && !errors.Is(err, os.ErrNotExist):
			return "", fmt.Errorf("find configuration: %w", err)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return shorten(found[0]), nil
	default:
		return "", fmt.Errorf("both %s and %s exist: keep one", found[0], found[1])
	}
}

// shorten makes p relative to the working directory when it lies below
// it, so that messages read ".secretgate.yml:3:1: …" and GitHub turns them
// into annotations (which want workspace-relative paths).
func shorten(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return p
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse decodes data, read from file; dir is the directory relative policy
// paths are resolved against.
func parse(file, dir string, data []byte) (*Config, error) {
	return parseWith(file, dir, data, nil)
}

// parseWith is parse with policyDir (see LoadResolving).
func parseWith(file, dir string, data []byte, policyDir func(string) string) (*Config, error) {
	c := Default()
	c.Path, c.RepoRoot = file, dir
	if !snippet.IsText(data) {
		// yaml.v3 would quote the offending character or line.
		return nil, &Error{File: file, Msg: "not a YAML text file (invalid UTF-8 or control characters); its contents are not shown"}
	}
	c, mapping, err := decode(c, &decoder{file: file, policyDir: policyDir}, dir, data)
	if err != nil && !mapping {
		return nil, redact(err, data)
	}
	return c, err
}

// redact redacts in each problem's message the words taken from the file
// that could be secrets (snippet.Redact). It is for a file that is not a
// YAML mapping — a syntax error, or a credentials file of KEY=value lines
// that YAML reads as one string — whose messages would quote it. A
// mapping's messages quote its values as they are, to be fixed.
func redact(err error, data []byte) error {
	var es Errors
	var e *Error
	switch {
	case errors.As(err, &es):
		for _, e := range es {
			e.Msg = snippet.Redact(e.Msg, data)
		}
	case errors.As(err, &e):
		e.Msg = snippet.Redact(e.Msg, data)
	}
	return err
}

// decode decodes data into c, which holds the defaults; mapping says
// whether the file is one YAML document holding a mapping.
func decode(c *Config, d *decoder, dir string, data []byte) (_ *Config, mapping bool, _ error) {
	file := d.file

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return c, true, nil // empty file (or only comments): defaults
	case err != nil:
		return nil, false, syntaxError(file, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		d.errorf(&extra, "only one YAML document is allowed; remove the second ---")
	case !errors.Is(err, io.EOF):
		return nil, false, syntaxError(file, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	mapping = deref(root) != nil && deref(root).Kind == yaml.MappingNode
	if top := d.mapping(root, "", topKeys); top != nil {
		d.config(c, top, dir)
	}
	if err := dedupe(d.errs).Err(); err != nil {
		return nil, mapping, err
	}
	return c, mapping, nil
}

// syntaxError turns yaml.v3's "yaml: line N: msg" into an *Error.
func syntaxError(file string, err error) error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Msg: "YAML syntax: " + m[2]}
	}
	return &Error{File: file, Msg: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// dedupe drops repeated problems: a faulty anchor merged in several places
// is one problem.
func dedupe(es Errors) Errors {
	seen := map[string]bool{}
	var out Errors
	for _, e := range es {
		if k := e.Error(); !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

func (d *decoder) config(c *Config, top *fields, dir string) {
	if n := top.get("version"); n != nil {
		if v, ok := d.integer(n, "version", math.MinInt32, math.MaxInt32); ok && v != 1 {
			d.errorf(deref(n), "version: %d is not supported; this secretgate reads version 1", v)
		}
	}
	if top.has("environments") {
		if envs := d.environments(top.get("environments")); envs != nil {
			c.Environments = envs
		}
	}
	d.naming(c, top.get("naming"))
	if top.has("environment_from") {
		c.EnvironmentFrom = d.environmentFrom(top.get("environment_from"))
	}
	d.github(&c.GitHub, top.get("github"))
	d.aws(&c.AWS, top.get("aws"), c.GitHub.Audience)
	c.Credentials = d.credentials(c, top.get("credentials"))
	c.Waivers = d.waivers(top.get("waivers"))
	c.Policies = d.policies(top.get("policies"), dir)
	c.CloudFormationParameters = d.parametersFile(top.get("cloudformation_parameters"), dir)
	c.TerraformVarFiles = d.varFiles(top.get("terraform_var_files"), dir)
	if n := top.get("fail_on"); n != nil {
		if s, ok := d.str(n, "fail_on"); ok {
			t, err := result.ParseThreshold(s)
			if err != nil || s != strings.ToLower(s) {
				d.errorf(deref(n), "fail_on: %q is not a level; want critical, high, medium, low, info or never", s)
			} else {
				c.FailOn = t
			}
		}
	}
	if n := top.get("judge_changes"); n != nil {
		if s, ok := d.str(n, "judge_changes"); ok {
			sev, err := result.ParseSeverity(s)
			if err != nil || s != strings.ToLower(s) {
				d.errorf(deref(n), "judge_changes: %q is not a severity; want critical, high, medium, low or info", s)
			} else {
				c.JudgeChanges = sev
			}
		}
	}
	c.Exclude, _ = d.stringList(top.get("exclude"), "exclude", func(n *yaml.Node, p, s string) bool {
		if !doublestar.ValidatePattern(s) {
			d.errorf(n, "%s: %q is not a valid glob", p, s)
			return false
		}
		return true
	})
	if n := top.get("max_file_size"); n != nil {
		if size, ok := d.size(n, "max_file_size"); ok {
			c.MaxFileSize = size
		}
	}
	if n := top.get("leaks_max_file_size"); n != nil {
		if size, ok := d.size(n, "leaks_max_file_size"); ok {
			c.LeaksMaxFileSize = size
		}
	}
}

func (d *decoder) environments(n *yaml.Node) []Environment {
	m := d.mapping(n, "environments", nil)
	if m == nil {
		return nil
	}
	if len(m.order) == 0 {
		d.errorf(m.node, "environments: name at least one environment (leave the key out for the defaults prod, staging and dev)")
		return nil
	}
	var envs []Environment
	owner := map[string]string{} // name or alias -> environment
	claim := func(n *yaml.Node, token, env string) bool {
		if prev, ok := owner[token]; ok {
			d.errorf(n, "environments: %q is already used by environment %q", token, prev)
			return false
		}
		owner[token] = env
		return true
	}
	for _, name := range m.order {
		k := m.keys[name]
		path := child("environments", name)
		if !environmentNameRE.MatchString(name) {
			d.errorf(k, "%s: environment names are lower-case letters, digits, - and _ (e.g. prod)", path)
			continue
		}
		claim(k, name, name)
		e := Environment{
			Name:       name,
			WarnDays:   DefaultWarnDays,
			GraceHours: DefaultGraceHours,
			Production: name == "prod" || name == "production",
		}
		f := d.mapping(m.vals[name], path, environmentKeys)
		if f == nil {
			continue
		}
		if v := f.get("max_rotation_days"); v != nil {
			e.MaxRotationDays, _ = d.integer(v, child(path, "max_rotation_days"), 0, math.MaxInt)
		}
		if v := f.get("warn_days"); v != nil {
			e.WarnDays, _ = d.integer(v, child(path, "warn_days"), 0, math.MaxInt)
		}
		if v := f.get("grace_hours"); v != nil {
			e.GraceHours, _ = d.integer(v, child(path, "grace_hours"), 0, math.MaxInt)
		}
		if v := f.get("require_rotation"); v != nil {
			e.RequireRotation, _ = d.boolean(v, child(path, "require_rotation"))
		}
		if v := f.get("production"); v != nil {
			e.Production, _ = d.boolean(v, child(path, "production"))
		}
		_, nodes := d.stringList(f.get("aliases"), child(path, "aliases"), func(n *yaml.Node, p, s string) bool {
			if !environmentNameRE.MatchString(s) {
				d.errorf(n, "%s: %q: aliases are lower-case letters, digits, - and _", p, s)
				return false
			}
			return true
		})
		for _, an := range nodes {
			if claim(an, an.Value, name) {
				e.Aliases = append(e.Aliases, an.Value)
			}
		}
		envs = append(envs, e)
	}
	return envs
}

func (d *decoder) naming(c *Config, n *yaml.Node) {
	f := d.mapping(n, "naming", namingKeys)
	if f == nil {
		return
	}
	pattern := DefaultPattern
	if v := f.get("pattern"); v != nil {
		s, ok := d.nonEmpty(v, "naming.pattern")
		if !ok {
			return
		}
		pattern = s
	}
	if v := f.get("regex"); v != nil {
		re, ok := d.nonEmpty(v, "naming.regex")
		if !ok {
			return
		}
		if _, err := regexp.Compile(re); err != nil {
			d.errorf(deref(v), "naming.regex: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			return
		}
		c.Naming = Naming{Pattern: re, Regex: anchor(re)}
		if f.has("pattern") {
			c.Naming.Pattern = pattern
		}
		return
	}
	nm, err := compilePattern(pattern, c.Environments)
	if err != nil {
		at := deref(f.get("pattern"))
		if at == nil {
			at = f.node
		}
		d.errorf(at, "naming.pattern: %v", err)
		return
	}
	c.Naming = nm
}

func (d *decoder) environmentFrom(n *yaml.Node) []EnvironmentSource {
	items, ok := d.seq(n, "environment_from")
	if !ok {
		return DefaultEnvironmentFrom()
	}
	srcs := []EnvironmentSource{}
	for i, it := range items {
		path := index("environment_from", i)
		f := d.mapping(it, path, environmentFromKeys)
		if f == nil {
			continue
		}
		var kinds []string
		for _, k := range []string{SourceTag, SourceNameSegment, SourceNameContains, SourcePathSegment} {
			if f.get(k) != nil {
				kinds = append(kinds, k)
			}
		}
		if len(kinds) != 1 {
			d.errorf(f.node, "%s: give exactly one of tag, name_segment, name_contains or path_segment, got %s",
				path, orNone(kinds))
			continue
		}
		src := EnvironmentSource{Kind: kinds[0]}
		if f.get("separator") != nil && src.Kind != SourceNameSegment {
			d.errorf(f.keys["separator"], "%s: separator goes with name_segment only", path)
			continue
		}
		v := f.get(src.Kind)
		p := child(path, src.Kind)
		switch src.Kind {
		case SourceTag:
			if src.Tag, ok = d.nonEmpty(v, p); !ok {
				continue
			}
		case SourceNameSegment, SourcePathSegment:
			if src.Index, ok = d.integer(v, p, math.MinInt32, math.MaxInt32); !ok {
				continue
			}
			if src.Kind == SourceNameSegment {
				src.Separator = "/"
				if s := f.get("separator"); s != nil {
					if src.Separator, ok = d.str(s, child(path, "separator")); !ok {
						continue
					}
					if src.Separator == "" {
						d.errorf(deref(s), "%s: must not be empty", child(path, "separator"))
						continue
					}
				}
			}
		case SourceNameContains:
			b, ok := d.boolean(v, p)
			if !ok {
				continue
			}
			if !b {
				d.errorf(deref(v), "%s: false does nothing; remove the entry instead", p)
				continue
			}
		}
		srcs = append(srcs, src)
	}
	return srcs
}

// listing joins names for a sentence: "a is", "a and b are", "a, b and c are".
func listing(names []string) string {
	switch len(names) {
	case 1:
		return names[0] + " is"
	default:
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " are"
	}
}

func orNone(kinds []string) string {
	if len(kinds) == 0 {
		return "none"
	}
	return strings.Join(kinds, " and ")
}

func (d *decoder) github(g *GitHub, n *yaml.Node) {
	f := d.mapping(n, "github", githubKeys)
	if f == nil {
		return
	}
	g.Organizations, _ = d.stringList(f.get("organizations"), "github.organizations", func(n *yaml.Node, p, s string) bool {
		if !organizationRE.MatchString(s) {
			d.errorf(n, "%s: %q is not a GitHub organization name (letters, digits and -)", p, s)
			return false
		}
		return true
	})
	g.Repositories, _ = d.stringList(f.get("repositories"), "github.repositories", func(n *yaml.Node, p, s string) bool {
		if !repositoryRE.MatchString(s) {
			hint := ""
			if strings.ContainsAny(s, "*?") {
				hint = "; to allow every repository of an organization, list it under github.organizations"
			}
			d.errorf(n, "%s: %q is not of the form org/repo%s", p, s, hint)
			return false
		}
		return true
	})
	g.ProtectedEnvironments, _ = d.stringList(f.get("protected_environments"), "github.protected_environments", func(n *yaml.Node, p, s string) bool {
		if s == "" || strings.Contains(s, ":") {
			d.errorf(n, "%s: %q is not a GitHub environment name or pattern (no \":\")", p, s)
			return false
		}
		if matchesEveryEnvironment(s) {
			d.errorf(n, "%s: %q matches every environment, but a pull-request job can name a new one, which GitHub creates unprotected on first use; list the protected environments by name or by a pattern with a literal part (prod, release-*)", p, s)
			return false
		}
		return true
	})
	if v := f.get("audience"); v != nil {
		if s, ok := d.nonEmpty(v, "github.audience"); ok {
			g.Audience = s
		}
	}
	if v := f.get("issuers"); v != nil {
		issuers, _ := d.stringList(v, "github.issuers", nil)
		if len(issuers) == 0 && isSeqOrNull(v) {
			d.errorf(deref(v), "github.issuers: name at least one issuer (default %s)", DefaultIssuer)
		}
		for i, s := range issuers {
			issuers[i] = strings.TrimSuffix(strings.TrimPrefix(s, "https://"), "/")
		}
		if len(issuers) > 0 {
			g.Issuers = issuers
		}
	}
}

func isSeqOrNull(n *yaml.Node) bool {
	n = deref(n)
	return isNull(n) || n.Kind == yaml.SequenceNode
}

func (d *decoder) aws(a *AWS, n *yaml.Node, githubAudience string) {
	a.Audience = githubAudience
	f := d.mapping(n, "aws", awsKeys)
	if f == nil {
		return
	}
	a.Regions, _ = d.stringList(f.get("regions"), "aws.regions", d.checkRegion)
	if v := f.get("role_arn"); v != nil {
		if s, ok := d.nonEmpty(v, "aws.role_arn"); ok {
			if roleARNRE.MatchString(s) {
				a.RoleARN = s
			} else {
				d.errorf(deref(v), "aws.role_arn: %q is not an IAM role ARN (arn:aws:iam::123456789012:role/name)", s)
			}
		}
	}
	duration := func(key string, dst *time.Duration, lo, hi time.Duration) {
		v := f.get(key)
		if v == nil {
			return
		}
		p := child("aws", key)
		s, ok := d.str(v, p)
		if !ok {
			return
		}
		dur, err := time.ParseDuration(s)
		switch {
		case err != nil:
			d.errorf(deref(v), "%s: %q is not a duration (e.g. 30s, 5m, 1h)", p, s)
		case dur < lo || (hi > 0 && dur > hi):
			if hi > 0 {
				d.errorf(deref(v), "%s: %s is outside %s to %s", p, s, fmtDuration(lo), fmtDuration(hi))
			} else {
				d.errorf(deref(v), "%s: must be positive", p)
			}
		default:
			*dst = dur
		}
	}
	duration("session_duration", &a.SessionDuration, minSessionDuration, maxSessionDuration)
	duration("timeout", &a.Timeout, time.Nanosecond, 0)
	if v := f.get("concurrency"); v != nil {
		if c, ok := d.integer(v, "aws.concurrency", 1, maxConcurrency); ok {
			a.Concurrency = c
		}
	}
	if v := f.get("max_attempts"); v != nil {
		if n, ok := d.integer(v, "aws.max_attempts", 1, maxAttempts); ok {
			a.MaxAttempts = n
		}
	}
	if v := f.get("audience"); v != nil {
		if s, ok := d.nonEmpty(v, "aws.audience"); ok {
			a.Audience = s
		}
	}
	a.Organization = d.organization(f.get("organization"))
}

func fmtDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

func (d *decoder) checkRegion(n *yaml.Node, p, s string) bool {
	if !regionRE.MatchString(s) {
		d.errorf(n, "%s: %q is not an AWS region (e.g. eu-west-1)", p, s)
		return false
	}
	return true
}

func (d *decoder) credentials(c *Config, n *yaml.Node) []Credential {
	items, _ := d.seq(n, "credentials")
	var out []Credential
	seen := map[string]int{}
	for i, it := range items {
		path := index("credentials", i)
		f := d.mapping(it, path, credentialKeys)
		if f == nil {
			continue
		}
		cr := Credential{Line: f.node.Line, Column: f.node.Column}
		var valid bool
		if v := f.get("secret"); v == nil {
			d.errorf(f.node, "%s: secret is required (the secret's name or ARN, e.g. prod/bybit/api)", path)
			valid = false
		} else if cr.Secret, valid = d.nonEmpty(v, child(path, "secret")); valid {
			cr.SecretLine = deref(v).Line
			key := cr.Secret + "\x00" + regionOf(f)
			if line, dup := seen[key]; dup {
				d.errorf(deref(v), "%s: %s is already listed at line %d", child(path, "secret"), cr.Secret, line)
				valid = false
			}
			seen[key] = f.node.Line
		}
		if v := f.get("type"); v != nil {
			if s, ok := d.str(v, child(path, "type")); ok {
				switch s {
				case CredentialAPI, CredentialDB, CredentialJSON, CredentialString:
					cr.Type = s
				default:
					d.errorf(deref(v), "%s: %q is not a credential type; want api, db, json or string", child(path, "type"), s)
					valid = false
				}
			}
		}
		fields, fnodes := d.stringList(f.get("fields"), child(path, "fields"), func(n *yaml.Node, p, s string) bool {
			if !fieldRE.MatchString(s) {
				d.errorf(n, "%s: %q is not a field name (letters, digits, _ . and -)", p, s)
				return false
			}
			return true
		})
		if cr.Type == CredentialString && len(fields) > 0 {
			d.errorf(fnodes[0], "%s: a credential of type string is a plain value and has no fields", child(path, "fields"))
			valid = false
		}
		if cr.Type == "" && len(fields) == 0 && f.get("type") == nil {
			cr.Type = typeFromName(c.Naming.Pattern, secretName(cr.Secret))
		}
		cr.Fields = append(cr.Fields, ImpliedFields(cr.Type)...)
		for _, fl := range fields {
			if !contains(cr.Fields, fl) { // implied fields may be repeated
				cr.Fields = append(cr.Fields, fl)
			}
		}
		if v := f.get("region"); v != nil {
			if s, ok := d.str(v, child(path, "region")); ok && d.checkRegion(deref(v), child(path, "region"), s) {
				cr.Region = s
			}
		}
		cr.Environment = c.EnvironmentOf(secretName(cr.Secret), "", nil)
		if e, ok := c.Environment(cr.Environment); ok {
			cr.PreviousRequired = e.Production
		}
		if v := f.get("previous_required"); v != nil {
			cr.PreviousRequired, _ = d.boolean(v, child(path, "previous_required"))
		}
		if valid {
			out = append(out, cr)
		}
	}
	return out
}

// typeFromName returns the credential type a secret's name implies: with a
// naming pattern that ends in {type}, the last segment of the name when it
// is a type that implies fields (api, db); "" otherwise.
func typeFromName(pattern, name string) string {
	if !strings.HasSuffix(pattern, "{type}") {
		return ""
	}
	last := name[strings.LastIndexByte(name, '/')+1:]
	switch strings.ToLower(last) {
	case CredentialAPI:
		return CredentialAPI
	case CredentialDB:
		return CredentialDB
	}
	return ""
}

// regionOf returns a credential entry's region as written, for duplicate
// detection: the same secret in two regions is two credentials.
func regionOf(f *fields) string {
	if v := deref(f.get("region")); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// secretName extracts the name from a Secrets Manager ARN
// (arn:aws:secretsmanager:region:account:secret:prod/bybit/api-AbCdEf);
// anything else is returned as is.
func secretName(s string) string {
	const marker = ":secret:"
	if !strings.HasPrefix(s, "arn:") {
		return s
	}
	i := strings.Index(s, marker)
	if i < 0 {
		return s
	}
	name := s[i+len(marker):]
	// A full ARN ends in -XXXXXX, six random characters Secrets Manager adds.
	if j := strings.LastIndexByte(name, '-'); j >= 0 && len(name)-j == 7 {
		name = name[:j]
	}
	return name
}

func (d *decoder) waivers(n *yaml.Node) []Waiver {
	items, _ := d.seq(n, "waivers")
	var out []Waiver
	for i, it := range items {
		path := index("waivers", i)
		f := d.mapping(it, path, waiverKeys)
		if f == nil {
			continue
		}
		w := Waiver{Resource: "**", Line: f.node.Line, Column: f.node.Column}
		var missing []string
		for _, k := range []string{"rule", "reason", "owner"} {
			if f.get(k) == nil {
				missing = append(missing, k)
			}
		}
		valid := len(missing) == 0
		if !valid {
			d.errorf(f.node, "%s: %s required: a waiver names the rule (or * for all), why its findings are accepted, and who answers for it",
				path, listing(missing))
		}
		required := func(key string) string {
			v := f.get(key)
			if v == nil {
				return ""
			}
			s, ok := d.nonEmpty(v, child(path, key))
			valid = valid && ok
			return s
		}
		w.Rule = required("rule")
		w.Reason = required("reason")
		w.Owner = required("owner")
		if v := f.get("resource"); v != nil {
			if s, ok := d.nonEmpty(v, child(path, "resource")); ok {
				if _, err := glob.Compile(s, '/'); err != nil {
					d.errorf(deref(v), "%s: %q is not a valid glob: %v", child(path, "resource"), s, err)
					valid = false
				} else {
					w.Resource = s
				}
			} else {
				valid = false
			}
		}
		if v := f.get("expires"); v != nil {
			t, err := d.expiry(v)
			if err != nil {
				d.errorf(deref(v), "%s: %v", child(path, "expires"), err)
				valid = false
			}
			w.Expires = t
		}
		if valid {
			out = append(out, w)
		}
	}
	return out
}

// expiry reads a waiver's expires: a date (the end of that day, UTC) or an
// RFC 3339 time. YAML sees an unquoted date as a timestamp; both forms are
// accepted.
func (d *decoder) expiry(n *yaml.Node) (time.Time, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!timestamp") {
		return time.Time{}, fmt.Errorf("want a date (YYYY-MM-DD) or RFC 3339 time, got %s", describe(n))
	}
	return ParseExpiry(n.Value)
}

// ParseExpiry reads a waiver expiry: YYYY-MM-DD means the end of that day in
// UTC (23:59:59Z); otherwise an RFC 3339 time.
func ParseExpiry(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Add(24*time.Hour - time.Second), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD) or RFC 3339 time (2027-03-31T18:00:00Z)", s)
}

// resolvePath makes a path the configuration names absolute: as written
// when absolute, through policyDir when the configuration is a pull
// request's base (its copy of the path), else against the configuration
// file's directory.
func (d *decoder) resolvePath(s, dir string) string {
	abs := s
	switch {
	case filepath.IsAbs(abs):
	case d.policyDir != nil:
		abs = d.policyDir(s)
	default:
		abs = filepath.Join(dir, filepath.FromSlash(s))
	}
	return filepath.Clean(abs)
}

// existing resolves s (resolvePath) and checks that it exists and is a
// directory (dir) or a regular file; what names the thing in the error
// when it is missing.
func (d *decoder) existing(n *yaml.Node, p, s, dir, what string, wantDir bool) (string, bool) {
	abs := d.resolvePath(s, dir)
	info, err := os.Stat(abs)
	switch {
	case err != nil:
		note := "the path is relative to the configuration file"
		if strings.HasSuffix(p, "]") { // an entry of a list
			note = "paths are relative to the configuration file"
		}
		d.errorf(n, "%s: %s%s does not exist (%s)", p, what, s, note)
		return "", false
	case wantDir && !info.IsDir():
		d.errorf(n, "%s: %s is not a directory", p, s)
		return "", false
	case !wantDir && !info.Mode().IsRegular():
		d.errorf(n, "%s: %s is not a regular file", p, s)
		return "", false
	}
	return abs, true
}

func (d *decoder) policies(n *yaml.Node, dir string) []string {
	var out []string
	d.stringList(n, "policies", func(n *yaml.Node, p, s string) bool {
		abs, ok := d.existing(n, p, s, dir, "policy directory ", true)
		if ok && !contains(out, abs) {
			out = append(out, abs)
		}
		return ok
	})
	return out
}

// varFiles reads terraform_var_files: files, relative to the
// configuration file (or resolved like policies), that must exist.
func (d *decoder) varFiles(n *yaml.Node, dir string) []string {
	var out []string
	d.stringList(n, "terraform_var_files", func(n *yaml.Node, p, s string) bool {
		abs, ok := d.existing(n, p, s, dir, "", false)
		if ok {
			out = append(out, abs)
		}
		return ok
	})
	return out
}

// parametersFile reads cloudformation_parameters: a file, relative to the
// configuration file (or resolved like policies, from a pull request's
// base), that must exist.
func (d *decoder) parametersFile(n *yaml.Node, dir string) string {
	if n == nil {
		return ""
	}
	s, ok := d.str(n, "cloudformation_parameters")
	if !ok {
		return ""
	}
	if s == "" {
		d.errorf(deref(n), "cloudformation_parameters: empty; name a file or leave the key out")
		return ""
	}
	abs, _ := d.existing(deref(n), "cloudformation_parameters", s, dir, "", false)
	return abs
}

// size reads a byte count: an integer, or a string such as "10MiB".
func (d *decoder) size(n *yaml.Node, path string) (int64, bool) {
	n = deref(n)
	const want = `a size such as 10MiB, 512KiB or a number of bytes`
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") {
		v, ok := d.integer(n, path, 1, math.MaxInt)
		return int64(v), ok
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		d.typeError(n, path, want)
		return 0, false
	}
	m := sizeRE.FindStringSubmatch(n.Value)
	if m == nil {
		d.errorf(n, "%s: %q is not %s (units B, kB, KB, KiB, MB, MiB, GB, GiB)", path, n.Value, want)
		return 0, false
	}
	v, err := strconv.ParseInt(m[1], 10, 64)
	unit := sizeUnits[m[2]]
	if err != nil || v > math.MaxInt64/unit {
		d.errorf(n, "%s: %q is too large", path, n.Value)
		return 0, false
	}
	if v == 0 {
		d.errorf(n, "%s: must be positive", path)
		return 0, false
	}
	return v * unit, true
}

// matchesEveryEnvironment: a protected_environments pattern of wildcards
// only, with a "*" ("*", "?*"), matches every environment name, including
// one a pull-request job creates on first use, which nothing protects.
func matchesEveryEnvironment(s string) bool {
	return strings.Contains(s, "*") && strings.Trim(s, "*?") == ""
}
