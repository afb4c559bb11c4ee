package run

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/secretgate/secretgate/internal/awsauth"
	"github.com/secretgate/secretgate/internal/awsinv"
	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/inventory"
	"github.com/secretgate/secretgate/internal/result"
)

// live is a run's access to the AWS account. The session is established
// on first use, so a run that checks nothing live (--only leaks) never
// talks to AWS; every user shares the one session.
type awsAccess struct {
	auth        awsauth.Options
	regions     []string
	concurrency int

	// preset is a session established by the caller, used instead of
	// one of the run's own (Plan.AWS.Session).
	preset *awsauth.Session

	once sync.Once
	sess *awsauth.Session
	err  error
}

// newLive takes the role and regions from the flags, else from the aws
// section of the configuration.
func newLive(roleARN string, regions []string, cfg *config.Config, env func(string) string, log io.Writer) *awsAccess {
	a := cfg.AWS
	if roleARN == "" {
		roleARN = a.RoleARN
	}
	if len(regions) == 0 {
		regions = a.Regions
	}
	l := &awsAccess{
		regions:     slices.Compact(slices.Clone(regions)),
		concurrency: a.Concurrency,
		auth: awsauth.Options{
			RoleARN:         roleARN,
			Audience:        a.Audience,
			SessionDuration: a.SessionDuration,
			MaxAttempts:     a.MaxAttempts,
			Timeout:         a.Timeout,
			Getenv:          env,
			Log:             log,
		},
	}
	if len(l.regions) > 0 {
		l.auth.Region = l.regions[0]
	}
	return l
}

// Session establishes (once) and returns the AWS session. A refused role
// assumption is an *awsauth.AssumeRoleError.
func (l *awsAccess) Session(ctx context.Context) (*awsauth.Session, error) {
	l.once.Do(func() {
		if l.preset != nil {
			l.sess = l.preset
		} else {
			l.sess, l.err = awsauth.Load(ctx, l.auth)
		}
		if l.err == nil && len(l.regions) == 0 {
			l.regions = []string{l.sess.Config.Region}
		}
	})
	return l.sess, l.err
}

// Regions are the regions to read: --region, aws.regions, else the SDK's.
func (l *awsAccess) Regions() []string { return l.regions }

// ReadInventory implements run.InventoryReader.
func (l *awsAccess) ReadInventory(ctx context.Context) (*inventory.Snapshot, map[string]string, error) {
	sess, err := l.Session(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("live AWS: %w", err)
	}
	res := awsinv.Collect(ctx, sess.Config, awsinv.Options{Regions: l.regions, Concurrency: l.concurrency, Account: sess.Account})
	return res.Snapshot, res.Errors, nil
}

// Gatherer is the live inventory as a check gatherer.
func (l *awsAccess) Gatherer() Gatherer { return &LiveInventory{Reader: l} }

// fillContext records whose account was checked, as far as it is known.
func (l *awsAccess) fillContext(c *result.Context) {
	if l.sess == nil {
		return
	}
	c.Account = l.sess.Account
	if l.sess.RoleARN != "" {
		c.RoleARN = l.sess.RoleARN
	}
	c.Regions = l.regions
}

// ReadInventory reads the live inventory of the AWS account (secretgate
// inventory) with the role and regions of a (else of the configuration's
// aws section). incomplete maps a check family to why its part could not
// be read; err means nothing could be read at all.
func ReadInventory(ctx context.Context, a AWS, cfg *config.Config, env func(string) string, log io.Writer) (snap *inventory.Snapshot, incomplete map[string]string, err error) {
	return newLive(a.RoleARN, a.Regions, cfg, env, log).ReadInventory(ctx)
}

// HubSession establishes the session of the role the run would assume
// (--role-arn, else aws.role_arn; ambient credentials without one): in an
// organisation run, the hub whose credentials list the accounts and assume
// each account's spoke role.
func HubSession(ctx context.Context, roleARN string, regions []string, cfg *config.Config, env func(string) string, log io.Writer) (*awsauth.Session, error) {
	l := newLive(roleARN, regions, cfg, env, log)
	// The hub calls only global services (Organizations, whose endpoint is
	// in us-east-1, and STS), and the regions to check are found per
	// account when none are configured: a runner without AWS_REGION must
	// not stop the organisation run.
	l.auth.FallbackRegion = hubFallbackRegion
	return l.Session(ctx)
}

// hubFallbackRegion is the hub's region when nothing sets one: AWS
// Organizations' home region in the aws partition.
const hubFallbackRegion = "us-east-1"
