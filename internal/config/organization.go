package config

import (
	"regexp"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Organization is the aws.organization section: which accounts of the AWS
// Organization to check and the role to assume in each (the spoke role),
// chained from the hub credentials (docs/organizations.md).
type Organization struct {
	// RoleName is the role assumed in every account:
	// arn:aws:iam::<account>:role/<RoleName>. It may carry a path
	// (security/secretgate-read).
	RoleName string `json:"role_name"`
	// ExternalID is passed to sts:AssumeRole when set.
	ExternalID string `json:"external_id,omitempty"`
	// SessionTags are passed to sts:AssumeRole as session tags.
	SessionTags map[string]string `json:"session_tags,omitempty"`
	// OUs are the roots and organisational units whose accounts (in
	// nested units too) are checked; empty means the whole organisation.
	OUs []string `json:"ous,omitempty"`
	// Include, when set, keeps only these accounts; Exclude drops these.
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
	// Concurrency is the number of accounts checked at once in one process.
	Concurrency int `json:"concurrency"`
}

// DefaultOrgConcurrency is aws.organization.concurrency when not given.
const DefaultOrgConcurrency = 4

// Limits of aws.organization, as STS and Organizations set them.
const (
	maxOrgConcurrency = 64
	maxSessionTags    = 50
)

var (
	organizationKeys = []string{"role_name", "external_id", "session_tags", "ous", "include", "exclude", "concurrency"}
	roleNameRE       = regexp.MustCompile(`^([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$`)
	externalIDRE     = regexp.MustCompile(`^[A-Za-z0-9+=,.@:/_-]+$`)
	ouRE             = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	accountIDRE      = regexp.MustCompile(`^[0-9]{12}$`)
	// tagTextRE is the alphabet of session tag keys and values; their
	// lengths are counted apart (sessionTagKey, sessionTagValue): a
	// bounded repetition of this class, {1,128}, compiles into 128 copies
	// of every Unicode letter, digit and space range — 15 MB and over
	// 100 ms of start-up for every run, configured or not. Even so, the
	// class costs a few hundred microseconds to compile: at first use.
	tagTextRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+@-]*$`) })
)

// sessionTagKey tells whether s is an STS session tag key: 1 to 128
// characters of tagTextRE's alphabet.
func sessionTagKey(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 1 && n <= 128 && tagTextRE().MatchString(s)
}

// sessionTagValue tells whether s is an STS session tag value: up to 256
// characters of tagTextRE's alphabet.
func sessionTagValue(s string) bool {
	return utf8.RuneCountInString(s) <= 256 && tagTextRE().MatchString(s)
}

// organization reads aws.organization; nil when absent or null.
func (d *decoder) organization(n *yaml.Node) *Organization {
	const path = "aws.organization"
	f := d.mapping(n, path, organizationKeys)
	if f == nil || isNull(deref(n)) {
		return nil
	}
	o := &Organization{Concurrency: DefaultOrgConcurrency}
	if v := f.get("role_name"); v != nil {
		if s, ok := d.nonEmpty(v, path+".role_name"); ok {
			if roleNameRE.MatchString(s) {
				o.RoleName = s
			} else {
				d.errorf(deref(v), "%s.role_name: %q is not an IAM role name (letters, digits and +=,.@_-, up to 64, after an optional path)", path, s)
			}
		}
	} else {
		d.errorf(deref(n), "%s: role_name is required: the role secretgate assumes in every account", path)
	}
	if v := f.get("external_id"); v != nil {
		if s, ok := d.nonEmpty(v, path+".external_id"); ok {
			if externalIDRE.MatchString(s) && len(s) >= 2 && len(s) <= 1224 {
				o.ExternalID = s
			} else {
				d.errorf(deref(v), "%s.external_id: want 2 to 1224 of letters, digits and +=,.@:/_-", path)
			}
		}
	}
	if v := f.get("session_tags"); v != nil {
		tags := d.mapping(v, path+".session_tags", nil)
		if tags != nil && len(tags.order) > 0 {
			if len(tags.order) > maxSessionTags {
				d.errorf(deref(v), "%s.session_tags: %d tags, STS takes at most %d", path, len(tags.order), maxSessionTags)
			}
			o.SessionTags = map[string]string{}
			for _, k := range tags.order {
				p := child(path+".session_tags", k)
				if !sessionTagKey(k) {
					d.errorf(deref(tags.keys[k]), "%s: %q is not a session tag key (1 to 128 letters, digits, spaces and _.:/=+@-)", p, k)
					continue
				}
				s, ok := d.str(tags.get(k), p)
				if !ok {
					continue
				}
				if !sessionTagValue(s) {
					d.errorf(deref(tags.get(k)), "%s: not a session tag value (up to 256 letters, digits, spaces and _.:/=+@-)", p)
					continue
				}
				o.SessionTags[k] = s
			}
		}
	}
	o.OUs, _ = d.stringList(f.get("ous"), path+".ous", func(n *yaml.Node, p, s string) bool {
		if !ouRE.MatchString(s) {
			d.errorf(n, "%s: %q is not a root or organizational unit id (r-ab12, ou-ab12-cdef3456)", p, s)
			return false
		}
		return true
	})
	account := func(n *yaml.Node, p, s string) bool {
		if !accountIDRE.MatchString(s) {
			d.errorf(n, "%s: %q is not a 12-digit AWS account id", p, s)
			return false
		}
		return true
	}
	o.Include, _ = d.stringList(f.get("include"), path+".include", account)
	o.Exclude, _ = d.stringList(f.get("exclude"), path+".exclude", account)
	if v := f.get("concurrency"); v != nil {
		if c, ok := d.integer(v, path+".concurrency", 1, maxOrgConcurrency); ok {
			o.Concurrency = c
		}
	}
	return o
}
