package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/matrix"
	"github.com/secretgate/secretgate/internal/merge"
)

// maxAccountsFileBytes caps --accounts-file (100,000 accounts fit).
const maxAccountsFileBytes = 4 << 20

type matrixFlags struct {
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
		Use:   "matrix (--accounts LIST | --accounts-file FILE) [--max-jobs N] [--previous MERGED.json]",
		Short: "Print a GitHub Actions matrix of the accounts to check, sharded into at most 256 jobs",
		Long: `matrix prints, as one line of JSON, the strategy.matrix of the nightly
organisation workflow: {"include": [{"shard": 1, "accounts": "111111111111,…",
"cost_ms": …}, …]}. Each job checks the accounts of its shard; secretgate
merge --matrix then knows which accounts a missing report leaves unjudged.

Accounts are sharded into at most --max-jobs jobs (GitHub's limit: 256).
With --previous (the previous night's merged report) shards are balanced
by each account's cost that night — the most costly first, each to the
least loaded job — so the slowest job stays near the average; without it,
or for accounts it does not know, accounts count alike. The same accounts
and costs always give the same matrix.

Exit codes: 0 printed, 2 usage error (no accounts, an invalid id).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMatrix(f, stdout)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.accounts, "accounts", "", "accounts to check, comma- or space-separated 12-digit ids")
	fl.StringVar(&f.accountsFile, "accounts-file", "", "file of account ids, one per line (# starts a comment; - is standard input)")
	fl.IntVar(&f.maxJobs, "max-jobs", matrix.MaxJobs, "largest number of jobs (1 to 256)")
	fl.StringVar(&f.previous, "previous", "", "previous night's merged JSON report: balance shards by each account's cost")
	fl.StringVarP(&f.output, "output", "o", "", "also write the matrix to this file (for secretgate merge --matrix)")
	return cmd
}

func runMatrix(f matrixFlags, stdout io.Writer) error {
	ids, err := matrixAccounts(f)
	if err != nil {
		return usageError(err)
	}
	var cost map[string]int64
	if f.previous != "" {
		prev, err := merge.ReadReport(f.previous)
		if err != nil {
			return usageError(fmt.Errorf("--previous %s: %w", f.previous, err))
		}
		cost = map[string]int64{}
		for _, a := range prev.Accounts {
			cost[a.ID] = a.DurationMS
		}
		if len(prev.Accounts) == 0 && prev.Context.Account != "" {
			for _, c := range prev.Checks {
				cost[prev.Context.Account] += c.DurationMS
			}
		}
	}
	m, err := matrix.Build(ids, f.maxJobs, cost)
	if err != nil {
		return usageError(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if f.output != "" {
		if err := os.WriteFile(f.output, b, 0o644); err != nil {
			return fmt.Errorf("write the matrix: %w", err)
		}
	}
	_, err = stdout.Write(b)
	return err
}

// matrixAccounts reads --accounts and --accounts-file.
func matrixAccounts(f matrixFlags) ([]string, error) {
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
	if len(ids) == 0 {
		return nil, errors.New("no accounts: give --accounts or --accounts-file")
	}
	return ids, nil
}
