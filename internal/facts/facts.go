// Package facts defines the input document that secretgate's Rego policies
// read: everything the gatherers learned about a repository and an AWS
// account, normalised so that rules stay simple, and with the file and line
// each fact came from. docs/input.md documents this shape for users who write
// their own rules; change both together.
//
// Facts never hold secret values. Leak matches are redacted and resolved
// credentials are described by their shape only.
package facts

// Schema identifies the shape of the input document.
const Schema = "secretgate/input/v1"

// Input is the one document evaluated by the one policy query.
type Input struct {
	Schema string `json:"schema"`
	// Now is the evaluation time, RFC 3339 in UTC. Rules use it instead of
	// time.now_ns() so that a run can be reproduced.
	Now    string `json:"now"`
	Config Config `json:"config"`
	Roles  []Role `json:"roles"`
	// Policies holds every permission policy: inline policies of roles,
	// managed policies and standalone policy documents.
	Policies []Policy `json:"policies"`
	Secrets  []Secret `json:"secrets"`
	// Leaks are redacted findings of the leak scanner (filled by the leaks
	// gatherer; empty when it did not run).
	Leaks []Leak `json:"leaks"`
	// Credentials are the results of resolving the required credentials
	// (filled by the live-AWS resolver; empty when it did not run).
	Credentials []Credential `json:"credentials"`
	// Checks lists the check families that ran; rules of other families
	// are ignored by the aggregator.
	Checks []string `json:"checks"`
	// Judge is set in a run over a range BASE..HEAD whose judge files
	// (configuration, policies, gitleaks files) were read from BASE.
	Judge *Judge `json:"judge,omitempty"`
}

// Judge tells the rules where the run's judge came from and whether the
// change under review edits it.
type Judge struct {
	// Base is the commit the judge files were read from.
	Base string `json:"base"`
	// Changed lists the judge files the change edits, repository-relative.
	Changed []string `json:"changed"`
	// Effect says what the change's own judge would have done differently
	// ("" when the judge is unchanged).
	Effect string `json:"effect,omitempty"`
	// Severity of config-judge-changed, from the base configuration.
	Severity string `json:"severity,omitempty"`
}

// Config carries the parts of .secretgate.yml that rules need.
type Config struct {
	Environments map[string]Environment `json:"environments"`
	// EnvironmentOrder lists environment names in configuration order.
	EnvironmentOrder []string `json:"environment_order"`
	Naming           Naming   `json:"naming"`
	GitHub           GitHub   `json:"github"`
	Waivers          []Waiver `json:"waivers"`
}

// Environment holds the rotation and trust rules of one environment.
type Environment struct {
	// MaxRotationDays is the largest allowed age of a secret's current
	// value; 0 means manual rotation (no limit, reported as info).
	MaxRotationDays int `json:"max_rotation_days"`
	// WarnDays is how many days before the limit a warning starts.
	WarnDays int `json:"warn_days"`
	// GraceHours is added to the limit before a secret counts as overdue.
	GraceHours int `json:"grace_hours"`
	// RequireRotation demands automatic rotation to be enabled.
	RequireRotation bool `json:"require_rotation"`
	// Production marks environments whose roles must be pinned to a
	// branch, tag or GitHub environment, and whose findings rank higher.
	Production bool `json:"production"`
}

// Naming is the secret naming convention.
type Naming struct {
	// Pattern is the human form, e.g. "{env}/{service}/{type}".
	Pattern string `json:"pattern"`
	// Regex is the anchored regular expression compiled from Pattern.
	Regex string `json:"regex"`
}

// GitHub says who may assume roles through GitHub's OIDC provider.
type GitHub struct {
	Organizations []string `json:"organizations"`
	Repositories  []string `json:"repositories"` // "org/repo"
	Audience      string   `json:"audience"`     // sts.amazonaws.com
	// Issuers are the OIDC provider hosts considered GitHub's, e.g.
	// token.actions.githubusercontent.com.
	Issuers []string `json:"issuers"`
	// ProtectedEnvironments are the GitHub environment names or patterns
	// ("release-*") that the organisation protects with deployment-branch
	// rules. A trust that admits any other environment admits pull
	// requests: environments are created on first use.
	ProtectedEnvironments []string `json:"protected_environments"`
}

// Waiver accepts a rule's findings on matching resources until it expires.
type Waiver struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"` // glob, "/" separated, ** crosses
	Reason   string `json:"reason"`
	Owner    string `json:"owner"`
	Expires  string `json:"expires,omitempty"` // RFC 3339; empty: never
	File     string `json:"file"`
	Line     int    `json:"line"`
}

