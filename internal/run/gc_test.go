package run

import (
	"context"
	"math"
	"runtime/debug"
	"testing"

	"github.com/secretgate/secretgate/internal/config"
)

// TestGCTuning: during a check the collector is off below a soft memory
// limit, unless the user set GOGC or GOMEMLIMIT; afterwards the settings
// are as before.
func TestGCTuning(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	limitBefore := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(limitBefore)

	tests := []struct {
		name        string
		env         map[string]string
		wantPercent int
		wantLimit   int64
	}{
		{"defaults", nil, -1, gcFreeHeap},
		{"GOGC set", map[string]string{"GOGC": "50"}, 100, math.MaxInt64},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "2GiB"}, 100, math.MaxInt64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gc := startGC(func(k string) string { return tc.env[k] })
			percent := debug.SetGCPercent(-2) // reads (and sets) the current value
			debug.SetGCPercent(percent)
			limit := debug.SetMemoryLimit(-1) // a negative limit only reads it
			gc.afterGather()                  // a small test heap: no change
			if percent != tc.wantPercent || limit != tc.wantLimit {
				t.Errorf("during the run: GC percent %d, limit %d; want %d, %d", percent, limit, tc.wantPercent, tc.wantLimit)
			}
			gc.restore()
			if p := debug.SetGCPercent(100); p != 100 {
				t.Errorf("after the run: GC percent %d, want 100", p)
			}
			if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
				t.Errorf("after the run: limit %d, want none", l)
			}
		})
	}
}

// TestCheckHoldsGC: with Plan.HoldGC, Check returns with the collector as
// the run tuned it, and Finished.RestoreGC puts the settings back (once);
// without it, Check restores them itself.
func TestCheckHoldsGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	limitBefore := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(limitBefore)
	for _, hold := range []bool{true, false} {
		p := offlinePlan(t.TempDir(), config.Default())
		p.HoldGC = hold
		done, err := Check(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		percent := debug.SetGCPercent(-2)
		debug.SetGCPercent(percent)
		limit := debug.SetMemoryLimit(-1)
		if hold && (percent != -1 || limit != gcFreeHeap) {
			t.Errorf("held: after Check GC percent %d, limit %d; want -1, %d", percent, limit, gcFreeHeap)
		}
		if !hold && (percent != 100 || limit != math.MaxInt64) {
			t.Errorf("not held: after Check GC percent %d, limit %d; want 100, none", percent, limit)
		}
		done.RestoreGC()
		done.RestoreGC()
		if p, l := debug.SetGCPercent(-2), debug.SetMemoryLimit(-1); p != 100 || l != math.MaxInt64 {
			t.Errorf("hold %v: after RestoreGC GC percent %d, limit %d; want 100, none", hold, p, l)
		}
		debug.SetGCPercent(100)
	}
}
