package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// SignalContext returns a context that the first SIGINT or SIGTERM
// cancels: the run stops and ends incomplete, with its reports. A second
// signal calls exit at once (os.Exit in main) with the shell's code for
// death by that signal, 130 for SIGINT and 143 for SIGTERM, after a line
// on stderr: for a run stuck where it cannot see the context. stop ends
// the watch and restores the default handling.
func SignalContext(parent context.Context, stderr io.Writer, exit func(code int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
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
			fmt.Fprintln(stderr, "secretgate: interrupted twice; exiting now, without reports")
			exit(128 + signalNumber(sig))
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
