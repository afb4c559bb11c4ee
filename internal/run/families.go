package run

import (
	"context"
	"slices"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/source"
)

// stagedFamilies decides, for a staged run without live AWS, which
// built-in rule families the policy engine must compile. The facts of the
// naming, rotation, IAM and trust checks come only from the staged policy
// files (the resolve check needs live AWS): when the index adds or changes
// none that source.ScanStaged would read, only the leaks rules can find
// anything, and compiling the others would only cost time. Any doubt (git
// failing) returns nil: the run then compiles what any other run compiles
// (compiledFamilies); the gatherer reports the git error itself.
func stagedFamilies(ctx context.Context, root string, opts source.Options) func() []string {
	return func() []string {
		files, err := source.StagedCandidates(ctx, root, opts)
		if err != nil || len(files) > 0 {
			return nil
		}
		return []string{result.CheckLeaks}
	}
}

// neededFamilies decides, in the background (it may ask git), which
// built-in rule families a run compiles: stagedFamilies for a staged run
// without live AWS, else compiledFamilies.
func neededFamilies(ctx context.Context, root string, opts source.Options, selected []string, staged, live bool) func() []string {
	if !staged || live {
		return func() []string { return compiledFamilies(selected, live) }
	}
	fromIndex := stagedFamilies(ctx, root, opts)
	return func() []string {
		if fams := fromIndex(); fams != nil {
			return fams
		}
		return compiledFamilies(selected, live)
	}
}

// compiledFamilies is which built-in rule families a run compiles: the
// selected ones (--only, --skip), for only their findings are reported;
// without live AWS not the resolve rules, which judge nothing but the
// credentials read live; with it always the trust rules, whose library
// explains a refused role assumption.
func compiledFamilies(selected []string, live bool) []string {
	out := make([]string, 0, len(selected)+1)
	for _, f := range selected {
		if f == result.CheckResolve && !live {
			continue
		}
		out = append(out, f)
	}
	if live && !slices.Contains(out, result.CheckTrust) {
		out = append(out, result.CheckTrust)
	}
	return out
}