// Location is where a fact came from.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// Role is an IAM role declared in the repository or read from AWS.
type Role struct {
	// ID is unique within the input (ARN when known, else file#logical id).
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	ARN         string            `json:"arn,omitempty"`
	Path        string            `json:"path,omitempty"`
	Environment string            `json:"environment,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	// Trust is the assume-role policy; nil when unknown.
	Trust *PolicyDocument `json:"trust"`
	// PolicyIDs are the Policy.ID values in effect for this role: its inline
	// policies and the managed policies attached to it that are known.
	PolicyIDs []string `json:"policy_ids"`
	// AttachedARNs are managed policy ARNs attached to the role, known or not.
	AttachedARNs []string `json:"attached_arns,omitempty"`
	Source       string   `json:"source"` // iam-json|cloudformation|terraform|inventory
	// Assumptions say what this fact depends on that the files alone do
	// not fix: the branch of a CloudFormation Fn::If that was taken
	// ("condition IsProd is false"), a Terraform value unknown offline
	// ("var.github_org has no value"). Findings on the fact repeat them.
	// Empty when the fact is exactly what the files say.
	Assumptions []string `json:"assumptions,omitempty"`
	Location
}

// Policy is one permission policy document.
type Policy struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	ARN  string `json:"arn,omitempty"`
	// Kind is inline, managed or standalone (a lone JSON document).
	Kind        string         `json:"kind"`
	Environment string         `json:"environment,omitempty"`
	RoleIDs     []string       `json:"role_ids"` // roles it is in effect for
	Document    PolicyDocument `json:"document"`
	Source      string         `json:"source"`
	// Assumptions say what this fact depends on that the files alone do
	// not fix: the branch of a CloudFormation Fn::If that was taken
	// ("condition IsProd is false"), a Terraform value unknown offline
	// ("var.github_org has no value"). Findings on the fact repeat them.
	// Empty when the fact is exactly what the files say.
	Assumptions []string `json:"assumptions,omitempty"`
	Location
}

// PolicyDocument is an IAM policy normalised: every list-or-string field is
// a list, condition values are strings, condition keys are lower-case, and
// each statement knows its line.
type PolicyDocument struct {
	Version   string      `json:"version"`
	Statement []Statement `json:"statement"`
	// Duplicates are keys the document's JSON repeats in one object. IAM
	// keeps the last of them, and so does the normalised document; the
	// earlier ones have no effect.
	Duplicates []DuplicateKey `json:"duplicates,omitempty"`
	Location
}

// DuplicateKey is a key written twice in one JSON object of a policy.
type DuplicateKey struct {
	// Statement is the index of the statement it is in, -1 for the
	// document's own keys.
	Statement int `json:"statement"`
	// Path names the object and key: "Condition.StringEquals",
	// "Condition.StringLike.token.actions.githubusercontent.com:sub",
	// "Action", "Statement".
	Path string `json:"path"`
	// Line is where the ignored occurrence is, KeptLine where the one IAM
	// uses is.
	Line     int `json:"line"`
	KeptLine int `json:"kept_line"`
	// Dropped lists the condition keys (lower-case) of an ignored operator
	// block, or of an ignored Condition object, that the kept one lacks,
	// which therefore constrain nothing.
	Dropped []string `json:"dropped,omitempty"`
	// Values and KeptValues: for a condition key repeated inside one
	// operator block, the values of the ignored occurrence and of the one
	// IAM uses.
	Values     []string `json:"values,omitempty"`
	KeptValues []string `json:"kept_values,omitempty"`
}

// Statement is one normalised IAM policy statement. Action and NotAction,
// Resource and NotResource are nil when absent; an empty list means the
// document had an empty list.
type Statement struct {
	Sid          string              `json:"sid,omitempty"`
	Effect       string              `json:"effect"`
	Principal    map[string][]string `json:"principal,omitempty"` // "AWS", "Federated", "Service", "CanonicalUser"; "*" becomes {"AWS":["*"]}
	NotPrincipal map[string][]string `json:"not_principal,omitempty"`
	Action       []string            `json:"action"`
	NotAction    []string            `json:"not_action"`
	Resource     []string            `json:"resource"`
	NotResource  []string            `json:"not_resource"`
	// Condition maps operator (as written, e.g. "StringLike",
	// "ForAnyValue:StringEquals", "StringEqualsIfExists") to lower-cased
	// condition key to values.
	Condition map[string]map[string][]string `json:"condition,omitempty"`
	// Index is the statement's position in the document.
	Index int `json:"index"`
	Location
}

// Secret is a Secrets Manager secret declared in the repository or read
// from AWS. Dates are RFC 3339 strings, empty when unknown.
type Secret struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	ARN         string            `json:"arn,omitempty"`
	Region      string            `json:"region,omitempty"`
	Environment string            `json:"environment,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	KMSKeyID    string            `json:"kms_key_id,omitempty"`
	// RotationEnabled is nil when the source cannot tell.
	RotationEnabled *bool `json:"rotation_enabled"`
	// RotationDays is AutomaticallyAfterDays, 0 when unknown or unset.
	RotationDays int `json:"rotation_days,omitempty"`
	// RotationSchedule is a ScheduleExpression (rate() or cron()) if set.
	RotationSchedule string `json:"rotation_schedule,omitempty"`
	CreatedDate      string `json:"created_date,omitempty"`
	LastRotatedDate  string `json:"last_rotated_date,omitempty"`
	LastChangedDate  string `json:"last_changed_date,omitempty"`
	NextRotationDate string `json:"next_rotation_date,omitempty"`
	// ResourcePolicy is the secret's resource policy when known.
	ResourcePolicy *PolicyDocument `json:"resource_policy,omitempty"`
	Source         string          `json:"source"` // cloudformation|terraform|inventory
	// Assumptions say what this fact depends on that the files alone do
	// not fix: the branch of a CloudFormation Fn::If that was taken
	// ("condition IsProd is false"), a Terraform value unknown offline
	// ("var.github_org has no value"). Findings on the fact repeat them.
	// Empty when the fact is exactly what the files say.
	Assumptions []string `json:"assumptions,omitempty"`
	Location
}

