package run

import (
	"context"
	"fmt"
	"strings"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/leaks"
	"github.com/secretgate/secretgate/internal/resolve"
	"github.com/secretgate/secretgate/internal/result"
)

// Resolve gathers the facts of the resolve check: each required credential
// read from Secrets Manager and described by its shape. It also holds the
// values read (in memory only) for the leak scanner's live-value match: run
// it before the Leaks gatherer and set that scanner's Live to it. Close
// zeroes the values.
type Resolve struct {
	Resolver    *resolve.Resolver
	Credentials []config.Credential
	// Audit is the audit log the resolver writes to; its write errors make
	// the check incomplete.
	Audit *resolve.AuditLog
}

var (
	_ Gatherer         = (*Resolve)(nil)
	_ leaks.LiveValues = (*Resolve)(nil)
)

// NewResolve prepares the resolve check of creds, read with client as
// callerARN (for the audit log). opts.Audit receives one record per read.
func NewResolve(client resolve.Client, creds []config.Credential, opts resolve.Options) *Resolve {
	return &Resolve{Resolver: resolve.New(client, opts), Credentials: creds, Audit: opts.Audit}
}

// Name implements Gatherer.
func (g *Resolve) Name() string { return "credential resolver" }

// Families implements Gatherer.
func (g *Resolve) Families() []string { return []string{result.CheckResolve} }

// Gather implements Gatherer. Resources counts the credentials. Every
// credential becomes a fact, read or not; those that could not be checked
// make the check error (the run incomplete) with the reason.
func (g *Resolve) Gather(ctx context.Context, in *facts.Input) Outcome {
	out := Outcome{Resources: map[string]int{}, Errors: map[string]string{}}
	res := g.Resolver.Resolve(ctx, g.Credentials)
	in.Credentials = append(in.Credentials, res.Credentials...)
	out.Resources[result.CheckResolve] = len(res.Credentials)
	probs := res.Problems
	if err := g.Audit.Err(); err != nil {
		probs = append(probs, fmt.Sprintf("audit log: %v", err))
	}
	if len(probs) > 0 {
		out.Errors[result.CheckResolve] = strings.Join(probs, "; ")
	}
	return out
}

// Values implements leaks.LiveValues with the values read by Gather.
func (g *Resolve) Values(ctx context.Context, yield func(secret string, value []byte) bool) error {
	return g.Resolver.Values(ctx, yield)
}

// Close zeroes the values held.
func (g *Resolve) Close() error { return g.Resolver.Close() }
