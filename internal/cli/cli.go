// Package cli wires secretgate's commands to the packages that do the work.
// It turns flags into a validated plan (planCheck; the configuration
// through the one loader, loadConfig), hands it to internal/run, writes the
// reports, publishes to GitHub and decides the exit code (checkExit); it
// decides nothing else, and reaches AWS only through internal/run.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/result"
)

// Version is set at build time with -ldflags "-X …/internal/cli.Version=v1.2.3".
var Version = "dev"

// ExitError carries an exit code to main.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks bad flags, config or input: exit code 2.
func usageError(err error) error { return &ExitError{Code: result.ExitUsage, Err: err} }

// Env is the process environment as a lookup function, so tests can supply
// their own.
type Env func(string) string

// Run executes secretgate with args (without the program name).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) error {
	root := newRoot(stdout, stderr, env)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	// Errors from cobra itself: unknown commands and flags.
	return usageError(err)
}

func newRoot(stdout, stderr io.Writer, env Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "secretgate",
		Short: "Check that credentials are stored, scoped, rotated and kept out of code as policy says",
		Long: `secretgate checks a repository (and the AWS account behind it) against a
secrets-management policy: secret naming, rotation age, least privilege of the
roles that read secrets, the OIDC trust of those roles, leaked keys, and
whether the credentials an application needs resolve.

Exit codes: 0 complete and clean, 1 findings at or above --fail-on,
2 usage, configuration or policy error, 3 a check could not run completely
(an unparsable file, access denied, a timeout: incomplete, never a pass;
findings at or above --fail-on still make it 1).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	// --version prints what `secretgate version` prints.
	root.SetVersionTemplate("secretgate {{.Version}}\n")
	root.AddCommand(
		newCheckCmd(stdout, stderr, env),
		newPolicyCmd(stdout, stderr, env),
		newInventoryCmd(stdout, stderr, env),
		newExplainTrustCmd(stdout, stderr),
		newCommentCmd(stdout, stderr, env),
		newMergeCmd(stdout, stderr, env),
		newMatrixCmd(stdout, stderr, env),
		newIssueCmd(stdout, env),
		newVersionCmd(stdout),
	)
	return root
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print secretgate's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(stdout, "secretgate %s\n", version())
			return err
		},
	}
}
