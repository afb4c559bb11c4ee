// Command secretgate checks that an organisation's credentials are stored,
// scoped, rotated and kept out of code the way its policy says.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

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
	ctx, stop := signalContext()
	err := cli.Run(ctx, os.Args[1:], stdout, stderr, os.Getenv)
	stop()
	os.Exit(exitCode(err, stderr))
}

// signalContext returns a context that the first SIGINT or SIGTERM cancels:
// the run stops and ends incomplete, with its reports. A second signal
// ends the process at once, with the shell's code for death by that signal
// (130 for SIGINT, 143 for SIGTERM), for a run stuck where it cannot see
// the context. stop ends the watch.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-done:
			return
		}
		select {
		case sig := <-sigs:
			fmt.Fprintln(os.Stderr, "secretgate: interrupted twice; exiting now, without reports")
			os.Exit(128 + signalNumber(sig))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

// signalNumber is sig's number (SIGINT 2, SIGTERM 15).
func signalNumber(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return int(s)
	}
	return int(syscall.SIGINT)
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
			// Interrupted (the only cancel is signalContext's) while
			// setting up: the run is incomplete, not misused.
			return result.ExitIncomplete
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "secretgate: %v\n", err)
	return result.ExitIncomplete
}
