package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/awsauth"
	"github.com/secretgate/secretgate/internal/awsinv"
	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/inventory"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/run"
)

// live is a run's access to the AWS account. The session is established
// on first use, so a run that checks nothing live (--only leaks) never
// talks to AWS; every user shares the one session.
type live struct {
	auth        awsauth.Options
	regions     []string
	concurrency int

	once sync.Once
	sess *awsauth.Session
	err  error
}

// newLive takes the role and regions from the flags, else from the aws
// section of the configuration.
func newLive(roleARN string, regions []string, cfg *config.Config, env Env, log io.Writer) *live {
	a := cfg.AWS
	if roleARN == "" {
		roleARN = a.RoleARN
	}
	if len(regions) == 0 {
		regions = a.Regions
	}
	l := &live{
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
func (l *live) Session(ctx context.Context) (*awsauth.Session, error) {
	l.once.Do(func() {
		l.sess, l.err = awsauth.Load(ctx, l.auth)
		if l.err == nil && len(l.regions) == 0 {
			l.regions = []string{l.sess.Config.Region}
		}
	})
	return l.sess, l.err
}

// Regions are the regions to read: --region, aws.regions, else the SDK's.
func (l *live) Regions() []string { return l.regions }

// ReadInventory implements run.InventoryReader.
func (l *live) ReadInventory(ctx context.Context) (*inventory.Snapshot, map[string]string, error) {
	sess, err := l.Session(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("live AWS: %w", err)
	}
	res := awsinv.Collect(ctx, sess.Config, awsinv.Options{Regions: l.regions, Concurrency: l.concurrency, Account: sess.Account})
	return res.Snapshot, res.Errors, nil
}

// Gatherer is the live inventory as a check gatherer.
func (l *live) Gatherer() run.Gatherer { return &run.LiveInventory{Reader: l} }

// fillContext records whose account was checked, as far as it is known.
func (l *live) fillContext(c *result.Context) {
	if l.sess == nil {
		return
	}
	c.Account = l.sess.Account
	if l.sess.RoleARN != "" {
		c.RoleARN = l.sess.RoleARN
	}
	c.Regions = l.regions
}

type inventoryFlags struct {
	out, config, path string
	roleARN           string
	regions           []string
}

func newInventoryCmd(stdout, stderr io.Writer, env Env) *cobra.Command {
	var f inventoryFlags
	cmd := &cobra.Command{
		Use:   "inventory --out FILE",
		Short: "Write the live AWS state (no secret values) as a snapshot the offline check reads",
		Long: `inventory reads the AWS account behind the credentials (or --role-arn):
Secrets Manager metadata in each --region, IAM roles with their trust and
policies, and OIDC providers; it writes them as a snapshot (docs/inventory.md)
that secretgate check --offline judges like live state. It never reads a
secret's value.

When part of the account could not be read (access denied, throttling that
outlasted the retries, a time-out), the snapshot is still written with what
was read, records what is missing under "incomplete", and the command exits
3; a check of such a snapshot is incomplete too.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runInventory(cmd.Context(), f, stdout, stderr, env)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "", "snapshot file to write (- for standard output)")
	fl.StringVar(&f.path, "path", ".", "repository root, where .secretgate.yml is looked for")
	fl.StringVar(&f.config, "config", "", "configuration file (default: .secretgate.yml at --path when present)")
	fl.StringVar(&f.roleARN, "role-arn", "", "role to assume (OIDC in GitHub Actions, AssumeRole elsewhere)")
	fl.StringArrayVar(&f.regions, "region", nil, "AWS region (repeatable)")
	return cmd
}

func runInventory(ctx context.Context, f inventoryFlags, stdout, stderr io.Writer, env Env) error {
	if f.out == "" {
		return usageError(errors.New("--out FILE is required"))
	}
	root, err := filepath.Abs(f.path)
	if err != nil {
		return usageError(fmt.Errorf("--path %s: %w", f.path, err))
	}
	cfgPath, err := config.Find(root, f.config)
	if err != nil {
		return usageError(err)
	}
	cfg := config.Default()
	if cfgPath != "" {
		if cfg, err = config.Load(cfgPath); err != nil {
			return usageError(err)
		}
	}
	l := newLive(f.roleARN, f.regions, cfg, env, stderr)
	snap, incomplete, err := l.ReadInventory(ctx)
	if err != nil {
		return &ExitError{Code: result.ExitIncomplete, Err: fmt.Errorf("inventory: %w", err)}
	}
	snap.Incomplete = incomplete
	if err := writeSnapshot(f.out, snap, stdout); err != nil {
		return &ExitError{Code: result.ExitIncomplete, Err: err}
	}
	fmt.Fprintf(stderr, "inventory: account %s, %d secret(s) in %s, %d role(s), %d managed polic(ies), %d OIDC provider(s)\n",
		snap.Account, len(snap.Secrets), strings.Join(snap.Regions, ","), len(snap.Roles), len(snap.Policies), len(snap.OIDCProviders))
	if len(incomplete) > 0 {
		fams := make([]string, 0, len(incomplete))
		for fam := range incomplete {
			fams = append(fams, fam)
		}
		sort.Strings(fams)
		var msgs []string
		for _, fam := range fams {
			msgs = append(msgs, fam+": "+incomplete[fam])
		}
		return &ExitError{Code: result.ExitIncomplete, Err: fmt.Errorf("inventory incomplete (written with what could be read):\n  %s", strings.Join(msgs, "\n  "))}
	}
	return nil
}

// writeSnapshot writes to a temporary file first, so that a failed run
// never leaves half a snapshot where a committed one was.
func writeSnapshot(path string, snap *inventory.Snapshot, stdout io.Writer) error {
	if path == "-" {
		return inventory.Write(stdout, snap)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secretgate-inventory-*")
	if err != nil {
		return fmt.Errorf("write inventory: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := inventory.Write(tmp, snap); err != nil {
		tmp.Close()
		return fmt.Errorf("write inventory %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write inventory %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write inventory %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write inventory %s: %w", path, err)
	}
	return nil
}

// explainRefusal writes to w, when the role assumption was refused and the
// token's claims are known, which trust condition refused them (or the
// closest miss) and which attacker subjects the role admits. roles are the
// roles gathered from the repository (and the inventory, when readable).
func (l *live) explainRefusal(ctx context.Context, w io.Writer, engine *policy.Engine, roles []facts.Role) {
	var ae *awsauth.AssumeRoleError
	if !errors.As(l.err, &ae) || len(ae.Claims) == 0 {
		return
	}
	fmt.Fprintf(w, "\nsecretgate: %s refused the role assumption; why:\n", ae.RoleARN)
	if err := ExplainRefusal(ctx, w, engine, ae.RoleARN, ae.Claims, roles); err != nil {
		fmt.Fprintf(w, "secretgate: cannot explain the refusal: %v\n", err)
	}
}
