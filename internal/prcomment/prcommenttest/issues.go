package prcommenttest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Issue is a stored issue (or, with Pull set, a pull request: the issues
// listing returns both, as GitHub's does).
type Issue struct {
	Number      int
	Title, Body string
	State       string // "open" or "closed"
	StateReason string // "completed", "not_planned", "reopened" or ""
	Labels      []string
	User        string
	Pull        bool
	// Edits counts the updates the issue received.
	Edits int
}

// issueFields are the fields of "Create an issue" and "Update an issue"
// the stand-in keeps; nil means the request did not set the field.
type issueFields struct {
	Title       string    `json:"title"`
	Body        *string   `json:"body"`
	State       string    `json:"state"`
	StateReason string    `json:"state_reason"`
	Labels      *[]string `json:"labels"`
}

// SeedIssue adds an existing issue (or pull request) to repo and returns
// its number. An empty User is octocat; an empty State is open.
func (s *Server) SeedIssue(repo string, is Issue) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is.User == "" {
		is.User = "octocat"
	}
	if is.State == "" {
		is.State = "open"
	}
	is.Number = len(s.issues[repo]) + 1
	s.issues[repo] = append(s.issues[repo], &is)
	return is.Number
}

// Issues returns the issues and pull requests of repo, by number.
func (s *Server) Issues(repo string) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Issue
	for _, is := range s.issues[repo] {
		c := *is
		c.Labels = slices.Clone(is.Labels)
		out = append(out, c)
	}
	return out
}

// listIssues answers "List repository issues": state (open by default,
// closed, all), creator and labels (comma-separated, every one required)
// filters, sort=created with direction asc|desc (desc by default), per_page
// and page with a Link header. Pull requests are listed too, with a
// pull_request key, as GitHub lists them.
func (s *Server) listIssues(w http.ResponseWriter, r *http.Request, repo string) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var labels []string
	if l := q.Get("labels"); l != "" {
		labels = strings.Split(l, ",")
	}
	s.mu.Lock()
	var match []*Issue
	for _, is := range s.issues[repo] {
		if state != "all" && is.State != state {
			continue
		}
		if c := q.Get("creator"); c != "" && !strings.EqualFold(c, is.User) {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && slices.ContainsFunc(is.Labels, func(x string) bool { return strings.EqualFold(x, l) })
		}
		if ok {
			match = append(match, is)
		}
	}
	if q.Get("direction") != "asc" {
		slices.Reverse(match)
	}
	perPage := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	if s.PerPage > 0 {
		perPage = min(perPage, s.PerPage)
	}
	page := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	resp := []map[string]any{}
	for i := (page - 1) * perPage; i < len(match) && i < page*perPage; i++ {
		resp = append(resp, s.issueJSON(repo, match[i]))
	}
	s.mu.Unlock()
	lastPage := max(1, (len(match)+perPage-1)/perPage)
	if page < lastPage {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(page+1))
		v.Set("per_page", strconv.Itoa(perPage))
		next := fmt.Sprintf(`<%s%s?%s>; rel="next"`, s.URL, r.URL.Path, v.Encode())
		v.Set("page", strconv.Itoa(lastPage))
		w.Header().Set("Link", next+fmt.Sprintf(`, <%s%s?%s>; rel="last"`, s.URL, r.URL.Path, v.Encode()))
	}
	writeJSON(w, http.StatusOK, resp)
}

// maxIssueBody is GitHub's limit on an issue body, in characters.
const maxIssueBody = 65536

// createIssue answers "Create an issue": 201 with the issue, 422 without
// a title or with a body of 65,536 characters or more.
func (s *Server) createIssue(w http.ResponseWriter, repo string, in issueFields) {
	body := ""
	if in.Body != nil {
		body = *in.Body
	}
	if in.Title == "" || len([]rune(body)) >= maxIssueBody {
		fail(w, http.StatusUnprocessableEntity, "Validation Failed", "https://docs.github.com/rest/issues/issues#create-an-issue")
		return
	}
	user := "github-actions[bot]"
	if s.TokenUser != "" {
		user = s.TokenUser
	}
	s.mu.Lock()
	is := &Issue{Number: len(s.issues[repo]) + 1, Title: in.Title, Body: body, State: "open", User: user}
	if in.Labels != nil {
		is.Labels = slices.Clone(*in.Labels)
	}
	s.issues[repo] = append(s.issues[repo], is)
	out := s.issueJSON(repo, is)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

// updateIssue answers "Update an issue": the fields given replace the
// issue's; 422 for a body of 65,536 characters or more or an unknown state.
func (s *Server) updateIssue(w http.ResponseWriter, repo string, n int, in issueFields) {
	if in.Body != nil && len([]rune(*in.Body)) >= maxIssueBody || in.State != "" && in.State != "open" && in.State != "closed" {
		fail(w, http.StatusUnprocessableEntity, "Validation Failed", "https://docs.github.com/rest/issues/issues#update-an-issue")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 1 || n > len(s.issues[repo]) || s.issues[repo][n-1].Pull {
		fail(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest/issues/issues#update-an-issue")
		return
	}
	is := s.issues[repo][n-1]
	if in.Title != "" {
		is.Title = in.Title
	}
	if in.Body != nil {
		is.Body = *in.Body
	}
	if in.State != "" {
		is.State = in.State
		is.StateReason = in.StateReason
		if in.State == "open" && in.StateReason == "" {
			is.StateReason = "reopened"
		}
	}
	if in.Labels != nil {
		is.Labels = slices.Clone(*in.Labels)
	}
	is.Edits++
	writeJSON(w, http.StatusOK, s.issueJSON(repo, is))
}

// issueJSON is an issue as the REST API returns it.
func (s *Server) issueJSON(repo string, is *Issue) map[string]any {
	ts := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC).Add(time.Duration(is.Number) * time.Hour).Format(time.RFC3339)
	labels := []map[string]any{}
	for i, l := range is.Labels {
		labels = append(labels, map[string]any{"id": 7000 + i, "name": l, "color": "ededed", "default": false})
	}
	kind := "issues"
	if is.Pull {
		kind = "pull"
	}
	out := map[string]any{
		"id":                 90000 + is.Number,
		"node_id":            fmt.Sprintf("I_%d", is.Number),
		"number":             is.Number,
		"url":                fmt.Sprintf("%s%s/repos/%s/issues/%d", s.URL, s.Prefix, repo, is.Number),
		"html_url":           fmt.Sprintf("https://github.com/%s/%s/%d", repo, kind, is.Number),
		"title":              is.Title,
		"body":               is.Body,
		"state":              is.State,
		"state_reason":       nilIfEmpty(is.StateReason),
		"labels":             labels,
		"user":               map[string]any{"login": is.User, "id": 41898282, "type": userType(is.User)},
		"author_association": "NONE",
		"comments":           0,
		"created_at":         ts,
		"updated_at":         ts,
	}
	if is.Pull {
		out["pull_request"] = map[string]any{"url": fmt.Sprintf("%s%s/repos/%s/pulls/%d", s.URL, s.Prefix, repo, is.Number)}
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func userType(login string) string {
	if strings.HasSuffix(login, "[bot]") {
		return "Bot"
	}
	return "User"
}
