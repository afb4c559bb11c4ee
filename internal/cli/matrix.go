package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/matrix"
	"github.com/secretgate/secretgate/internal/merge"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/run"
)

// maxAccountsFileBytes caps --accounts-file (100,000 accounts fit).
const maxAccountsFileBytes = 4 << 20

type matrixFlags struct {
	organization bool
	path, config string
	roleARN      string
	regions      []string
	accounts     string
	accountsFile string
	maxJobs      int
	previous     string
	output       string
}

// newMatrixCmd is `secretgate matrix`: the accounts to check, sharded into
// the jobs of a GitHub Actions matrix (docs/organizations.md).
func newMatrixCmd(stdout, stderr io.Writer, env Env) *cobra.Command {
	var f matrixFlags
	cmd := &cobra.Command{
		Use:   "matrix (--organization | --accounts LIST | --accounts-file FILE) [--max-jobs N] [--previous MERGED.json] [--output FILE]",
		Short: "Print a GitHub Actions matrix of the accounts to check, sharded into at most 256 jobs",
		Long: `matrix prints, as one line of JSON, the strategy.matrix of the nightly
organisation workflow: {"include": [{"shard": 1, "accounts": "111111111111,…",
"cost_ms": …}, …]}. Each job checks the accounts of its shard; secretgate
merge --matrix then knows which accounts a missing report leaves unjudged.

With --organization the accounts are those aws.organization selects in
the AWS Organization, listed with the hub credentials (--role-arn, else
aws.role_arn); an included account not found active is sharded too, so that
its job reports it not judged, and is named on standard error. The
organisation's other accounts — excluded by aws.organization (exclude, ous,
include) or not active — are listed with why in the --output file only
("excluded": standard output must stay a strategy.matrix), so that merge
--matrix gives each a row.

Accounts are sharded into at most --max-jobs jobs (GitHub's limit: 256).
With --previous (the previous night's merged report) shards are balanced
by each account's cost that night — the most costly first, each to the
least loaded job — so the slowest job stays near the average; without it,
or for accounts it does not know, accounts count alike. The same accounts
and costs always give the same matrix.

Exit codes: 0 printed, 2 usage error (no accounts, an invalid id), 3 the
organisation could not be listed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMatrix(cmd.Context(), f, stdout, stderr, env)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.organization, "organization", false, "the accounts aws.organization selects in the AWS Organization")
	fl.StringVar(&f.path, "path", ".", "repository root (for its .secretgate.yml)")
	fl.StringVarP(&f.config, "config", "c", "", "configuration file (default: .secretgate.yml at the root when present)")
	fl.StringVar(&f.roleARN, "role-arn", "", "hub role to assume (OIDC in GitHub Actions, AssumeRole elsewhere)")
	fl.StringArrayVar(&f.regions, "region", nil, "AWS region of the hub session")
	fl.StringVar(&f.accounts, "accounts", "", "accounts to check, comma- or space-separated 12-digit ids")
	fl.StringVar(&f.accountsFile, "accounts-file", "", "file of account ids, one per line (# starts a comment; - is standard input)")
	fl.IntVar(&f.maxJobs, "max-jobs", matrix.MaxJobs, "largest number of jobs (1 to 256)")
	fl.StringVar(&f.previous, "previous", "", "previous night's merged JSON report: balance shards by each account's cost")
	fl.StringVarP(&f.output, "output", "o", "", "also write the matrix to this file, with the accounts the configuration excludes (for secretgate merge --matrix)")
	return cmd
}

func runMatrix(ctx context.Context, f matrixFlags, stdout, stderr io.Writer, env Env) error {
	var ids []string
	var excluded []matrix.Excluded
	if f.organization {
		_, cfg, err := loadRepoConfig(f.path, f.config)
		if err != nil {
			return usageError(err)
		}
		l, err := run.ListOrganization(ctx, run.AWS{RoleARN: f.roleARN, Regions: f.regions}, cfg, env, stderr)
		var ue *run.UsageError
		switch {
		case errors.As(err, &ue):
			return usageError(ue.Err)
		case err != nil:
			return &ExitError{Code: result.ExitIncomplete, Err: err}
		}
		for _, a := range l.Accounts {
			ids = append(ids, a.ID)
		}
		for _, e := range l.Excluded {
			excluded = append(excluded, matrix.Excluded{ID: e.ID, Name: e.Name, Reason: e.Reason})
		}
		for _, m := range l.Missing {
			fmt.Fprintf(stderr, "secretgate: warning: account %s %s; its job will report it not judged\n", m.ID, m.Reason)
			ids = append(ids, m.ID)
		}
		if len(ids) == 0 {
			return &ExitError{Code: result.ExitIncomplete, Err: errors.New("aws.organization selects no account: nothing to check")}
		}
	}
	more, err := matrixAccounts(f, len(ids) > 0)
	if err != nil {
		return usageError(err)
	}
	ids = append(ids, more...)
	var cost map[string]int64
	if f.previous != "" {
		// Only the accounts' costs are read: the findings of a large
		// organisation's report (hundreds of MB) are skipped.
		c, err := merge.PreviousCosts(f.previous)
		if err != nil {
			// Balancing is an optimisation: a night whose previous
			// report cannot be read (cut short, another schema, over
			// the size limit) still fans out, unbalanced, rather than
			// failing — and failing again every night after.
			fmt.Fprintf(stderr, "secretgate: warning: --previous %s: %v; the shards are not balanced by cost\n", f.previous, err)
		} else {
			cost = c
		}
	}
	m, err := matrix.Build(ids, f.maxJobs, cost)
	if err != nil {
		return usageError(err)
	}
	// The file, for secretgate merge --matrix, also names the accounts the
	// configuration leaves out; standard output is the strategy.matrix,
	// where any key but include would be a dimension of jobs.
	m.Excluded = excluded
	if f.output != "" {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := os.WriteFile(f.output, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("write the matrix: %w", err)
		}
	}
	b, err := json.Marshal(m.Strategy())
	if err != nil {
		return err
	}
	_, err = stdout.Write(append(b, '\n'))
	return err
}

// matrixAccounts reads --accounts and --accounts-file.
func matrixAccounts(f matrixFlags, have bool) ([]string, error) {
	ids := strings.FieldsFunc(f.accounts, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
	if f.accountsFile != "" {
		var b []byte
		var err error
		if f.accountsFile == "-" {
			b, err = io.ReadAll(io.LimitReader(os.Stdin, maxAccountsFileBytes+1))
			if err == nil && len(b) > maxAccountsFileBytes {
				err = fmt.Errorf("standard input is larger than %d bytes", maxAccountsFileBytes)
			}
		} else {
			b, err = readCapped(f.accountsFile, maxAccountsFileBytes)
		}
		if err != nil {
			return nil, fmt.Errorf("--accounts-file: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for n := 1; sc.Scan(); n++ {
			line, _, _ := strings.Cut(sc.Text(), "#")
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			if !matrix.ValidAccount(line) {
				return nil, fmt.Errorf("--accounts-file %s:%d: %q is not a 12-digit AWS account id", f.accountsFile, n, printable(line))
			}
			ids = append(ids, line)
		}
	}
	if len(ids) == 0 && !have {
		return nil, errors.New("no accounts: give --organization, --accounts or --accounts-file")
	}
	return ids, nil
}
