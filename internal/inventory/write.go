package inventory

import (
	"encoding/json"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// Write encodes s as indented JSON in a stable form: lists sorted (secrets
// by region and name, roles by path and name, policies and providers by
// ARN, names and ARNs within them alphabetically), map keys sorted, dates
// in UTC, documents re-indented, empty lists written as []. s itself is
// not modified. Two inventories of the same state are byte-identical
// apart from generated_at, so snapshots diff well in version control.
func Write(w io.Writer, s *Snapshot) error {
	c := normalized(s)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(c)
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	if out == nil {
		out = []string{}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func normalized(s *Snapshot) *Snapshot {
	c := &Snapshot{
		Schema:        Schema,
		GeneratedAt:   utc(s.GeneratedAt),
		Account:       s.Account,
		Regions:       sortedCopy(s.Regions),
		Secrets:       make([]Secret, len(s.Secrets)),
		Roles:         make([]Role, len(s.Roles)),
		Policies:      make([]Policy, len(s.Policies)),
		OIDCProviders: make([]OIDCProvider, len(s.OIDCProviders)),
		Incomplete:    maps.Clone(s.Incomplete),
	}
	for i, x := range s.Secrets {
		x.Tags = maps.Clone(x.Tags)
		for _, t := range []*time.Time{&x.CreatedDate, &x.LastRotatedDate, &x.LastChangedDate, &x.LastAccessedDate, &x.NextRotationDate, &x.DeletedDate} {
			*t = utc(*t)
		}
		if x.Versions != nil {
			v := *x.Versions
			x.Versions = &v
		}
		c.Secrets[i] = x
	}
	sort.SliceStable(c.Secrets, func(i, j int) bool {
		a, b := c.Secrets[i], c.Secrets[j]
		return cmpStrings(a.Region, b.Region, a.Name, b.Name, a.ARN, b.ARN) < 0
	})
	for i, x := range s.Roles {
		x.Tags = maps.Clone(x.Tags)
		x.CreateDate, x.LastUsedDate = utc(x.CreateDate), utc(x.LastUsedDate)
		x.InlinePolicies = slices.Clone(x.InlinePolicies)
		if x.InlinePolicies == nil {
			x.InlinePolicies = []InlinePolicy{}
		}
		sort.SliceStable(x.InlinePolicies, func(i, j int) bool { return x.InlinePolicies[i].Name < x.InlinePolicies[j].Name })
		x.AttachedPolicyARNs = sortedCopy(x.AttachedPolicyARNs)
		c.Roles[i] = x
	}
	sort.SliceStable(c.Roles, func(i, j int) bool {
		a, b := c.Roles[i], c.Roles[j]
		return cmpStrings(a.Path, b.Path, a.Name, b.Name, a.ARN, b.ARN) < 0
	})
	for i, x := range s.Policies {
		x.Attachments = Attachments{
			Roles:  sortedCopy(x.Attachments.Roles),
			Users:  sortedCopy(x.Attachments.Users),
			Groups: sortedCopy(x.Attachments.Groups),
		}
		if len(x.Attachments.Users) == 0 {
			x.Attachments.Users = nil
		}
		if len(x.Attachments.Groups) == 0 {
			x.Attachments.Groups = nil
		}
		c.Policies[i] = x
	}
	sort.SliceStable(c.Policies, func(i, j int) bool { return c.Policies[i].ARN < c.Policies[j].ARN })
	for i, x := range s.OIDCProviders {
		x.ClientIDs = sortedCopy(x.ClientIDs)
		x.Thumbprints = sortedCopy(x.Thumbprints)
		if len(x.Thumbprints) == 0 {
			x.Thumbprints = nil
		}
		x.Tags = maps.Clone(x.Tags)
		c.OIDCProviders[i] = x
	}
	sort.SliceStable(c.OIDCProviders, func(i, j int) bool { return c.OIDCProviders[i].ARN < c.OIDCProviders[j].ARN })
	return c
}

// cmpStrings compares pairs (a1, b1), (a2, b2), ... lexicographically.
func cmpStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}
