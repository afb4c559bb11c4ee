// Command secretgate checks that an organisation's credentials are stored,
// scoped, rotated and kept out of code the way its policy says.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/secretgate/secretgate/internal/cli"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

func main() {
	// Every line secretgate prints may carry repository text (a file
	// name, a Sid, a commit message): none may start a workflow command
	// in a CI log. secretgate's own commands go through
	// safetext.Commands.
	stdout, stderr := safetext.NewWriter(os.Stdout), safetext.NewWriter(os.Stderr)
	ctx, stop := cli.SignalContext(context.Background(), os.Stderr, os.Exit)
	err := cli.Run(ctx, os.Args[1:], stdout, stderr, os.Getenv)
	stop()
	os.Exit(exitCode(err, stderr))
}

// exitCode is the one place where errors become exit codes; the error, if
// any, is written to stderr.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return result.ExitOK
	}
	var ee *cli.ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(stderr, "secretgate: %v\n", ee.Err)
		}
		if ee.Code == result.ExitUsage && errors.Is(ee.Err, context.Canceled) {
			// Interrupted (the only cancel is SignalContext's) while
			// setting up: the run is incomplete, not misused.
			return result.ExitIncomplete
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "secretgate: %v\n", err)
	return result.ExitIncomplete
}
