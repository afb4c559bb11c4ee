package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/ghaction"
	"github.com/secretgate/secretgate/internal/matrix"
	"github.com/secretgate/secretgate/internal/merge"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// maxMatrixBytes caps the matrix file (256 shards of accounts: well under).
const maxMatrixBytes = 4 << 20

type mergeFlags struct {
	formats, outputs []string
	failOn           string
	expectShards     int
	matrix           string
	previous         string
	now              string
	github           bool
}

// newMergeCmd is `secretgate merge`: the JSON reports of an organisation's
// matrix jobs (one or more accounts each) merged into one report
// (docs/organizations.md).
func newMergeCmd(stdout, stderr io.Writer, env Env) *cobra.Command {
	var f mergeFlags
	cmd := &cobra.Command{
		Use:   "merge REPORT.json|DIR… [--matrix FILE | --expect-shards N] [--previous MERGED.json]",
		Short: "Merge the JSON reports of several runs (an organisation's matrix jobs) into one report",
		Long: `merge reads JSON reports (secretgate/report/v1) — files, or directories
searched for *.json — and writes one report: findings de-duplicated by
account and fingerprint, each account's verdict, each check's status over
all accounts, in the formats of secretgate check.

It fails closed. A report that cannot be read (not JSON, another schema)
is named and makes the run incomplete; the other reports are still merged.
With --matrix (the file secretgate matrix wrote) every account of a shard
no report covers is not judged, and the shard is named missing; with
--expect-shards N fewer than N distinct shards make the run incomplete (a
report counts by the shard it records, check --shard; one that records none
counts as one; one of a shard beyond N is named and counts as none). An account
whose role could not be assumed stays not judged.

With --previous (the previous night's merged JSON report) the report says
which findings are new, fixed and still open, with a chart of the open
findings per night in the Markdown report.

Exit codes, as secretgate check: 0 complete and nothing at or above
--fail-on, 1 findings at or above it, 2 usage error, 3 incomplete.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd.Context(), f, args, stdout, stderr, env)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.formats, "format", "f", nil, "report format: text|json|sarif|markdown (repeatable)")
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "file for the report of the --format before it (repeatable; - is standard output)")
	fl.StringVar(&f.failOn, "fail-on", "", "lowest severity that fails the run: critical|high|medium|low|info|never (default: the strictest of the reports' own, high when none says)")
	fl.IntVar(&f.expectShards, "expect-shards", 0, "number of shards expected; fewer distinct shards (by the shard each report records, check --shard) make the run incomplete")
	fl.StringVar(&f.matrix, "matrix", "", "the matrix secretgate matrix wrote: accounts no report covers are not judged")
	fl.StringVar(&f.previous, "previous", "", "the previous night's merged JSON report, for new / fixed / still open")
	fl.StringVar(&f.now, "now", "", "date of the merged report instead of the clock (RFC 3339 or a date)")
	fl.BoolVar(&f.github, "github", env("GITHUB_ACTIONS") == "true", "write the Markdown report to the job summary (GITHUB_STEP_SUMMARY; default on when GITHUB_ACTIONS=true)")
	return cmd
}

func runMerge(_ context.Context, f mergeFlags, args []string, stdout, stderr io.Writer, env Env) error {
	outs, err := parseOutputs(f.formats, f.outputs)
	if err != nil {
		return usageError(err)
	}
	opts := merge.Options{Now: time.Now(), Tool: result.Tool{Name: "secretgate", Version: version()}}
	if f.now != "" {
		if opts.Now, err = parseNow(f.now); err != nil {
			return usageError(err)
		}
	}
	if f.failOn != "" {
		th, err := result.ParseThreshold(f.failOn)
		if err != nil {
			return usageError(fmt.Errorf("--fail-on: %w", err))
		}
		opts.Threshold = &th
	}
	if f.expectShards < 0 || f.expectShards > matrix.MaxJobs {
		return usageError(fmt.Errorf("--expect-shards %d: want 1 to %d", f.expectShards, matrix.MaxJobs))
	}
	opts.ExpectShards = f.expectShards
	if f.matrix != "" {
		b, err := readCapped(f.matrix, maxMatrixBytes)
		if err != nil {
			return usageError(fmt.Errorf("--matrix: %w", err))
		}
		m, err := matrix.Parse(b)
		if err != nil {
			return usageError(fmt.Errorf("--matrix %s: %w", f.matrix, err))
		}
		if f.expectShards > 0 && f.expectShards != len(m.Include) {
			return usageError(fmt.Errorf("--expect-shards %d but the matrix has %d shards", f.expectShards, len(m.Include)))
		}
		opts.Matrix = &m
	}
	files, err := reportFilesIn(args)
	if err != nil {
		return usageError(err)
	}
	inputs := make([]merge.Input, len(files))
	for i, file := range files {
		rep, err := merge.ReadReport(file)
		inputs[i] = merge.Input{File: file, Report: rep, Err: err}
	}
	if f.previous != "" {
		// Streamed by the trend, never decoded whole (a large
		// organisation's merged report is hundreds of MB); one that
		// cannot be read is named in the report, with no trend.
		opts.Previous = merge.PreviousFile(f.previous)
	}

	rep := merge.Merge(inputs, opts)

	var errs []error
	for _, o := range outs {
		if err := writeReport(o, rep, stdout, env, report.DefaultAnchorFile, report.Options{}); err != nil {
			errs = append(errs, err)
		}
	}
	if files := reportFiles(outs); len(files) == len(outs) {
		fmt.Fprintln(stderr, report.Verdict(rep)+"; reports: "+strings.Join(files, ", "))
	}
	var pubErr error
	if path := env("GITHUB_STEP_SUMMARY"); f.github && path != "" {
		pubErr = ghaction.AppendSummary(path, summary(rep, nil))
	}
	return checkExit(nil, rep, errors.Join(errs...), pubErr, stderr)
}

// reportFilesIn expands the arguments of secretgate merge: files as
// given, directories to the *.json files in them (recursively, sorted), as
// actions/download-artifact lays artifacts out. A named path that does
// not exist is an error; an unreadable file is the merge's to report.
func reportFilesIn(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				// A shard's missing file is named in the report, not a
				// usage error: the other reports still count.
				files = append(files, arg)
				continue
			}
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, arg)
			continue
		}
		var found []string
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".json") {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", arg, err)
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	return files, nil
}
