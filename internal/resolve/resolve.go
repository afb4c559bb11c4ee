// Package resolve fetches the credentials an application needs from AWS
// Secrets Manager and describes their shape as facts for the resolve rules:
// readable with the role, parses, has every required field present,
// non-empty and not a placeholder, and (in production) has an AWSPREVIOUS
// version to roll back to. Values never leave memory: they are offered to
// the leak scanner through Values (leaks.LiveValues) and zeroed by Close.
// Every read is written to the audit log, without its value.
package resolve

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sync/errgroup"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
)

// Version stages read.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
)

// Client is the part of *secretsmanager.Client the resolver uses, so that
// it works over any aws.Config (ambient credentials, an assumed role).
// AWSPREVIOUS is read with GetSecretValue too: the role needs no other
// permission, and the previous value takes part in the live-value match.
type Client interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ Client = (*secretsmanager.Client)(nil)

// Options configure a Resolver.
type Options struct {
	// Concurrency bounds the credentials resolved at once (default
	// config.DefaultConcurrency).
	Concurrency int
	// Timeout bounds each GetSecretValue call, retries included (default
	// config.DefaultTimeout).
	Timeout time.Duration
	// Audit receives one record per read; nil records nothing.
	Audit *AuditLog
	// CallerARN is the identity reads are made as, for the audit log.
	CallerARN string
	// ConfigFile is the configuration file the credentials come from, as
	// the facts' location.
	ConfigFile string
}

// MinLiveValueLen is the shortest value offered to the leak matcher: a
// shorter field (a port, a user name like "admin") equalling a leak would
// be a coincidence, not a leak of the credential.
const MinLiveValueLen = 8

// Resolver resolves credentials and holds their values in memory until
// Close.
type Resolver struct {
	client Client
	opts   Options

	mu     sync.Mutex
	values []liveValue
}

type liveValue struct {
	secret string
	value  []byte
}

// New returns a resolver that reads with client.
func New(client Client, opts Options) *Resolver {
	if opts.Concurrency <= 0 {
		opts.Concurrency = config.DefaultConcurrency
	}
	if opts.Timeout <= 0 {
		opts.Timeout = config.DefaultTimeout
	}
	return &Resolver{client: client, opts: opts}
}

// Result is the outcome of Resolve.
type Result struct {
	// Credentials are the facts, one per credential, in the order given.
	Credentials []facts.Credential
	// Problems say what could not be checked; each makes the resolve check
	// error (the run incomplete).
	Problems []string
}

// Resolve reads and checks each credential, at most Options.Concurrency at
// a time. A credential that fails does not stop the others.
func (r *Resolver) Resolve(ctx context.Context, creds []config.Credential) Result {
	out := make([]facts.Credential, len(creds))
	probs := make([][]string, len(creds))
	// Once the endpoint has proved unreachable, the credentials not yet
	// started are not tried: each would wait out its retries and timeout
	// for the same answer.
	var unreachable atomic.Bool
	var g errgroup.Group
	g.SetLimit(r.opts.Concurrency)
	for i, cr := range creds {
		notRead := func(class, why string) {
			out[i] = r.base(cr)
			out[i].ErrorClass, out[i].Error = class, "not read: "+why
			probs[i] = []string{fmt.Sprintf("could not read %s: %s", cr.Secret, why)}
		}
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				notRead(ClassTimeout, err.Error())
				return nil
			}
			if unreachable.Load() {
				notRead(ClassUnreachable, "the endpoint was unreachable for another credential")
				return nil
			}
			out[i], probs[i] = r.resolveOne(ctx, cr)
			if out[i].ErrorClass == ClassUnreachable {
				unreachable.Store(true)
			}
			return nil
		})
	}
	_ = g.Wait() // a credential that fails says so in its facts and problems
	res := Result{Credentials: out}
	for _, p := range probs {
		res.Problems = append(res.Problems, p...)
	}
	if n := len(res.Problems); n > maxProblems {
		res.Problems = append(res.Problems[:maxProblems:maxProblems],
			fmt.Sprintf("and %d more (each credential's reason is in the input document, --write-input)", n-maxProblems))
	}
	return res
}

// maxProblems is how many reasons the check's error lists before it counts
// the rest.
const maxProblems = 5

func (r *Resolver) base(cr config.Credential) facts.Credential {
	fields := cr.Fields
	if fields == nil {
		fields = []string{}
	}
	return facts.Credential{
		Secret:           cr.Secret,
		Region:           cr.Region,
		Type:             cr.Type,
		Fields:           fields,
		MissingFields:    []string{},
		EmptyFields:      []string{},
		Placeholder:      []string{},
		PreviousRequired: cr.PreviousRequired,
		Environment:      cr.Environment,
		Location:         facts.Location{File: r.opts.ConfigFile, Line: cr.Line},
	}
}

