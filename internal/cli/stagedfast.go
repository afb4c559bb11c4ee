package cli

import (
	"context"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/source"
)

// stagedFamilies decides, for a staged run without live AWS, which
// built-in rule families the policy engine must compile. The facts of the
// naming, rotation, IAM and trust checks come only from the staged policy
// files (the resolve check needs live AWS): when the index adds or changes
// none that source.ScanStaged would read, only the leaks rules can find
// anything, and compiling the others would only cost time. Any doubt (git
// failing) compiles everything; the gatherer reports the git error itself.
// A variable, so that tests can compile everything instead.
var stagedFamilies = func(ctx context.Context, root string, opts sourceOptions) func() []string {
	return func() []string {
		files, err := source.StagedCandidates(ctx, root, opts)
		if err != nil || len(files) > 0 {
			return nil
		}
		return []string{result.CheckLeaks}
	}
}

type sourceOptions = source.Options
