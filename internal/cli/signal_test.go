//go:build unix

package cli

import (
	"bytes"
	"context"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSignalContext: the first signal cancels the context, the second
// exits with 128 + the signal's number. The signals go to the test process
// itself, caught by SignalContext's handler.
func TestSignalContext(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			var mu sync.Mutex
			var stderr bytes.Buffer
			exited := make(chan int, 1)
			ctx, stop := SignalContext(context.Background(), &lockedWriter{mu: &mu, w: &stderr}, func(code int) { exited <- code })
			defer stop()
			if err := syscall.Kill(os.Getpid(), tc.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("the first signal did not cancel the context")
			}
			select {
			case code := <-exited:
				t.Fatalf("exit(%d) after one signal", code)
			default:
			}
			if err := syscall.Kill(os.Getpid(), tc.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case code := <-exited:
				if code != tc.want {
					t.Errorf("exit(%d), want %d", code, tc.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the second signal did not exit")
			}
			mu.Lock()
			defer mu.Unlock()
			if !bytes.Contains(stderr.Bytes(), []byte("interrupted twice")) {
				t.Errorf("stderr = %q, want it to say why secretgate exits", stderr.String())
			}
		})
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
