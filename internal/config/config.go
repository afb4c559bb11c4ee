// Package config loads .secretgate.yml: the environments and their rotation
// rules, the naming convention, how an environment is derived for a role or
// secret, who may assume roles, the credentials that must resolve, waivers,
// custom policy directories, the fail-on threshold and the settings of the
// repository scan and of live AWS access.
//
// Every key is optional; Default holds the policy docs/SECURITY.md sets
// out (docs/configuration.md spells it out as a file). Load is strict:
// unknown keys, wrong types, duplicate keys and bad values are reported all
// at once, each with file:line:col. docs/configuration.md is the
// user's reference and docs/schema/secretgate.schema.json the JSON Schema
// editors validate with; the tests keep the three in agreement.
package config

import (
	"path/filepath"
	"slices"
	"time"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/rootpath"
)

// FileName is the configuration file looked for at the repository root.
const FileName = ".secretgate.yml"

// Config is a loaded configuration with defaults applied.
type Config struct {
	// Path is the file the configuration was loaded from, as given to Load;
	// empty for Default.
	Path string
	// RepoRoot is the directory that file locations in facts (waivers) are
	// relative to. Load sets it to the configuration file's directory; set
	// it to the repository root when the file lives elsewhere (--config).
	RepoRoot string

	// Version is the configuration format version (always 1).
	Version int
	// Environments in the order written; names are lower-case.
	Environments []Environment
	Naming       Naming
	// EnvironmentFrom lists, in order, where EnvironmentOf looks for an
	// environment name. The first source that yields a configured
	// environment (or alias) wins.
	EnvironmentFrom []EnvironmentSource
	GitHub          GitHub
	Credentials     []Credential
	Waivers         []Waiver
	// Policies are absolute paths of directories with extra .rego files.
	Policies []string
	// CloudFormationParameters is the absolute path of a file of
	// parameter values for the repository's CloudFormation templates
	// (the AWS CLI's --parameters JSON); "" for none.
	CloudFormationParameters string
	// TerraformVarFiles are absolute paths of .tfvars files applied to
	// every Terraform root module after its own terraform.tfvars and
	// *.auto.tfvars, as terraform -var-file does.
	TerraformVarFiles []string
	// FailOn is the threshold for exit code 1 (--fail-on overrides it).
	FailOn result.Threshold
	// JudgeChanges is the severity of config-judge-changed, the finding a
	// pull request gets for editing its own judge (read from the base's
	// configuration, like every judge setting).
	JudgeChanges result.Severity
	// Exclude holds doublestar globs (relative to the repository root,
	// "/"-separated) of paths the repository scan skips.
	Exclude []string
	// MaxFileSize is the size in bytes above which the repository scan skips
	// a file (and counts it as skipped).
	MaxFileSize int64
	// LeaksMaxFileSize is the leak scanner's safety limit: it scans text
	// files of any size below it in chunks, as gitleaks does; a text file
	// above it is not scanned and makes the leaks check an error.
	LeaksMaxFileSize int64
	AWS              AWS
}

// Environment is one environment's rotation and trust rules.
type Environment struct {
	Name string
	// Aliases are other spellings (e.g. "production", "prd") that
	// EnvironmentOf maps to Name. The naming pattern uses Name only.
	Aliases []string
	// MaxRotationDays is the largest allowed age of a secret's value; 0
	// means manual rotation.
	MaxRotationDays int
	WarnDays        int
	GraceHours      int
	RequireRotation bool
	Production      bool
}

// Naming is the secret naming convention.
type Naming struct {
	// Pattern is the human form, e.g. "{env}/{service}/{type}" (the regex
	// when only a regex was configured).
	Pattern string
	// Regex is anchored (^…$) and compiles with Go's regexp (and Rego's
	// regex.match, which uses the same engine).
	Regex string
}

// Environment sources, the kinds of EnvironmentSource.
const (
	SourceTag          = "tag"
	SourceNameSegment  = "name_segment"
	SourceNameContains = "name_contains"
	SourcePathSegment  = "path_segment"
)

// EnvironmentSource is one place an environment name can come from.
type EnvironmentSource struct {
	// Kind is one of the Source* constants.
	Kind string
	// Tag is the tag key for SourceTag (compared case-insensitively).
	Tag string
	// Index is the segment for SourceNameSegment and SourcePathSegment;
	// negative counts from the end (-1 is the last segment).
	Index int
	// Separator splits the name for SourceNameSegment ("/" by default).
	Separator string
}

