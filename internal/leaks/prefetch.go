package leaks

import (
	"context"
	"slices"
)

// Prefetch starts git on a staged scan's patch now, for the Scan of t
// that is to follow: a pre-commit run's other git processes (the
// repository's facts, the staged listing) and its other work then go on
// while git diffs the index, instead of before it. Other scopes are not
// prefetched. The git process ends with ctx, or once Scan has read it;
// Prefetch must not run concurrently with Scan. Errors are Scan's to
// report: it starts git again when the prefetch failed.
func (s *Scanner) Prefetch(ctx context.Context, t Target) {
	if t.Scope.Kind != Staged || t.Git == nil || s.prefetched != nil {
		return
	}
	cmds := patchCommands(t, false, true)
	if len(cmds) != 1 {
		return
	}
	if ps, err := startPatches(ctx, t, cmds[0], ""); err == nil {
		s.prefetched = ps
	}
}

// startOrPrefetched is startPatches, or the stream Prefetch started with
// the same arguments.
func (s *Scanner) startOrPrefetched(ctx context.Context, t Target, args []string, stdin string) (*patchStream, error) {
	if ps := s.prefetched; ps != nil && stdin == "" && slices.Equal(ps.args, args) {
		s.prefetched = nil
		return ps, nil
	}
	return startPatches(ctx, t, args, stdin)
}
