// Command secretgate checks that an organisation's credentials are stored,
// scoped, rotated and kept out of code the way its policy says.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/secretgate/secretgate/internal/cli"
	"github.com/secretgate/secretgate/internal/result"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(exitCode(err))
}

// exitCode is the one place where errors become exit codes.
func exitCode(err error) int {
	if err == nil {
		return result.ExitOK
	}
	var ee *cli.ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(os.Stderr, "secretgate: %v\n", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(os.Stderr, "secretgate: %v\n", err)
	return result.ExitIncomplete
}