// GitHub says who may assume roles through GitHub's OIDC provider.
type GitHub struct {
	Organizations []string
	// Repositories are "org/repo". Empty with no Organizations means "the
	// repository being checked", which the caller fills in with
	// DefaultRepository.
	Repositories []string
	// Audience is the aud value trust policies must require.
	Audience string
	// Issuers are the OIDC provider hosts (without https://) that are
	// GitHub's, e.g. token.actions.githubusercontent.com.
	Issuers []string
	// ProtectedEnvironments are GitHub environment names or patterns
	// ("release-*") protected by deployment-branch rules, so that a pull
	// request job cannot use them. A trust admitting an environment
	// outside them admits pull requests, as environments are created on
	// first use.
	ProtectedEnvironments []string
}

// Credential types.
const (
	// CredentialAPI is a JSON object with api_key and api_secret.
	CredentialAPI = "api"
	// CredentialJSON is a JSON object; Fields lists its required keys.
	CredentialJSON = "json"
	// CredentialString is a plain string value; it has no fields.
	CredentialString = "string"
	// CredentialDB is a JSON object with username and password, the
	// structure Secrets Manager documents for database credentials (RDS,
	// Redshift, DocumentDB and their rotation functions).
	CredentialDB = "db"
)

// APIFields are the fields a credential of type api has.
var APIFields = []string{"api_key", "api_secret"}

// DBFields are the fields a credential of type db has.
var DBFields = []string{"username", "password"}

// ImpliedFields returns the fields a credential type implies (nil for
// json, string and any).
func ImpliedFields(typ string) []string {
	switch typ {
	case CredentialAPI:
		return APIFields
	case CredentialDB:
		return DBFields
	}
	return nil
}

// Credential is a secret the application needs, which the resolve check
// fetches and checks for shape (never printing the value).
type Credential struct {
	// Secret is the secret's name or ARN.
	Secret string
	// Fields are the JSON keys that must be present, non-empty and not a
	// placeholder; for type api, api_key and api_secret come first.
	Fields []string
	// Type is api, db, json, string or "" (any value; JSON when Fields
	// are given). When neither type nor fields are written and the naming
	// pattern ends in {type}, the last segment of the name gives the type
	// if it is api or db (prod/bybit/api is an api credential).
	Type string
	// Region overrides the region the secret is read from.
	Region string
	// PreviousRequired demands an AWSPREVIOUS version (rollback). It
	// defaults to true in production environments.
	PreviousRequired bool
	// Environment is derived with EnvironmentOf from Secret.
	Environment string
	// Line and Column locate the entry in the configuration file.
	Line, Column int
	// SecretLine is the line of the secret's name (the value of secret:),
	// which differs from Line when secret is not the entry's first key.
	// The leak scanner uses it to recognise the name in the file.
	SecretLine int
}

// Waiver accepts a rule's findings on matching resources until it expires.
type Waiver struct {
	Rule     string // rule id, or "*" for every rule
	Resource string // glob, "/"-separated, ** crosses separators
	Reason   string
	Owner    string
	// Expires is the moment the waiver stops applying, in UTC; zero means
	// it never expires. A date-only value means the end of that day.
	Expires time.Time
	// Line and Column locate the entry in the configuration file.
	Line, Column int
}

// AWS holds the settings of live AWS access.
type AWS struct {
	// Regions to read; empty means the SDK's configured region.
	Regions []string
	// RoleARN is the role to assume (--role-arn overrides it).
	RoleARN string
	// SessionDuration of the assumed role's credentials (15m to 12h).
	SessionDuration time.Duration
	// Timeout bounds each AWS API call, retries included.
	Timeout time.Duration
	// Concurrency bounds parallel AWS API calls.
	Concurrency int
	// MaxAttempts is how often an AWS API call is tried (the first
	// attempt included) before a throttled or failed call counts as
	// failed; the SDK's adaptive retry mode spaces the attempts.
	MaxAttempts int
	// Audience of the GitHub OIDC token requested in Actions; defaults to
	// github.audience.
	Audience string
	// Organization selects the accounts of an AWS Organization and the
	// role to assume in each; nil when not configured.
	Organization *Organization `json:"Organization,omitempty"`
}

// Defaults that are not part of Default's environments.
const (
	DefaultWarnDays    = 14
	DefaultGraceHours  = 24
	DefaultPattern     = "{env}/{service}/{type}"
	DefaultAudience    = "sts.amazonaws.com"
	DefaultIssuer      = "token.actions.githubusercontent.com"
	DefaultMaxFileSize = 10 << 20
	// DefaultLeaksMaxFileSize is the leak scanner's safety limit.
	DefaultLeaksMaxFileSize = 1 << 30
	DefaultSessionDuration  = time.Hour
	DefaultTimeout          = 30 * time.Second
	DefaultConcurrency      = 8
	DefaultMaxAttempts      = 5
)

