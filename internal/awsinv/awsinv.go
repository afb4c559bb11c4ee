// Package awsinv reads an AWS account's live state into an inventory
// snapshot (internal/inventory): Secrets Manager metadata per region, IAM
// roles with their trust, inline and managed policies, and OIDC identity
// providers. It reads metadata only, never a secret's value.
//
// Calls run with bounded concurrency; retries and per-call time limits come
// from the aws.Config (internal/awsauth). A call that fails for good does
// not end the inventory: what was gathered is kept, and the check families
// that depended on the missing part are reported with the reason, so the
// run is incomplete instead of wrong.
package awsinv

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"

	"github.com/secretgate/secretgate/internal/inventory"
	"github.com/secretgate/secretgate/internal/result"
)

// DefaultConcurrency bounds parallel API calls when Options leaves it 0.
const DefaultConcurrency = 8

// Options configure Collect.
type Options struct {
	// Regions whose secrets are listed; empty means the config's region.
	Regions []string
	// Concurrency bounds the API calls in flight.
	Concurrency int
	// Account is the caller's account id, recorded in the snapshot.
	Account string
	// Now stamps the snapshot (time.Now when nil).
	Now func() time.Time
}

// Result is a snapshot and what could not be read.
type Result struct {
	Snapshot *inventory.Snapshot
	// Errors maps a check family (naming, rotation, iam, trust) to why
	// its part of the inventory is incomplete. Empty when complete.
	Errors map[string]string
	// IAMMethod says how IAM was read: "GetAccountAuthorizationDetails"
	// or "per-role".
	IAMMethod string
}

// Families of the parts of the inventory.
var (
	secretFamilies = []string{result.CheckNaming, result.CheckRotation}
	iamFamilies    = []string{result.CheckIAM, result.CheckTrust}
)

// Collect reads the account behind cfg.
func Collect(ctx context.Context, cfg aws.Config, o Options) Result {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	regions := o.Regions
	if len(regions) == 0 {
		regions = []string{cfg.Region}
	}
	limit := o.Concurrency
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	c := &collector{cfg: cfg, sem: make(chan struct{}, limit), probs: &problems{m: map[string][]string{}}}
	snap := &inventory.Snapshot{
		Schema:      inventory.Schema,
		GeneratedAt: now().UTC().Truncate(time.Second),
		Account:     o.Account,
		Regions:     append([]string(nil), regions...),
	}

	// The parts run side by side without a limit of their own: what is
	// limited is the API calls they make (collector.call), across parts.
	var (
		g       errgroup.Group
		secrets = make([][]inventory.Secret, len(regions))
		iamRes  iamResult
		oidc    []inventory.OIDCProvider
	)
	for i, r := range regions {
		g.Go(func() error { secrets[i] = c.secrets(ctx, r); return nil })
	}
	g.Go(func() error { iamRes = c.iam(ctx); return nil })
	g.Go(func() error { oidc = c.oidcProviders(ctx); return nil })
	_ = g.Wait() // each part records its problems in c.probs

	for _, s := range secrets {
		snap.Secrets = append(snap.Secrets, s...)
	}
	snap.Roles, snap.Policies, snap.OIDCProviders = iamRes.roles, iamRes.policies, oidc
	if snap.Secrets == nil {
		snap.Secrets = []inventory.Secret{}
	}
	if snap.Roles == nil {
		snap.Roles = []inventory.Role{}
	}
	if snap.Policies == nil {
		snap.Policies = []inventory.Policy{}
	}
	if snap.OIDCProviders == nil {
		snap.OIDCProviders = []inventory.OIDCProvider{}
	}
	return Result{Snapshot: snap, Errors: c.probs.summary(), IAMMethod: iamRes.method}
}

// collector carries what every part of the inventory needs.
type collector struct {
	cfg   aws.Config
	sem   chan struct{}
	probs *problems
}

// call runs fn while holding one of the concurrency slots. The slots are a
// semaphore shared by every part and nesting level (each below also calls
// through it), which an errgroup's limit cannot be: a part waiting for
// its items would hold a slot the items need.
func (c *collector) call(ctx context.Context, fn func(context.Context) error) error {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.sem }()
	return fn(ctx)
}

// each runs fn for every item with the collector's concurrency.
func each[T any](ctx context.Context, c *collector, items []T, fn func(context.Context, T)) {
	var g errgroup.Group
	g.SetLimit(cap(c.sem))
	for _, it := range items {
		g.Go(func() error { fn(ctx, it); return nil })
	}
	_ = g.Wait()
}

// problems collects the reasons families are incomplete.
type problems struct {
	mu sync.Mutex
	m  map[string][]string
}

func (p *problems) add(families []string, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range families {
		p.m[f] = append(p.m[f], msg)
	}
}

// summary gives one reason per family: the first problem (in sorted order,
// so runs are stable) and how many more there were.
func (p *problems) summary() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]string{}
	for f, msgs := range p.m {
		sort.Strings(msgs)
		msgs = compact(msgs)
		s := msgs[0]
		if len(msgs) > 1 {
			s += fmt.Sprintf(" (and %d more)", len(msgs)-1)
		}
		out[f] = s
	}
	return out
}

func compact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// describe shortens an SDK error for a report: the operation, the error
// code and message, without request ids.
func describe(op string, err error) string {
	s := err.Error()
	var ae smithy.APIError
	if errors.As(err, &ae) {
		s = ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) {
		s += fmt.Sprintf(" (gave up after %d attempts)", me.Attempt)
	}
	if errors.Is(err, context.DeadlineExceeded) && !strings.Contains(s, "deadline") {
		s += " (timed out)"
	}
	return op + ": " + s
}
