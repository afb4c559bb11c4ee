// Package prcommenttest is a stand-in for the part of GitHub's REST API the
// pull-request comment and the tracking issue use: list, create and update
// issue comments, and list (with the state, creator and labels filters),
// create and update issues. Its
// responses follow GitHub's documented shapes (JSON bodies, Link header
// pagination, 201 on create, 403 "Resource not accessible by integration"
// for a read-only token), and it records every call so tests can assert
// what secretgate did.
package prcommenttest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Call is one recorded request.
type Call struct {
	Method, Path string
	Query        string
	Body         string // the "body" field of a create or update
	// Title and State are the "title" and "state" fields of an issue's
	// create or update.
	Title, State string
}

// Comment is a stored issue comment.
type Comment struct {
	ID       int64
	Body     string
	User     string
	UserType string // "Bot" or "User"
	// Association is the author_association ("NONE" when empty).
	Association string
}

// Server is the fake API.
type Server struct {
	*httptest.Server
	// Prefix is the path the API is served under: "" like api.github.com,
	// "/api/v3" like GitHub Enterprise Server.
	Prefix string
	// Token is the bearer token requests must carry.
	Token string
	// ReadOnly makes create and update answer 403, as GitHub does for the
	// read-only GITHUB_TOKEN of a pull request from a fork.
	ReadOnly bool
	// PerPage caps the page size whatever the client asks (GitHub's
	// maximum is 100), so tests can paginate with few comments.
	PerPage int
	// TokenUser, when set, makes the token a personal access token of
	// that account: GET /user answers with it and comments are created as
	// it. When empty the token is GITHUB_TOKEN: GET /user answers 403
	// "Resource not accessible by integration" and comments are created as
	// github-actions[bot].
	TokenUser string

	mu       sync.Mutex
	calls    []Call
	comments map[string][]*Comment // "owner/repo#n" → comments
	heads    map[string]Head       // "owner/repo#n" → head of the pull request
	issues   map[string][]*Issue   // "owner/repo" → issues and pull requests, by number
	nextID   int64
}

// New starts a server whose API lives under prefix ("" or "/api/v3").
func New(prefix, token string) *Server {
	s := &Server{Prefix: prefix, Token: token, comments: map[string][]*Comment{}, heads: map[string]Head{}, issues: map[string][]*Issue{}, nextID: 1000}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// APIURL is the value for GITHUB_API_URL.
func (s *Server) APIURL() string { return s.URL + s.Prefix }

// Seed adds an existing comment to a pull request and returns its id.
func (s *Server) Seed(repo string, number int, c Comment) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	c.ID = s.nextID
	if c.User == "" {
		c.User, c.UserType = "octocat", "User"
	}
	key := fmt.Sprintf("%s#%d", repo, number)
	s.comments[key] = append(s.comments[key], &c)
	return c.ID
}

// Head is a pull request's head: head.sha, head.repo.full_name and
// head.ref of "Get a pull request".
type Head struct {
	SHA, Repo, Ref string
}

// SetPull makes pull request number of repo exist with head commit sha on
// branch "feature" of the fork "someone/NAME"
// (GET /repos/{owner}/{repo}/pulls/{number}).
func (s *Server) SetPull(repo string, number int, sha string) {
	_, name, _ := strings.Cut(repo, "/")
	s.SetPullHead(repo, number, Head{SHA: sha, Repo: "someone/" + name, Ref: "feature"})
}

// SetPullHead makes pull request number of repo exist with head h; an
// empty h.Repo is a head repository that was deleted (head.repo null).
func (s *Server) SetPullHead(repo string, number int, h Head) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heads[fmt.Sprintf("%s#%d", repo, number)] = h
}

// Comments returns the comments of a pull request.
func (s *Server) Comments(repo string, number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments[fmt.Sprintf("%s#%d", repo, number)] {
		out = append(out, *c)
	}
	return out
}