func (r *Resolver) resolveOne(ctx context.Context, cr config.Credential) (facts.Credential, []string) {
	fc := r.base(cr)
	cur, err := r.read(ctx, cr, StageCurrent)
	if err != nil {
		fc.ErrorClass, fc.Error = classify(ctx, err)
		fc.Checked = Checked(fc.ErrorClass)
		if !fc.Checked {
			return fc, []string{fmt.Sprintf("could not read %s: %s", cr.Secret, fc.Error)}
		}
		return fc, nil
	}
	fc.Checked, fc.Readable, fc.VersionID = true, true, cur.versionID
	judge(&fc, cr, cur)
	r.keep(cur.nameOr(cr.Secret), cur)

	var probs []string
	prev, err := r.read(ctx, cr, StagePrevious)
	if err == nil {
		fc.HasPrevious = aws.Bool(true)
		r.keep(prev.nameOr(cr.Secret), prev)
	} else {
		class, reason := classify(ctx, err)
		if class == ClassNotFound {
			// The secret exists (AWSCURRENT was read): no version has
			// the AWSPREVIOUS label.
			fc.HasPrevious = aws.Bool(false)
		} else if cr.PreviousRequired {
			probs = append(probs, fmt.Sprintf("could not tell whether %s has an AWSPREVIOUS version (needed for rollback): %s", cr.Secret, reason))
		}
	}
	return fc, probs
}

// secretValue is one version's value, owned by the resolver.
type secretValue struct {
	text      []byte
	binary    bool
	versionID string
	name      string // the secret's name as AWS returned it
}

// nameOr is the secret's name, or id when AWS did not return one: a leak
// message names prod/bybit/api, not its ARN.
func (v secretValue) nameOr(id string) string {
	if v.name != "" {
		return v.name
	}
	return id
}

// read calls GetSecretValue for stage and records it in the audit log.
func (r *Resolver) read(ctx context.Context, cr config.Credential, stage string) (secretValue, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	var optFns []func(*secretsmanager.Options)
	if cr.Region != "" {
		optFns = append(optFns, func(o *secretsmanager.Options) { o.Region = cr.Region })
	}
	rec := AuditRecord{SecretID: cr.Secret, Region: cr.Region, VersionStage: stage, CallerARN: r.opts.CallerARN}
	outp, err := r.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId:     aws.String(cr.Secret),
		VersionStage: aws.String(stage),
	}, optFns...)
	if err != nil {
		rec.Outcome = "failed"
		rec.ErrorClass, _ = classify(ctx, err)
		r.opts.Audit.Record(rec)
		return secretValue{}, err
	}
	rec.Outcome = "read"
	rec.ARN = aws.ToString(outp.ARN)
	rec.VersionID = aws.ToString(outp.VersionId)
	r.opts.Audit.Record(rec)

	v := secretValue{versionID: aws.ToString(outp.VersionId), name: aws.ToString(outp.Name)}
	switch {
	case outp.SecretString != nil:
		v.text = []byte(*outp.SecretString)
	default:
		// The SDK decoded the bytes for this call alone: they are ours to
		// keep and to zero.
		v.text, v.binary = outp.SecretBinary, true
	}
	return v, nil
}

// keep offers a version's value and its JSON fields to the leak matcher.
func (r *Resolver) keep(secret string, v secretValue) {
	var vals [][]byte
	if len(v.text) >= MinLiveValueLen {
		vals = append(vals, v.text)
	}
	if !v.binary {
		for _, f := range jsonFieldValues(v.text) {
			if len(f) >= MinLiveValueLen {
				vals = append(vals, f)
			} else {
				clear(f)
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range vals {
		r.values = append(r.values, liveValue{secret: secret, value: b})
	}
}

// Values implements leaks.LiveValues: each kept value with its secret's
// name (AWSCURRENT and AWSPREVIOUS, whole and each JSON field on its own).
// yield must not keep the value.
func (r *Resolver) Values(ctx context.Context, yield func(secret string, value []byte) bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, lv := range r.values {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !yield(lv.secret, lv.value) {
			return nil
		}
	}
	return nil
}

// Close zeroes every value held and forgets them. The Go strings the SDK
// and the JSON decoder made on the way cannot be zeroed; nothing refers to
// them after Resolve, and the garbage collector reclaims them.
func (r *Resolver) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, lv := range r.values {
		clear(lv.value)
	}
	r.values = nil
	return nil
}
