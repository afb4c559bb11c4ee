package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/inventory"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/run"
)

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
policies, and OIDC providers; it writes them as a snapshot that secretgate
check --offline judges like live state. It never reads a secret's value.
The snapshot's format:
https://github.com/secretgate/secretgate/blob/main/docs/inventory.md

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
	fl.StringVarP(&f.config, "config", "c", "", "configuration file (default: .secretgate.yml at --path when present)")
	fl.StringVar(&f.roleARN, "role-arn", "", "role to assume (OIDC in GitHub Actions, AssumeRole elsewhere)")
	fl.StringArrayVar(&f.regions, "region", nil, "AWS region (repeatable)")
	return cmd
}

func runInventory(ctx context.Context, f inventoryFlags, stdout, stderr io.Writer, env Env) error {
	if f.out == "" {
		return usageError(errors.New("--out FILE is required"))
	}
	_, cfg, err := loadRepoConfig(f.path, f.config)
	if err != nil {
		return usageError(err)
	}
	snap, incomplete, err := run.ReadInventory(ctx, run.AWS{RoleARN: f.roleARN, Regions: f.regions}, cfg, env, stderr)
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