// Calls returns the recorded requests, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsOf returns the recorded requests of one method.
func (s *Server) CallsOf(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

type apiError struct {
	Message          string `json:"message"`
	DocumentationURL string `json:"documentation_url"`
	Status           string `json:"status"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg, doc string) {
	writeJSON(w, status, apiError{Message: msg, DocumentationURL: doc, Status: strconv.Itoa(status)})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var raw []byte
	if r.Body != nil {
		raw, _ = io.ReadAll(r.Body)
	}
	var in struct {
		Body string `json:"body"`
	}
	_ = json.Unmarshal(raw, &in)
	var issueIn issueFields
	_ = json.Unmarshal(raw, &issueIn)
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: in.Body,
		Title: issueIn.Title, State: issueIn.State})
	s.mu.Unlock()

	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		fail(w, http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
		return
	}
	if r.URL.Path == s.Prefix+"/user" && r.Method == http.MethodGet {
		s.user(w)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, s.Prefix+"/repos/")
	if !ok {
		fail(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
		return
	}
	parts := strings.Split(path, "/")
	switch {
	case len(parts) == 3 && parts[2] == "issues" && r.Method == http.MethodGet:
		s.listIssues(w, r, parts[0]+"/"+parts[1])
	case len(parts) == 3 && parts[2] == "issues" && r.Method == http.MethodPost:
		if s.ReadOnly {
			fail(w, http.StatusForbidden, "Resource not accessible by integration", "https://docs.github.com/rest/issues/issues#create-an-issue")
			return
		}
		s.createIssue(w, parts[0]+"/"+parts[1], issueIn)
	case len(parts) == 4 && parts[2] == "issues" && r.Method == http.MethodPatch:
		if s.ReadOnly {
			fail(w, http.StatusForbidden, "Resource not accessible by integration", "https://docs.github.com/rest/issues/issues#update-an-issue")
			return
		}
		n, err := strconv.Atoi(parts[3])
		if err != nil {
			fail(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
			return
		}
		s.updateIssue(w, parts[0]+"/"+parts[1], n, issueIn)

	case len(parts) == 5 && parts[2] == "issues" && parts[4] == "comments":
		n, err := strconv.Atoi(parts[3])
		if err != nil {
			fail(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
			return
		}
		repo := parts[0] + "/" + parts[1]
		switch r.Method {
		case http.MethodGet:
			s.list(w, r, repo, n)
		case http.MethodPost:
			if s.ReadOnly {
				fail(w, http.StatusForbidden, "Resource not accessible by integration", "https://docs.github.com/rest/issues/comments#create-an-issue-comment")
				return
			}
			s.create(w, repo, n, in.Body)
		default:
			fail(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
		}
	case len(parts) == 5 && parts[2] == "issues" && parts[3] == "comments" && r.Method == http.MethodPatch:
		if s.ReadOnly {
			fail(w, http.StatusForbidden, "Resource not accessible by integration", "https://docs.github.com/rest/issues/comments#update-an-issue-comment")
			return
		}
		id, _ := strconv.ParseInt(parts[4], 10, 64)
		s.update(w, parts[0]+"/"+parts[1], id, in.Body)
	case len(parts) == 4 && parts[2] == "pulls" && r.Method == http.MethodGet:
		s.pull(w, parts[0]+"/"+parts[1], parts[3])
	default:
		fail(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
	}
}

// pull answers "Get a pull request" with the fields of GitHub's documented
// response that clients read: number, state and head/base (sha, ref,
// label, repo.full_name).
func (s *Server) pull(w http.ResponseWriter, repo, number string) {
	n, err := strconv.Atoi(number)
	s.mu.Lock()
	head, ok := s.heads[fmt.Sprintf("%s#%d", repo, n)]
	s.mu.Unlock()
	if err != nil || !ok {
		fail(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest/pulls/pulls#get-a-pull-request")
		return
	}
	owner, _, _ := strings.Cut(repo, "/")
	var headRepo any // null when the fork was deleted
	headOwner := "unknown"
	if head.Repo != "" {
		headRepo = map[string]any{"full_name": head.Repo, "fork": head.Repo != repo}
		headOwner, _, _ = strings.Cut(head.Repo, "/")
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":       n + 5000,
		"number":   n,
		"state":    "open",
		"html_url": fmt.Sprintf("https://github.com/%s/pull/%d", repo, n),
		"head": map[string]any{"sha": head.SHA, "ref": head.Ref, "label": headOwner + ":" + head.Ref,
			"repo": headRepo},
		"base": map[string]any{"sha": "0000000000000000000000000000000000000000", "ref": "main", "label": owner + ":main",
			"repo": map[string]any{"full_name": repo, "fork": false}},
	})
}

// user answers "Get the authenticated user": the account of a personal
// access token, 403 for GITHUB_TOKEN.
func (s *Server) user(w http.ResponseWriter) {
	if s.TokenUser == "" {
		fail(w, http.StatusForbidden, "Resource not accessible by integration", "https://docs.github.com/rest/users/users#get-the-authenticated-user")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"login": s.TokenUser, "id": 583231, "type": "User"})
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, repo string, n int) {
	s.mu.Lock()
	all := s.comments[fmt.Sprintf("%s#%d", repo, n)]
	var resp []map[string]any
	perPage := 30 // GitHub's default
	if v, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	if s.PerPage > 0 {
		perPage = min(perPage, s.PerPage)
	}
	page := 1
	if v, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && v > 0 {
		page = v
	}
	lastPage := max(1, (len(all)+perPage-1)/perPage)
	for i := (page - 1) * perPage; i < len(all) && i < page*perPage; i++ {
		resp = append(resp, s.commentJSON(repo, n, all[i]))
	}
	s.mu.Unlock()
	if resp == nil {
		resp = []map[string]any{}
	}
	link := func(p int, rel string) string {
		return fmt.Sprintf(`<%s%s?page=%d&per_page=%d>; rel="%s"`, s.URL, r.URL.Path, p, perPage, rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"), link(1, "first"))
	}
	if page < lastPage {
		links = append(links, link(page+1, "next"), link(lastPage, "last"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) create(w http.ResponseWriter, repo string, n int, body string) {
	s.mu.Lock()
	s.nextID++
	c := &Comment{ID: s.nextID, Body: body, User: "github-actions[bot]", UserType: "Bot"}
	if s.TokenUser != "" {
		c.User, c.UserType = s.TokenUser, "User"
	}
	key := fmt.Sprintf("%s#%d", repo, n)
	s.comments[key] = append(s.comments[key], c)
	out := s.commentJSON(repo, n, c)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) update(w http.ResponseWriter, repo string, id int64, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, cs := range s.comments {
		if !strings.HasPrefix(key, repo+"#") {
			continue
		}
		for _, c := range cs {
			if c.ID == id {
				c.Body = body
				n, _ := strconv.Atoi(strings.TrimPrefix(key, repo+"#"))
				writeJSON(w, http.StatusOK, s.commentJSON(repo, n, c))
				return
			}
		}
	}
	fail(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest/issues/comments#update-an-issue-comment")
}

// commentJSON is an issue comment as the REST API returns it.
func (s *Server) commentJSON(repo string, n int, c *Comment) map[string]any {
	ts := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC).Format(time.RFC3339)
	return map[string]any{
		"id":                 c.ID,
		"node_id":            fmt.Sprintf("IC_%d", c.ID),
		"url":                fmt.Sprintf("%s%s/repos/%s/issues/comments/%d", s.URL, s.Prefix, repo, c.ID),
		"html_url":           fmt.Sprintf("https://github.com/%s/pull/%d#issuecomment-%d", repo, n, c.ID),
		"issue_url":          fmt.Sprintf("%s%s/repos/%s/issues/%d", s.URL, s.Prefix, repo, n),
		"body":               c.Body,
		"user":               map[string]any{"login": c.User, "id": 41898282, "type": c.UserType},
		"created_at":         ts,
		"updated_at":         ts,
		"author_association": orNone(c.Association),
	}
}

func orNone(s string) string {
	if s == "" {
		return "NONE"
	}
	return s
}
