// Package inventory defines the snapshot of live AWS state that
// `secretgate inventory --out FILE` writes and `secretgate check` reads
// back: Secrets Manager secrets with their rotation metadata, IAM roles
// with their trust and permission policies, managed policies and OIDC
// providers. docs/inventory.md is the format reference; change both
// together.
//
// A snapshot never contains secret values: the types have no field for
// one, and the live inventory (internal/awsinv) reads metadata only
// (ListSecrets and IAM read calls), never GetSecretValue.
package inventory

import (
	"encoding/json"
	"time"

	"github.com/secretgate/secretgate/internal/doctree"
)

// Schema identifies the snapshot format. Readers reject other versions.
const Schema = "secretgate/inventory/v1"

// SchemaPrefix starts the schema of every snapshot version; the repository
// scanner recognises snapshot files by it.
const SchemaPrefix = "secretgate/inventory/"

// Snapshot is the state of one AWS account at one time. It holds metadata
// only, never a secret value.
type Snapshot struct {
	Schema string `json:"schema"`
	// GeneratedAt is when the inventory was taken (UTC).
	GeneratedAt time.Time `json:"generated_at"`
	// Account is the 12-digit AWS account id.
	Account string `json:"account,omitempty"`
	// Regions are the regions whose secrets were listed.
	Regions       []string       `json:"regions"`
	Secrets       []Secret       `json:"secrets"`
	Roles         []Role         `json:"roles"`
	Policies      []Policy       `json:"policies"`
	OIDCProviders []OIDCProvider `json:"oidc_providers"`
	// Incomplete maps a check family (naming, rotation, iam, trust) to why
	// the inventory's part for it could not be read completely. A reader
	// treats such a snapshot as an input problem: judging what is there
	// as if it were everything would pass what was never seen.
	Incomplete map[string]string `json:"incomplete,omitempty"`

	// file and root remember where a snapshot was read from, so facts
	// can point at lines of it.
	file string
	root *doctree.Node
}

// Secret is a Secrets Manager secret's metadata, as ListSecrets and
// DescribeSecret return it. There is deliberately no field for its value.
type Secret struct {
	Name   string            `json:"name"`
	ARN    string            `json:"arn"`
	Region string            `json:"region"`
	Tags   map[string]string `json:"tags,omitempty"`
	// KMSKeyID is the key that encrypts the secret; empty means the
	// account's default aws/secretsmanager key.
	KMSKeyID string `json:"kms_key_id,omitempty"`
	// RotationEnabled is whether automatic rotation is on; absent means
	// false, as in the Secrets Manager API.
	RotationEnabled   bool   `json:"rotation_enabled"`
	RotationLambdaARN string `json:"rotation_lambda_arn,omitempty"`
	// RotationDays is RotationRules.AutomaticallyAfterDays.
	RotationDays int `json:"rotation_days,omitempty"`
	// RotationSchedule is RotationRules.ScheduleExpression: rate() or
	// cron().
	RotationSchedule string `json:"rotation_schedule,omitempty"`
	// OwningService names the service that manages the secret (for
	// example "rds" for a database master password), if any.
	OwningService string `json:"owning_service,omitempty"`
	// PrimaryRegion is set on replicas.
	PrimaryRegion    string    `json:"primary_region,omitempty"`
	CreatedDate      time.Time `json:"created_date,omitzero"`
	LastRotatedDate  time.Time `json:"last_rotated_date,omitzero"`
	LastChangedDate  time.Time `json:"last_changed_date,omitzero"`
	LastAccessedDate time.Time `json:"last_accessed_date,omitzero"`
	NextRotationDate time.Time `json:"next_rotation_date,omitzero"`
	// DeletedDate is set on secrets scheduled for deletion; they are not
	// turned into facts.
	DeletedDate time.Time `json:"deleted_date,omitzero"`
	// Versions summarises the version stages, never the versions' values.
	Versions *Versions `json:"versions,omitempty"`
	// ResourcePolicy is the secret's resource policy document, if any.
	ResourcePolicy json.RawMessage `json:"resource_policy,omitempty"`
}

// Versions summarises a secret's SecretVersionsToStages.
type Versions struct {
	// Count is the number of versions that carry a staging label.
	Count int `json:"count"`
	// HasCurrent, HasPrevious and HasPending say whether a version is
	// labelled AWSCURRENT, AWSPREVIOUS (rollback possible) and AWSPENDING
	// (a rotation started and did not finish, when it lingers).
	HasCurrent  bool `json:"has_current"`
	HasPrevious bool `json:"has_previous"`
	HasPending  bool `json:"has_pending"`
}

// Role is an IAM role with everything that decides who may assume it and
// what it may do.
type Role struct {
	Name                   string            `json:"name"`
	ARN                    string            `json:"arn"`
	Path                   string            `json:"path,omitempty"`
	Tags                   map[string]string `json:"tags,omitempty"`
	CreateDate             time.Time         `json:"create_date,omitzero"`
	LastUsedDate           time.Time         `json:"last_used_date,omitzero"`
	MaxSessionDuration     int               `json:"max_session_duration,omitempty"`
	PermissionsBoundaryARN string            `json:"permissions_boundary_arn,omitempty"`
	// Trust is the assume-role policy document.
	Trust          json.RawMessage `json:"trust,omitempty"`
	InlinePolicies []InlinePolicy  `json:"inline_policies"`
	// AttachedPolicyARNs are the managed policies attached to the role,
	// whether or not Policies holds them.
	AttachedPolicyARNs []string `json:"attached_policy_arns"`
}

// InlinePolicy is a policy embedded in a role.
type InlinePolicy struct {
	Name     string          `json:"name"`
	Document json.RawMessage `json:"document"`
}

// Policy is a managed policy with its default version's document.
type Policy struct {
	Name             string          `json:"name"`
	ARN              string          `json:"arn"`
	Path             string          `json:"path,omitempty"`
	DefaultVersionID string          `json:"default_version_id,omitempty"`
	Document         json.RawMessage `json:"document,omitempty"`
	Attachments      Attachments     `json:"attachments"`
}

// Attachments names the principals a managed policy is attached to.
type Attachments struct {
	Roles  []string `json:"roles"`
	Users  []string `json:"users,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

// OIDCProvider is an IAM OpenID Connect identity provider.
type OIDCProvider struct {
	ARN         string            `json:"arn"`
	URL         string            `json:"url"`
	ClientIDs   []string          `json:"client_ids"`
	Thumbprints []string          `json:"thumbprints,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// File is the path the snapshot was read from, "" for one built in
// memory.
func (s *Snapshot) File() string { return s.file }
