package run

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/secretgate/secretgate/internal/resolve"
	"github.com/secretgate/secretgate/internal/result"
)

// resolveGatherer returns the gatherer of the resolve check and a function
// that releases it (zeroes the values read, closes the audit log). Release
// may be called more than once; the first call returns the error of closing
// the --audit-log file, naming it, and later calls return nil. When it
// runs, live is the resolver whose values the leak scanner compares leaks
// with; nil otherwise. Offline the check is skipped; with no credentials
// configured it had nothing to judge (no-input, never a pass); a live run that cannot reach AWS makes it error: credentials
// that were asked for and could not be verified never read as resolved.
func resolveGatherer(ctx context.Context, p *Plan, lv *awsAccess) (g Gatherer, live *Resolve, release func() error, err error) {
	cfg := p.Config
	fams := []string{result.CheckResolve}
	release = func() error { return nil }
	switch {
	case !slices.Contains(p.Families, result.CheckResolve):
		return &Unavailable{For: fams, Reason: "not selected"}, nil, release, nil
	case p.Offline || lv == nil:
		return &Unavailable{For: fams, Reason: "offline run"}, nil, release, nil
	case len(cfg.Credentials) == 0:
		return &Unavailable{For: fams, Reason: "no credentials configured", NoInput: true}, nil, release, nil
	}
	// The audit log is opened first: a file that cannot be written is the
	// user's to fix (exit 2), before anything is read.
	// Its write errors make the resolve check error (Resolve); a
	// failed close is returned by release.
	var auditFile io.WriteCloser
	if p.AWS.AuditLog != "" {
		open := p.OpenAuditLog
		if open == nil {
			open = openAuditFile
		}
		if auditFile, err = open(p.AWS.AuditLog); err != nil {
			return nil, nil, release, fmt.Errorf("--audit-log: %w", err)
		}
	}
	var auditTo []io.Writer
	if auditFile != nil {
		auditTo = append(auditTo, auditFile)
	}
	audit := resolve.NewAuditLog(append(auditTo, p.Log)...)
	closeAudit := func() error {
		if auditFile == nil {
			return nil
		}
		err := auditFile.Close()
		auditFile = nil
		if err != nil {
			return fmt.Errorf("--audit-log %s could not be closed, the audit trail may be incomplete: %w", p.AWS.AuditLog, err)
		}
		return nil
	}
	release = closeAudit

	sess, err := lv.Session(ctx)
	if err != nil {
		// No session is the check's outcome (error, the run incomplete),
		// not a reason to stop the run.
		return &Unavailable{For: fams, Reason: "AWS session: " + err.Error(), AsError: true}, nil, release, nil //nolint:nilerr // reported as the resolve check's error
	}
	r := NewResolve(secretsmanager.NewFromConfig(sess.Config), cfg.Credentials, resolve.Options{
		Concurrency: cfg.AWS.Concurrency,
		Timeout:     cfg.AWS.Timeout,
		Audit:       audit,
		// The session asked sts:GetCallerIdentity already.
		CallerARN:  sess.ARN,
		ConfigFile: p.ConfigFile,
	})
	release = func() error {
		r.Close()
		return closeAudit()
	}
	return r, r, release, nil
}

// openAuditFile opens the --audit-log file for appending, creating it
// readable by its owner only (unless Plan.OpenAuditLog replaces it).
func openAuditFile(path string) (io.WriteCloser, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
}
