package run

import (
	"maps"
	"strings"

	"github.com/secretgate/secretgate/internal/ghevent"
	"github.com/secretgate/secretgate/internal/result"
)

// ForkSkipReason is why the live checks are skipped on a pull request from
// a fork: GitHub gives such runs no OIDC token (and a read-only
// GITHUB_TOKEN), so no AWS role can be assumed.
const ForkSkipReason = "no OIDC token on pull requests from forks"

// dependabotSkipReason is the same for Dependabot's pull requests, which
// GitHub runs with the same restrictions as forks.
const dependabotSkipReason = "no OIDC token on Dependabot pull requests"

// liveSkipReason says why this run skips the live AWS checks without that
// being an error, or "" when the usual rules apply. It applies to pull
// request runs in GitHub Actions that were not asked to stay offline and
// have no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL unset), and only when the
// event payload positively shows a pull request from a fork or one opened
// by Dependabot. Anywhere else (a same-repository pull request, merge_group,
// an unreadable payload, a deleted head repository) a missing token means
// the workflow lacks `permissions: id-token: write`, a mistake that must not
// read as a pass, so the live checks fail closed as everywhere else. This
// rule takes precedence over the live gatherers.
func liveSkipReason(offline bool, mode string, env func(string) string, ev *ghevent.Event) string {
	if offline || mode != "pr" || env("GITHUB_ACTIONS") != "true" || env("ACTIONS_ID_TOKEN_REQUEST_URL") != "" {
		return ""
	}
	// Only a pull request payload that was read can excuse a missing
	// token: merge_group, push, an unreadable payload or one that does not
	// say where the head lives fail closed.
	if ev == nil || ev.PullRequest == nil {
		return ""
	}
	if isDependabot(env, ev) {
		return dependabotSkipReason
	}
	if fork, known := ev.Fork(); known && fork {
		return ForkSkipReason
	}
	return ""
}

func isDependabot(env func(string) string, ev *ghevent.Event) bool {
	for _, who := range []string{env("GITHUB_ACTOR"), ev.Sender()} {
		if strings.EqualFold(who, "dependabot[bot]") {
			return true
		}
	}
	return false
}

// liveSkipped is the gatherer that stands in for the live ones when
// liveSkipReason applies: resolve (live only) is skipped with the reason;
// the inventory families are judged on the repository files, and
// markLiveSkipped notes the reason on them afterwards.
func liveSkipped(reason string) Gatherer {
	return &Unavailable{For: []string{result.CheckResolve}, Reason: reason}
}

// withoutLiveSkipped drops the families liveSkipped skips from the
// explicitly requested ones, so --only resolve on a fork pull request is
// skipped as documented instead of turning into an error.
func withoutLiveSkipped(req map[string]string, reason string) map[string]string {
	if reason == "" {
		return req
	}
	out := maps.Clone(req)
	delete(out, result.CheckResolve)
	return out
}

// markLiveSkipped notes on the inventory families that ran on the
// repository files alone that their live part was skipped, and why.
func markLiveSkipped(rep *result.Report, reason string) {
	if reason == "" {
		return
	}
	for i := range rep.Checks {
		c := &rep.Checks[i]
		for _, fam := range awsFamilies() {
			if c.ID == fam && (c.Status == result.StatusOK || c.Status == result.StatusFailed || c.Status == result.StatusNoInput) && c.Reason == "" {
				c.Reason = "repository files only; live AWS skipped: " + reason
			}
		}
	}
}
