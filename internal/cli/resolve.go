package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/secretgate/secretgate/checks"
	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/resolve"
	"github.com/secretgate/secretgate/internal/result"
)

// resolveGatherer returns the gatherer of the resolve check and a function
// that releases it (zeroes the values read, closes the audit log). When it
// runs, live is the resolver whose values the leak scanner compares leaks
// with; nil otherwise. Offline or with no credentials configured the check
// is skipped; a live run that cannot reach AWS makes it error: credentials
// that were asked for and could not be verified never read as resolved.
func resolveGatherer(ctx context.Context, f checkFlags, cfg *config.Config, lv *live, families []string, configFile string, stderr io.Writer) (g checks.Gatherer, live *checks.Resolve, release func(), err error) {
	fams := []string{result.CheckResolve}
	release = func() {}
	switch {
	case !slices.Contains(families, result.CheckResolve):
		return &checks.Unavailable{For: fams, Reason: "not selected"}, nil, release, nil
	case f.offline || lv == nil:
		return &checks.Unavailable{For: fams, Reason: "offline run"}, nil, release, nil
	case len(cfg.Credentials) == 0:
		return &checks.Unavailable{For: fams, Reason: "no credentials configured"}, nil, release, nil
	}
	// The audit log is opened first: a file that cannot be written is the
	// user's to fix (exit 2), before anything is read.
	var auditFile *os.File
	if f.auditLog != "" {
		if auditFile, err = os.OpenFile(f.auditLog, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err != nil {
			return nil, nil, release, fmt.Errorf("--audit-log: %w", err)
		}
	}
	var auditTo []io.Writer
	if auditFile != nil {
		auditTo = append(auditTo, auditFile)
	}
	audit := resolve.NewAuditLog(append(auditTo, stderr)...)
	release = func() {
		if auditFile != nil {
			auditFile.Close()
		}
	}

	sess, err := lv.Session(ctx)
	if err != nil {
		return &checks.Unavailable{For: fams, Reason: "AWS session: " + err.Error(), AsError: true}, nil, release, nil
	}
	r := checks.NewResolve(secretsmanager.NewFromConfig(sess.Config), cfg.Credentials, resolve.Options{
		Concurrency: cfg.AWS.Concurrency,
		Timeout:     cfg.AWS.Timeout,
		Audit:       audit,
		// The session asked sts:GetCallerIdentity already.
		CallerARN:  sess.ARN,
		ConfigFile: configFile,
	})
	prev := release
	release = func() {
		r.Close()
		prev()
	}
	return r, r, release, nil
}
