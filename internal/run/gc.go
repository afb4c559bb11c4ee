package run

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
)

// The garbage collector during secretgate check. A run is short and builds
// large documents that live until its end (the facts, their Rego form, the
// findings); with Go's defaults the collector marks them again and again,
// some 12% of a large run's CPU time. So the collector stays off while the
// heap is below gcFreeHeap, and the run needs no collection at all up to
// accounts of tens of thousands of secrets (10,000 secrets and 1,000 roles:
// about 390 MB at the peak instead of 290 MB). gcFreeHeap is also a soft
// memory limit, and once the facts are gathered, a heap already past
// gcLargeHeap turns the collector back on (GOGC 400): a very large account
// is not held to the limit, which would make the collector run constantly.
// GOGC or GOMEMLIMIT set by the user are left alone.
const (
	gcFreeHeap  = 1 << 30
	gcLargeHeap = 384 << 20
	gcPercent   = 400
)

// gcTuning is what startGC changed, for afterGather and restore.
type gcTuning struct {
	on          bool
	prevPercent int
	prevLimit   int64
}

// startGC turns the collector off below gcFreeHeap for the run, unless the
// user set GOGC or GOMEMLIMIT (env).
func startGC(env func(string) string) *gcTuning {
	if env("GOGC") != "" || env("GOMEMLIMIT") != "" {
		return &gcTuning{}
	}
	t := &gcTuning{on: true}
	t.prevPercent = debug.SetGCPercent(-1)
	t.prevLimit = debug.SetMemoryLimit(gcFreeHeap)
	return t
}

// afterGather turns the collector back on for a large heap.
func (t *gcTuning) afterGather() {
	if !t.on {
		return
	}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > gcLargeHeap {
		debug.SetGCPercent(gcPercent)
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// restore puts the collector's settings back as they were.
func (t *gcTuning) restore() {
	if !t.on {
		return
	}
	debug.SetGCPercent(t.prevPercent)
	debug.SetMemoryLimit(t.prevLimit)
}
