package ghaction

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// MaxSummaryBytes is the most secretgate writes to the job summary in one
// step. GitHub refuses a step summary over 1 MiB (and then shows none), so
// the Markdown report is trimmed below it, leaving room for notes.
const MaxSummaryBytes = 1<<20 - 16<<10

// Output is one step output.
type Output struct {
	Name, Value string
}

// WriteOutputs appends outputs to the $GITHUB_OUTPUT file at path. A value
// with a line break is written in GitHub's multi-line form
// (name<<DELIMITER … DELIMITER) with a random delimiter that is checked not
// to occur in the value, as actions/toolkit does; go-githubactions' fixed
// delimiter would let a value that contains it inject outputs.
func WriteOutputs(path string, outs []Output) error {
	if path == "" {
		return errors.New("GITHUB_OUTPUT is not set")
	}
	var b strings.Builder
	for _, o := range outs {
		if o.Name == "" || strings.ContainsAny(o.Name, "=<\r\n") {
			return fmt.Errorf("step output name %q is not valid", o.Name)
		}
		if !strings.ContainsAny(o.Value, "\r\n") {
			fmt.Fprintf(&b, "%s=%s\n", o.Name, o.Value)
			continue
		}
		delim, err := delimiter(o.Value)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", o.Name, delim, o.Value, delim)
	}
	return appendFile(path, b.String(), "step outputs")
}

func delimiter(value string) (string, error) {
	for range 4 {
		var buf [16]byte
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("step output delimiter: %w", err)
		}
		d := "ghadelimiter_" + hex.EncodeToString(buf[:])
		if !strings.Contains(value, d) {
			return d, nil
		}
	}
	return "", errors.New("step output value contains every delimiter tried")
}

// AppendSummary appends markdown to the job summary file at path
// ($GITHUB_STEP_SUMMARY), with a line break at the end.
func AppendSummary(path, markdown string) error {
	if path == "" {
		return errors.New("GITHUB_STEP_SUMMARY is not set")
	}
	if !strings.HasSuffix(markdown, "\n") {
		markdown += "\n"
	}
	return appendFile(path, markdown, "job summary")
}

// appendFile appends to a file the runner created; it is never created
// here with wider permissions than the runner's own.
func appendFile(path, text, what string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}
