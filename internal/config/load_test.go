package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestValidFiles loads every testdata/valid/*.yml and compares the result
// with the golden .json beside it (go test -update rewrites them).
func TestValidFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yml")
	if len(files) == 0 {
		t.Fatal("no testdata/valid/*.yml")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, err := Load(file)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := dump(t, c)
			golden := strings.TrimSuffix(file, ".yml") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", golden, diff)
			}
		})
	}
}

// dump renders what a configuration means, with policy directories relative
// to the test directory so that the golden files do not depend on where the
// repository is checked out.
func dump(t *testing.T, c *Config) []byte {
	t.Helper()
	wd, _ := os.Getwd()
	var policies []string
	for _, p := range c.Policies {
		rel, err := filepath.Rel(wd, p)
		if err != nil {
			t.Fatal(err)
		}
		policies = append(policies, filepath.ToSlash(rel))
	}
	v := struct {
		Facts           facts.Config        `json:"facts"`
		Aliases         map[string][]string `json:"aliases,omitempty"`
		EnvironmentFrom []EnvironmentSource `json:"environment_from"`
		Credentials     []Credential        `json:"credentials,omitempty"`
		Policies        []string            `json:"policies,omitempty"`
		FailOn          string              `json:"fail_on"`
		Exclude         []string            `json:"exclude,omitempty"`
		MaxFileSize     int64               `json:"max_file_size"`
		AWS             AWS                 `json:"aws"`
	}{
		Facts:           c.Facts(),
		EnvironmentFrom: c.EnvironmentFrom,
		Credentials:     c.Credentials,
		Policies:        policies,
		FailOn:          c.FailOn.String(),
		Exclude:         c.Exclude,
		MaxFileSize:     c.MaxFileSize,
		AWS:             c.AWS,
	}
	for _, e := range c.Environments {
		if len(e.Aliases) > 0 {
			if v.Aliases == nil {
				v.Aliases = map[string][]string{}
			}
			v.Aliases[e.Name] = e.Aliases
		}
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestInvalidFiles loads every testdata/invalid/*.yml and compares the
// error with the golden .err beside it: every problem, one per line, as
// file:line:col: message.
func TestInvalidFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yml")
	if len(files) == 0 {
		t.Fatal("no testdata/invalid/*.yml")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, err := Load(file)
			if err == nil {
				t.Fatalf("Load accepted it: %+v", c)
			}
			if c != nil {
				t.Errorf("Load returned a configuration with the error")
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *config.Error: %v", err, err)
			}
			if ce.File != file || ce.Line == 0 {
				t.Errorf("first error not located in %s: %+v", file, ce)
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(file, ".yml") + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", golden, diff)
			}
		})
	}
}

// TestGoldenFilesHaveSources catches golden files left behind when a test
// case is renamed or removed.
func TestGoldenFilesHaveSources(t *testing.T) {
	for _, pat := range []string{"testdata/valid/*.golden.json", "testdata/invalid/*.err"} {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			src := strings.TrimSuffix(strings.TrimSuffix(f, ".golden.json"), ".err") + ".yml"
			if _, err := os.Stat(src); err != nil {
				t.Errorf("%s has no %s", f, src)
			}
		}
	}
}

// TestExplicitDefaults: a file spelling out every default means the same as
// no file at all, so docs/configuration.md's "defaults" block (which the
// docs test keeps identical to that file) is the truth.
func TestExplicitDefaults(t *testing.T) {
	c, err := Load("testdata/valid/defaults.yml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Default(), c, cmpopts.IgnoreFields(Config{}, "Path", "RepoRoot")); diff != "" {
		t.Errorf("defaults.yml differs from Default() (-Default +file):\n%s", diff)
	}
}

func TestDefault(t *testing.T) {
	c := Default()
	want := facts.Config{
		Environments: map[string]facts.Environment{
			"prod":    {MaxRotationDays: 90, WarnDays: 14, GraceHours: 24, RequireRotation: true, Production: true},
			"staging": {MaxRotationDays: 120, WarnDays: 14, GraceHours: 24},
			"dev":     {MaxRotationDays: 0, WarnDays: 14, GraceHours: 24},
		},
		EnvironmentOrder: []string{"prod", "staging", "dev"},
		Naming: facts.Naming{
			Pattern: "{env}/{service}/{type}",
			Regex:   "^(prod|staging|dev)/[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$",
		},
		GitHub: facts.GitHub{
			Organizations: []string{},
			Repositories:  []string{},
			Audience:      "sts.amazonaws.com",
			Issuers:       []string{"token.actions.githubusercontent.com"},

			ProtectedEnvironments: []string{},
		},
		Waivers: []facts.Waiver{},
	}
	if diff := cmp.Diff(want, c.Facts()); diff != "" {
		t.Errorf("Default().Facts() (-want +got):\n%s", diff)
	}
	if c.FailOn != (result.Threshold{Min: result.SeverityHigh}) {
		t.Errorf("FailOn = %v, want high", c.FailOn)
	}
	if c.MaxFileSize != 10<<20 {
		t.Errorf("MaxFileSize = %d, want 10 MiB", c.MaxFileSize)
	}
	wantAWS := AWS{SessionDuration: time.Hour, Timeout: 30 * time.Second, Concurrency: 8, MaxAttempts: 5, Audience: "sts.amazonaws.com"}
	if diff := cmp.Diff(wantAWS, c.AWS); diff != "" {
		t.Errorf("AWS (-want +got):\n%s", diff)
	}
	// Each call returns a fresh value: callers may modify theirs.
	c.Environments[0].MaxRotationDays = 1
	if Default().Environments[0].MaxRotationDays != 90 {
		t.Error("Default shares state between calls")
	}
}

// load parses YAML text as if read from dir/.secretgate.yml.
func load(t *testing.T, text string) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(path)
}

func mustLoad(t *testing.T, text string) *Config {
	t.Helper()
	c, err := load(t, text)
	if err != nil {
		t.Fatalf("Load:\n%s\n%v", text, err)
	}
	return c
}

func TestLoadValues(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, c *Config)
	}{
		{"environments replace the defaults, in written order", "environments:\n  live: {}\n  qa: {max_rotation_days: 30}\n  prod: {}\n",
			func(t *testing.T, c *Config) {
				f := c.Facts()
				if diff := cmp.Diff([]string{"live", "qa", "prod"}, f.EnvironmentOrder); diff != "" {
					t.Error(diff)
				}
				if _, ok := f.Environments["staging"]; ok {
					t.Error("default staging kept")
				}
				if e := f.Environments["live"]; e.Production || e.WarnDays != 14 || e.GraceHours != 24 || e.MaxRotationDays != 0 {
					t.Errorf("live = %+v", e)
				}
				if !f.Environments["prod"].Production {
					t.Error("prod is not production by default")
				}
				if f.Naming.Regex != "^(live|qa|prod)/[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$" {
					t.Errorf("regex = %s", f.Naming.Regex)
				}
			}},
		{"production named production", "environments:\n  production: {}\n  prod: {production: false}\n",
			func(t *testing.T, c *Config) {
				f := c.Facts()
				if !f.Environments["production"].Production || f.Environments["prod"].Production {
					t.Errorf("%+v", f.Environments)
				}
			}},
		{"naming regex is anchored", "naming:\n  regex: 'a|b'\n",
			func(t *testing.T, c *Config) {
				if c.Naming.Regex != "^(?:a|b)$" || c.Naming.Pattern != "a|b" {
					t.Errorf("%+v", c.Naming)
				}
			}},
		{"naming pattern with regex", "naming:\n  pattern: '{env}/{app}'\n  regex: '^[a-z]+/[a-z]+$'\n",
			func(t *testing.T, c *Config) {
				if c.Naming != (Naming{Pattern: "{env}/{app}", Regex: "^[a-z]+/[a-z]+$"}) {
					t.Errorf("%+v", c.Naming)
				}
			}},
		{"fail_on never", "fail_on: never\n",
			func(t *testing.T, c *Config) {
				if !c.FailOn.Never {
					t.Errorf("%+v", c.FailOn)
				}
			}},
		{"sizes", "max_file_size: 512 KiB\n",
			func(t *testing.T, c *Config) {
				if c.MaxFileSize != 512*1024 {
					t.Errorf("%d", c.MaxFileSize)
				}
			}},
		{"leak scanner's safety limit apart from max_file_size", "leaks_max_file_size: 2GiB\n",
			func(t *testing.T, c *Config) {
				if c.LeaksMaxFileSize != 2<<30 || c.MaxFileSize != DefaultMaxFileSize {
					t.Errorf("leaks %d, repository %d", c.LeaksMaxFileSize, c.MaxFileSize)
				}
			}},
		{"size in decimal units", "max_file_size: 3MB\n",
			func(t *testing.T, c *Config) {
				if c.MaxFileSize != 3_000_000 {
					t.Errorf("%d", c.MaxFileSize)
				}
			}},
		{"aws audience follows github audience", "github:\n  audience: api://AzureADTokenExchange\n",
			func(t *testing.T, c *Config) {
				if c.AWS.Audience != "api://AzureADTokenExchange" || c.GitHub.Audience != c.AWS.Audience {
					t.Errorf("%+v %+v", c.GitHub, c.AWS)
				}
			}},
		{"issuers are hosts", "github:\n  issuers: [https://token.actions.githubusercontent.com/acme/]\n",
			func(t *testing.T, c *Config) {
				if diff := cmp.Diff([]string{"token.actions.githubusercontent.com/acme"}, c.GitHub.Issuers); diff != "" {
					t.Error(diff)
				}
			}},
		{"protected environments reach the policies", "github:\n  protected_environments: [prod, 'release-*']\n",
			func(t *testing.T, c *Config) {
				if diff := cmp.Diff([]string{"prod", "release-*"}, c.Facts().GitHub.ProtectedEnvironments); diff != "" {
					t.Error(diff)
				}
			}},
		{"credential type api implies fields", "credentials:\n  - {secret: prod/bybit/api, type: api, fields: [api_secret, passphrase]}\n",
			func(t *testing.T, c *Config) {
				if diff := cmp.Diff([]string{"api_key", "api_secret", "passphrase"}, c.Credentials[0].Fields); diff != "" {
					t.Error(diff)
				}
			}},
		{"credential type from the name's last segment", `credentials:
  - secret: prod/bybit/api
  - secret: prod/payments/db
  - secret: prod/bybit/API # gitleaks:allow (a credential name)
  - secret: prod/db/password
  - {secret: prod/kraken/api, fields: [token]}
  - {secret: prod/kraken2/api, type: string}
  - {secret: prod/app/db, type: db, fields: [host]}
  - secret: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/x/api-AbCdEf
`,
			func(t *testing.T, c *Config) {
				var got []string
				for _, cr := range c.Credentials {
					got = append(got, cr.Type+":"+strings.Join(cr.Fields, ","))
				}
				want := []string{"api:api_key,api_secret", "db:username,password", "api:api_key,api_secret", ":",
					":token", "string:", "db:username,password,host", "api:api_key,api_secret"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Error(diff)
				}
			}},
		{"no type from the name when the pattern does not end in {type}", "naming:\n  pattern: \"{env}/{type}/{service}\"\ncredentials:\n  - secret: prod/api/api\n",
			func(t *testing.T, c *Config) {
				if cr := c.Credentials[0]; cr.Type != "" || len(cr.Fields) != 0 {
					t.Errorf("%+v", cr)
				}
			}},
		{"previous_required defaults by environment", `credentials:
  - secret: prod/bybit/api
  - secret: dev/bybit/api
  - secret: prod/db/password
    previous_required: false
  - secret: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/x/token-AbCdEf
  - secret: unknown
`,
			func(t *testing.T, c *Config) {
				var got []string
				for _, cr := range c.Credentials {
					got = append(got, cr.Environment+"/"+map[bool]string{true: "previous", false: "-"}[cr.PreviousRequired])
				}
				want := []string{"prod/previous", "dev/-", "prod/-", "prod/previous", "/-"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Error(diff)
				}
				if cr := c.Credentials[0]; cr.Line != 2 || cr.Column != 5 {
					t.Errorf("location %d:%d", cr.Line, cr.Column)
				}
			}},
		{"the line of each secret's name", "credentials:\n  - secret: prod/a/api\n  - type: db\n    region: eu-west-1\n    secret: prod/b/db\n  - {secret: prod/c/api}\n",
			func(t *testing.T, c *Config) {
				var got []string
				for _, cr := range c.Credentials {
					got = append(got, fmt.Sprintf("%s %d:%d", cr.Secret, cr.Line, cr.SecretLine))
				}
				want := []string{"prod/a/api 2:2", "prod/b/db 3:5", "prod/c/api 6:6"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Error(diff)
				}
			}},
		{"same secret in two regions", "credentials:\n  - {secret: prod/a/b, region: eu-west-1}\n  - {secret: prod/a/b, region: us-east-1}\n",
			func(t *testing.T, c *Config) {
				if len(c.Credentials) != 2 {
					t.Errorf("%+v", c.Credentials)
				}
			}},
		{"waiver defaults and expiry", `waivers:
  - rule: r1
    reason: x
    owner: y
  - rule: r2
    reason: x
    owner: y
    expires: 2027-03-31
  - rule: r3
    reason: x
    owner: y
    expires: 2027-03-31T10:00:00+02:00
`,
			func(t *testing.T, c *Config) {
				ws := c.Facts().Waivers
				want := []facts.Waiver{
					{Rule: "r1", Resource: "**", Reason: "x", Owner: "y", File: ".secretgate.yml", Line: 2},
					{Rule: "r2", Resource: "**", Reason: "x", Owner: "y", Expires: "2027-03-31T23:59:59Z", File: ".secretgate.yml", Line: 5},
					{Rule: "r3", Resource: "**", Reason: "x", Owner: "y", Expires: "2027-03-31T08:00:00Z", File: ".secretgate.yml", Line: 9},
				}
				if diff := cmp.Diff(want, ws); diff != "" {
					t.Error(diff)
				}
			}},
		{"integers in other notations", "environments:\n  prod: {max_rotation_days: 0x5A, warn_days: 1_0, grace_hours: 12.0}\n",
			func(t *testing.T, c *Config) {
				e := c.Environments[0]
				if e.MaxRotationDays != 90 || e.WarnDays != 10 || e.GraceHours != 12 {
					t.Errorf("%+v", e)
				}
			}},
		{"document that is null", "~\n",
			func(t *testing.T, c *Config) {
				if len(c.Environments) != 3 {
					t.Errorf("%+v", c.Environments)
				}
			}},
		{"durations", "aws: {session_duration: 2h30m, timeout: 1.5s}\n",
			func(t *testing.T, c *Config) {
				if c.AWS.SessionDuration != 150*time.Minute || c.AWS.Timeout != 1500*time.Millisecond {
					t.Errorf("%+v", c.AWS)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustLoad(t, tt.yaml))
		})
	}
}

// TestLoadErrors covers messages that the golden files do not, one problem
// per case.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"string for a bool", "environments:\n  prod: {production: yes}\n",
			`2:22: environments.prod.production: want true or false, got the string "yes"`},
		{"number for a string", "waivers:\n  - {rule: r, reason: x, owner: 1234}\n",
			`2:33: waivers[0].owner: want a string (quote it), got the integer 1234`},
		{"list for a mapping", "github: [acme/payments]\n",
			`1:9: github: want a mapping, got a list`},
		{"mapping for a list", "policies: {dir: x}\n",
			`1:11: policies: want a list, got a mapping`},
		{"non-scalar key", "? [a, b]\n: c\n",
			`1:3: the configuration: keys must be plain names, got a list`},
		{"huge number", "environments:\n  prod: {max_rotation_days: 99999999999999999999}\n",
			`2:29: environments.prod.max_rotation_days: want a whole number ≥ 0, got the number 99999999999999999999`},
		{"empty pattern", "naming: {pattern: ''}\n",
			`1:19: naming.pattern: must not be empty`},
		{"pattern brace", "naming: {pattern: 'a}b'}\n",
			`1:19: naming.pattern: "a}b" has a } without a matching {`},
		{"separator only", "environment_from:\n  - separator: '-'\n",
			`2:5: environment_from[0]: give exactly one of tag, name_segment, name_contains or path_segment, got none`},
		{"separator empty", "environment_from:\n  - {name_segment: 1, separator: ''}\n",
			`2:34: environment_from[0].separator: must not be empty`},
		{"policy is a file", "policies: [.secretgate.yml]\n",
			`1:12: policies[0]: .secretgate.yml is not a directory`},
		{"parameters file missing", "cloudformation_parameters: none.json\n",
			`1:28: cloudformation_parameters: none.json does not exist (the path is relative to the configuration file)`},
		{"parameters file is a directory", "cloudformation_parameters: .\n",
			`1:28: cloudformation_parameters: . is not a regular file`},
		{"var file missing", "terraform_var_files: [prod.tfvars]\n",
			`1:23: terraform_var_files[0]: prod.tfvars does not exist (paths are relative to the configuration file)`},
		{"empty issuers", "github: {issuers: []}\n",
			`1:19: github.issuers: name at least one issuer (default token.actions.githubusercontent.com)`},
		{"protected environment with a colon", "github: {protected_environments: ['prod:x']}\n",
			`1:35: github.protected_environments[0]: "prod:x" is not a GitHub environment name or pattern (no ":")`},
		{"protected environment matching every environment", "github: {protected_environments: [prod, '*']}\n",
			`1:41: github.protected_environments[1]: "*" matches every environment, but a pull-request job can name a new one, which GitHub creates unprotected on first use; list the protected environments by name or by a pattern with a literal part (prod, release-*)`},
		{"protected environment of wildcards only", "github: {protected_environments: ['?*']}\n",
			`1:35: github.protected_environments[0]: "?*" matches every environment, but a pull-request job can name a new one, which GitHub creates unprotected on first use; list the protected environments by name or by a pattern with a literal part (prod, release-*)`},
		{"duplicate list item", "exclude: [a, b, a]\n",
			`1:17: exclude[2]: "a" is listed twice`},
		{"merge of a scalar", "aws:\n  <<: 3\n",
			`2:7: aws: a merge key (<<) needs a mapping or a list of mappings, got the integer 3`},
		{"unknown key lists known keys", "naming: {style: x}\n",
			`1:10: unknown key "style" in naming (known keys: pattern, regex)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.yaml)
			if err == nil {
				t.Fatalf("accepted:\n%s", tt.yaml)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("%T: %v", err, err)
			}
			got := strings.TrimPrefix(err.Error(), ce.File+":")
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotExist", err)
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{File: "a.yml", Line: 3, Column: 5, Msg: "m"}, "a.yml:3:5: m"},
		{&Error{File: "a.yml", Line: 3, Msg: "m"}, "a.yml:3: m"},
		{&Error{File: "a.yml", Msg: "m"}, "a.yml: m"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	errs := Errors{{File: "a", Line: 9, Column: 1, Msg: "late"}, {File: "a", Line: 2, Column: 7, Msg: "early"}}.Err()
	if got, want := errs.Error(), "a:2:7: early\na:9:1: late"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var first *Error
	if !errors.As(errs, &first) || first.Msg != "early" {
		t.Errorf("errors.As: %+v", first)
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p, err := Find(dir, ""); p != "" || err != nil {
		t.Errorf("no file: %q, %v", p, err)
	}
	yaml := write(".secretgate.yaml")
	if p, err := Find(dir, ""); p != yaml || err != nil { // dir is not below the working directory
		t.Errorf(".yaml: %q, %v", p, err)
	}
	yml := write(".secretgate.yml")
	if _, err := Find(dir, ""); err == nil {
		t.Error("both .yml and .yaml: no error")
	}
	os.Remove(yaml)
	if p, err := Find(dir, ""); p != yml || err != nil {
		t.Errorf(".yml: %q, %v", p, err)
	}
	other := write("other.yml")
	if p, err := Find(dir, other); p != other || err != nil {
		t.Errorf("explicit: %q, %v", p, err)
	}
	if _, err := Find(dir, filepath.Join(dir, "missing.yml")); err == nil || !strings.Contains(err.Error(), "--config") {
		t.Errorf("explicit missing: %v", err)
	}
	if _, err := Find(dir, dir); err == nil {
		t.Error("explicit directory: no error")
	}
}

func TestFindRelativeToWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	p, err := Find(dir, "")
	if p != FileName || err != nil {
		t.Errorf("Find = %q, %v; want %q", p, err, FileName)
	}
	if p, _ := Find(filepath.Join(dir, "."), ""); p != FileName {
		t.Errorf("Find = %q", p)
	}
}

func TestFileRelativeToRepoRoot(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "ci")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(sub, "secretgate.yml")
	if err := os.WriteFile(path, []byte("waivers:\n  - {rule: r, reason: x, owner: y}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Facts().Waivers[0].File; got != "secretgate.yml" {
		t.Errorf("default RepoRoot: %q", got)
	}
	c.RepoRoot = root
	if got := c.Facts().Waivers[0].File; got != "ci/secretgate.yml" {
		t.Errorf("RepoRoot set: %q", got)
	}
	c.RepoRoot = t.TempDir()
	if got := c.File(); got != filepath.ToSlash(path) {
		t.Errorf("outside RepoRoot: %q", got)
	}
}

func TestPoliciesResolvedAgainstConfigDir(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"ci/policy", "shared"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(root, "ci", "sg.yml")
	text := "policies: [policy/, ../shared, " + filepath.Join(root, "shared") + "/]\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "ci", "policy"), filepath.Join(root, "shared")}
	if diff := cmp.Diff(want, c.Policies); diff != "" {
		t.Error(diff)
	}
}
