package run

import (
	"context"
	"slices"
	"sync"
	"time"

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

// repoRead tells the policy compilation, in a run without live AWS,
// whether the repository holds any role, policy or secret: the only facts
// the naming, rotation, IAM and trust rules judge in such a run. Reading
// a repository without them (an empty directory, an application without
// infrastructure code) is quick, and compiling those rules would then be
// most of the run's time (secretgate check on an empty directory).
type repoRead struct {
	once    sync.Once
	done    chan struct{}
	found   bool
	begin   sync.Once
	started chan struct{} // closed when the reading starts
}

func newRepoRead() *repoRead {
	return &repoRead{done: make(chan struct{}), started: make(chan struct{})}
}

// start records that the repository's reading has begun: the compilation's
// patience (repoWait) counts from here, not from the run's start, so that
// setting the run up on a busy machine does not use it up. A nil repoRead
// ignores it.
func (r *repoRead) start() {
	if r == nil {
		return
	}
	r.begin.Do(func() { close(r.started) })
}

// report records what the repository holds; the first report counts. A
// nil repoRead ignores it.
func (r *repoRead) report(found bool) {
	if r == nil {
		return
	}
	r.once.Do(func() {
		r.found = found
		close(r.done)
	})
}

// repoWait is how long the compilation waits for the repository to be
// read, once its reading has started, before it compiles every selected
// family anyway: a repository read in this time costs nothing extra, and a
// larger one is read while the policies compile, as before.
const repoWait = 30 * time.Millisecond

// repoStartWait bounds the wait for the reading to start (the run's
// gatherers being set up); a run that ends before it starts (a usage
// error) ends the wait through the context or this.
const repoStartWait = 2 * time.Second

// withoutAWSFamilies drops from fams the families judged from the repository
// only (awsFamilies): what is left is compiled for a repository without
// roles, policies or secrets. The aggregator and the user's policies
// always compile (policy.LoadFamilies).
func withoutAWSFamilies(fams []string) []string {
	aws := awsFamilies()
	return slices.DeleteFunc(slices.Clone(fams), func(f string) bool { return slices.Contains(aws, f) })
}

// fromRepository is compiledFamilies for a run without live AWS, limited
// by what the repository holds when it was read within repoWait: without
// roles, policies or secrets no rule of awsFamilies can find anything
// (they judge nothing else), so they are not compiled. Otherwise, or
// when the read takes longer than patience (0: repoWait) from its start,
// every selected family compiles.
func fromRepository(ctx context.Context, read *repoRead, selected []string, patience time.Duration) []string {
	fams := compiledFamilies(selected, false)
	if read == nil || len(withoutAWSFamilies(fams)) == len(fams) {
		return fams
	}
	if patience <= 0 {
		patience = repoWait
	}
	startWait := time.NewTimer(repoStartWait)
	defer startWait.Stop()
	select {
	case <-read.started:
	case <-read.done:
	case <-startWait.C:
		return fams
	case <-ctx.Done():
		return fams
	}
	wait := time.NewTimer(patience)
	defer wait.Stop()
	select {
	case <-read.done:
		if !read.found {
			return withoutAWSFamilies(fams)
		}
	case <-wait.C:
	case <-ctx.Done():
	}
	return fams
}

// neededFamilies decides, in the background (it may ask git, or wait a
// moment for the repository to be read), which built-in rule families a
// run compiles: stagedFamilies for a staged run without live AWS,
// fromRepository for another run without it, else compiledFamilies.
func neededFamilies(ctx context.Context, root string, opts source.Options, selected []string, staged, live bool, read *repoRead, patience time.Duration) func() []string {
	if live {
		return func() []string { return compiledFamilies(selected, live) }
	}
	if !staged {
		return func() []string { return fromRepository(ctx, read, selected, patience) }
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