// Leak is a redacted leak-scanner finding.
type Leak struct {
	RuleID      string  `json:"rule_id"`
	Description string  `json:"description"`
	Redacted    string  `json:"redacted"` // at most the first 4 characters, then "…"
	Entropy     float64 `json:"entropy"`
	Commit      string  `json:"commit,omitempty"`
	Author      string  `json:"author,omitempty"`
	Fingerprint string  `json:"fingerprint"`
	// LiveSecret names the Secrets Manager secret whose current or previous
	// value equals the leaked string, when one does.
	LiveSecret string `json:"live_secret,omitempty"`
	// ConfigReference says what the match is when it is not a secret but
	// a reference to one in the loaded configuration file: "credential
	// name" for the name of a credential listed under credentials: (the
	// file, the line of its secret: entry and the matched text all agree).
	ConfigReference string `json:"config_reference,omitempty"`
	Location
}

// Credential is the outcome of resolving one required credential: its
// shape, never its value.
type Credential struct {
	// Secret is the name (or ARN) as configured.
	Secret string `json:"secret"`
	Region string `json:"region,omitempty"`
	// Type is the configured (or name-implied) type: api, db, json, string
	// or "" for any value.
	Type string `json:"type,omitempty"`
	// Fields are the JSON keys that must be present, non-empty and not a
	// placeholder.
	Fields []string `json:"fields"`
	// Checked is false when the secret could not be checked (throttled
	// beyond retries, timed out, endpoint unreachable, service error): the
	// resolve check is then error, and rules do not judge the credential.
	Checked bool `json:"checked"`
	// Readable is true when GetSecretValue returned the AWSCURRENT value.
	Readable bool `json:"readable"`
	// ErrorClass classifies why it is not readable: access_denied,
	// decryption_failed, not_found, deleted, invalid_request (checked), or
	// throttled, timeout, unreachable, service_error (not checked).
	ErrorClass string `json:"error_class,omitempty"`
	// Error is the reason, as AWS gave it (never a value).
	Error string `json:"error,omitempty"`
	// VersionID is the id of the AWSCURRENT version read.
	VersionID string `json:"version_id,omitempty"`
	// Format is json (a JSON object), string, binary, or invalid_json (a
	// value that starts like a JSON object and does not parse).
	Format string `json:"format,omitempty"`
	// Empty is true when the whole value is empty or blank.
	Empty bool `json:"empty"`
	// PlaceholderValue is true when the whole value is a placeholder.
	PlaceholderValue bool     `json:"placeholder"`
	MissingFields    []string `json:"missing_fields"`
	EmptyFields      []string `json:"empty_fields"`
	Placeholder      []string `json:"placeholder_fields"`
	// PreviousRequired demands an AWSPREVIOUS version (prod by default).
	PreviousRequired bool `json:"previous_required"`
	// HasPrevious says whether an AWSPREVIOUS version exists; null when it
	// could not be told.
	HasPrevious *bool  `json:"has_previous"`
	Environment string `json:"environment,omitempty"`
	Location
}
