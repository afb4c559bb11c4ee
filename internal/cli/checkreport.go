package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/run"
)

type output struct {
	format string
	file   string // "" means stdout
}

func parseOutputs(formats, files []string) ([]output, error) {
	if len(files) > len(formats) {
		return nil, fmt.Errorf("%d --output given for %d --format: each --output belongs to the --format before it", len(files), len(formats))
	}
	if len(formats) == 0 {
		return []output{{format: "text"}}, nil
	}
	var outs []output
	toStdout := 0
	for i, f := range formats {
		o := output{format: f}
		if i < len(files) && files[i] != "-" {
			o.file = files[i]
		} else {
			toStdout++ // no --output, or "-": standard output, as gitleaks reads it
		}
		if _, err := report.New(f, report.Options{}); err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	if toStdout > 1 {
		return nil, errors.New("more than one --format would go to standard output: give each an --output")
	}
	return outs, nil
}

// writeReports writes every report of the plan. An audit log that could
// not be closed or a report that cannot be written is returned (the other
// reports are still written); stdoutTaken says whether a machine-readable
// report went to standard output, written lists the files written.
func writeReports(p checkPlan, done run.Finished, stdout io.Writer, env Env) (stdoutTaken bool, written []string, err error) {
	var errs []error
	if done.ReleaseErr != nil {
		errs = append(errs, done.ReleaseErr)
	}
	for _, o := range p.outs {
		if err := writeReport(o, done.Report, stdout, env, p.anchor, p.text); err != nil {
			errs = append(errs, err)
			continue
		}
		stdoutTaken = stdoutTaken || (o.file == "" && o.format != report.FormatText)
		if o.file != "" {
			written = append(written, o.file)
		}
	}
	return stdoutTaken, written, errors.Join(errs...)
}

// reportFiles lists the files of outs that go to a file.
func reportFiles(outs []output) []string {
	var files []string
	for _, o := range outs {
		if o.file != "" {
			files = append(files, o.file)
		}
	}
	return files
}

func writeReport(o output, rep result.Report, stdout io.Writer, env Env, anchor string, text report.Options) error {
	w := stdout
	var file *os.File
	if o.file != "" {
		var err error
		if file, err = os.Create(o.file); err != nil {
			return fmt.Errorf("write %s report: %w", o.format, err)
		}
		w = file
	}
	r, err := report.New(o.format, report.Options{
		Color:        o.file == "" && report.ColorFor(w, env),
		AnchorFile:   anchor,
		Verbose:      text.Verbose,
		ShowSeverity: text.ShowSeverity,
	})
	if err != nil {
		return err
	}
	err = r.Write(w, rep)
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("write %s report: %w", o.format, err)
	}
	return nil
}

// checkExit decides the exit code of secretgate check, in one place.
// runErr is the run's own failure: a *run.UsageError exits 2, anything
// else 3. Otherwise findings at or above the threshold exit 1 whatever
// else went wrong (a report or the audit log that could not be written, a
// GitHub publication that failed: said on stderr); without such findings
// those make the run incomplete (3); else the report's own code counts.
func checkExit(runErr error, rep result.Report, writeErr, pubErr error, stderr io.Writer) error {
	var ue *run.UsageError
	switch {
	case errors.As(runErr, &ue):
		return usageError(ue.Err)
	case runErr != nil:
		return &ExitError{Code: result.ExitIncomplete, Err: runErr}
	}
	code := rep.ExitCode()
	if code == result.ExitFindings {
		if err := errors.Join(writeErr, pubErr); err != nil {
			fmt.Fprintf(stderr, "secretgate: %v\n", err)
		}
		return &ExitError{Code: code}
	}
	if writeErr != nil {
		return &ExitError{Code: result.ExitIncomplete, Err: writeErr}
	}
	if pubErr != nil {
		// The step's summary or outputs are missing: the run cannot read
		// as complete.
		return &ExitError{Code: result.ExitIncomplete, Err: pubErr}
	}
	if code != result.ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}
