package safefile

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestReadOpenStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ReadOpen(ctx, bytes.NewReader([]byte("x")), "f", 1, 10)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadOpen after cancel = %v, want context.Canceled", err)
	}
}

func TestReadOpenCapsAFileThatGrew(t *testing.T) {
	// stat said 1 byte; the reader has more than the cap.
	_, err := ReadOpen(context.Background(), bytes.NewReader(make([]byte, 1<<20)), "f", 1, 1000)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadOpen = %v, want ErrTooLarge", err)
	}
	got, err := ReadOpen(context.Background(), bytes.NewReader(make([]byte, 600<<10)), "f", 1, 1<<20)
	if err != nil || len(got) != 600<<10 {
		t.Fatalf("ReadOpen = %d bytes, %v; want 600 KiB", len(got), err)
	}
}