// Default returns the configuration used when there is no file: the policy
// of docs/SECURITY.md, written out in testdata/valid/defaults.yml and in
// docs/configuration.md ("The defaults"); the tests hold the three equal.
func Default() *Config {
	c := &Config{
		Version: 1,
		Environments: []Environment{
			{Name: "prod", MaxRotationDays: 90, WarnDays: DefaultWarnDays, GraceHours: DefaultGraceHours, RequireRotation: true, Production: true},
			{Name: "staging", MaxRotationDays: 120, WarnDays: DefaultWarnDays, GraceHours: DefaultGraceHours},
			{Name: "dev", MaxRotationDays: 0, WarnDays: DefaultWarnDays, GraceHours: DefaultGraceHours},
		},
		EnvironmentFrom: DefaultEnvironmentFrom(),
		GitHub: GitHub{
			Audience: DefaultAudience,
			Issuers:  []string{DefaultIssuer},
		},
		FailOn:           result.Threshold{Min: result.SeverityHigh},
		JudgeChanges:     result.SeverityHigh,
		MaxFileSize:      DefaultMaxFileSize,
		LeaksMaxFileSize: DefaultLeaksMaxFileSize,
		AWS: AWS{
			SessionDuration: DefaultSessionDuration,
			Timeout:         DefaultTimeout,
			Concurrency:     DefaultConcurrency,
			MaxAttempts:     DefaultMaxAttempts,
			Audience:        DefaultAudience,
		},
	}
	c.Naming, _ = compilePattern(DefaultPattern, c.Environments)
	return c
}

// DefaultEnvironmentFrom is the default derivation order: the environment
// or env tag, the first "/" segment of the name (prod/bybit/api), an
// environment name appearing as a token of the name
// (github-actions-payments-prod), the first segment of the IAM path
// (/prod/).
func DefaultEnvironmentFrom() []EnvironmentSource {
	return []EnvironmentSource{
		{Kind: SourceTag, Tag: "environment"},
		{Kind: SourceTag, Tag: "env"},
		{Kind: SourceNameSegment, Index: 0, Separator: "/"},
		{Kind: SourceNameContains},
		{Kind: SourcePathSegment, Index: 0},
	}
}

// Environment returns the environment called name (not an alias).
func (c *Config) Environment(name string) (Environment, bool) {
	for _, e := range c.Environments {
		if e.Name == name {
			return e, true
		}
	}
	return Environment{}, false
}

// File is the configuration file's path relative to RepoRoot,
// "/"-separated, as findings about the configuration report it; the path
// as given when it lies outside RepoRoot, "" for Default.
func (c *Config) File() string {
	if c.Path == "" {
		return ""
	}
	if rel, ok := rootpath.Rel(c.RepoRoot, c.Path); ok {
		return rel
	}
	return filepath.ToSlash(c.Path)
}

// Facts returns the part of the configuration the policies read.
func (c *Config) Facts() facts.Config {
	fc := facts.Config{
		Environments:     make(map[string]facts.Environment, len(c.Environments)),
		EnvironmentOrder: make([]string, 0, len(c.Environments)),
		Naming:           facts.Naming{Pattern: c.Naming.Pattern, Regex: c.Naming.Regex},
		GitHub: facts.GitHub{
			Organizations: nonNil(c.GitHub.Organizations),
			Repositories:  nonNil(c.GitHub.Repositories),
			Audience:      c.GitHub.Audience,
			Issuers:       nonNil(c.GitHub.Issuers),

			ProtectedEnvironments: nonNil(c.GitHub.ProtectedEnvironments),
		},
		Waivers: make([]facts.Waiver, 0, len(c.Waivers)),
	}
	for _, e := range c.Environments {
		fc.Environments[e.Name] = facts.Environment{
			MaxRotationDays: e.MaxRotationDays,
			WarnDays:        e.WarnDays,
			GraceHours:      e.GraceHours,
			RequireRotation: e.RequireRotation,
			Production:      e.Production,
		}
		fc.EnvironmentOrder = append(fc.EnvironmentOrder, e.Name)
	}
	file := c.File()
	for _, w := range c.Waivers {
		fw := facts.Waiver{
			Rule:     w.Rule,
			Resource: w.Resource,
			Reason:   w.Reason,
			Owner:    w.Owner,
			File:     file,
			Line:     w.Line,
		}
		if !w.Expires.IsZero() {
			fw.Expires = w.Expires.UTC().Format(time.RFC3339)
		}
		fc.Waivers = append(fc.Waivers, fw)
	}
	return fc
}

// nonNil copies s, turning nil into an empty slice so that JSON holds [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}
