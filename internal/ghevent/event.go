// Package ghevent reads the GitHub Actions event payload
// ($GITHUB_EVENT_PATH) with go-github's webhook types and answers the few
// questions secretgate asks of it: which pull request this is, which commits
// it adds, and whether it comes from a fork.
package ghevent

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-github/v75/github"
)

// Event names secretgate understands (GITHUB_EVENT_NAME).
const (
	PullRequest       = "pull_request"
	PullRequestTarget = "pull_request_target"
	MergeGroup        = "merge_group"
	Push              = "push"
)

// maxPayloadBytes bounds the payload read: GitHub's webhook payloads are
// capped at 25 MB.
const maxPayloadBytes = 25 << 20

// ErrNoRange is returned by Range for events that name no commit range.
var ErrNoRange = errors.New("the event names no commit range")

// Event is a parsed event payload. Exactly one of the typed payloads is set
// for the events above; others leave all of them nil.
type Event struct {
	Name        string
	PullRequest *github.PullRequestEvent
	MergeGroup  *github.MergeGroupEvent
	Push        *github.PushEvent
}

// Load reads the payload of event name from path. An unknown event name is
// not an error: the Event then answers every question with "no".
func Load(name, path string) (*Event, error) {
	ev := &Event{Name: name}
	if path == "" {
		return ev, errors.New("GITHUB_EVENT_PATH is not set")
	}
	info, err := os.Stat(path)
	if err != nil {
		return ev, fmt.Errorf("event payload: %w", err)
	}
	if info.Size() > maxPayloadBytes {
		return ev, fmt.Errorf("event payload %s: %d bytes, more than GitHub sends", path, info.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ev, fmt.Errorf("event payload: %w", err)
	}
	var target any
	switch name {
	case PullRequest, PullRequestTarget:
		ev.PullRequest = &github.PullRequestEvent{}
		target = ev.PullRequest
	case MergeGroup:
		ev.MergeGroup = &github.MergeGroupEvent{}
		target = ev.MergeGroup
	case Push:
		ev.Push = &github.PushEvent{}
		target = ev.Push
	default:
		return ev, nil
	}
	if err := json.Unmarshal(b, target); err != nil {
		ev.PullRequest, ev.MergeGroup, ev.Push = nil, nil, nil
		return ev, fmt.Errorf("event payload %s (%s): %w", path, name, err)
	}
	return ev, nil
}

// PullRequestNumber is the pull request's number, 0 when the event has none
// (merge_group and push events have no pull request).
func (e *Event) PullRequestNumber() int {
	if e == nil || e.PullRequest == nil {
		return 0
	}
	if n := e.PullRequest.GetPullRequest().GetNumber(); n > 0 {
		return n
	}
	return e.PullRequest.GetNumber()
}

// Range returns the commits the event is about as BASE and HEAD SHAs: a pull
// request's base and head, a merge group's base and head, a push's before
// and after. The range is the whole of it, however many commits it holds.
func (e *Event) Range() (base, head string, err error) {
	if e == nil {
		return "", "", ErrNoRange
	}
	switch {
	case e.PullRequest != nil:
		pr := e.PullRequest.GetPullRequest()
		base, head = pr.GetBase().GetSHA(), pr.GetHead().GetSHA()
	case e.MergeGroup != nil:
		mg := e.MergeGroup.GetMergeGroup()
		base, head = mg.GetBaseSHA(), mg.GetHeadSHA()
	case e.Push != nil:
		base, head = e.Push.GetBefore(), e.Push.GetAfter()
		if strings.Trim(base, "0") == "" {
			return "", "", fmt.Errorf("%w: the push created its branch, so it has no base commit", ErrNoRange)
		}
	default:
		return "", "", fmt.Errorf("%w (event %q)", ErrNoRange, e.Name)
	}
	for _, sha := range []string{base, head} {
		if !isSHA(sha) {
			return "", "", fmt.Errorf("%w: %s payload has base %q and head %q, want two commit SHAs", ErrNoRange, e.Name, base, head)
		}
	}
	return base, head, nil
}

// Fork reports whether a pull request comes from another repository than
// the one it targets (head.repo.fork alone would not do: a repository that
// is itself a fork has same-repository pull requests too). known is false when the payload does not say (no
// pull request, or the head repository was deleted).
func (e *Event) Fork() (fork, known bool) {
	if e == nil || e.PullRequest == nil {
		return false, false
	}
	pr := e.PullRequest.GetPullRequest()
	head, base := pr.GetHead().GetRepo(), pr.GetBase().GetRepo()
	if head == nil || base == nil {
		return false, false
	}
	hn, bn := head.GetFullName(), base.GetFullName()
	if hn == "" || bn == "" {
		return false, false
	}
	return !strings.EqualFold(hn, bn), true
}

// Sender is the login of the account that triggered the event.
func (e *Event) Sender() string {
	if e == nil {
		return ""
	}
	switch {
	case e.PullRequest != nil:
		return e.PullRequest.GetSender().GetLogin()
	case e.MergeGroup != nil:
		return e.MergeGroup.GetSender().GetLogin()
	case e.Push != nil:
		return e.Push.GetSender().GetLogin()
	}
	return ""
}

// isSHA accepts SHA-1 and SHA-256 object names in hex.
func isSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		hex := '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
		if !hex {
			return false
		}
	}
	return strings.Trim(s, "0") != ""
}
