package awstest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// ActionsRuntime plays the GitHub Actions runtime's OIDC token endpoint:
// GET ACTIONS_ID_TOKEN_REQUEST_URL?audience=… with
// "Authorization: bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN" answers
// {"value": "<RS256 JWT>"} with GitHub's claim set.
type ActionsRuntime struct {
	URL          string
	RequestToken string
	Key          *rsa.PrivateKey

	mu        sync.Mutex
	claims    map[string]any
	audiences []string
	tokens    []string
}

// NewActionsRuntime serves tokens with claims (aud is set per request).
func NewActionsRuntime(tb testing.TB, claims map[string]any) *ActionsRuntime {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	a := &ActionsRuntime{RequestToken: "actions-request-token-canary-5c1d", Key: key, claims: claims}
	srv := httptest.NewServer(http.HandlerFunc(a.serve))
	tb.Cleanup(srv.Close)
	a.URL = srv.URL + "/_apis/distributedtask/hubs/build/plans/p/jobs/j/idtoken?api-version=2.0"
	return a
}

func (a *ActionsRuntime) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+a.RequestToken && got != "bearer "+a.RequestToken {
		http.Error(w, `{"message":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	aud := r.URL.Query().Get("audience")
	a.mu.Lock()
	a.audiences = append(a.audiences, aud)
	claims := map[string]any{}
	for k, v := range a.claims {
		claims[k] = v
	}
	a.mu.Unlock()
	if aud != "" {
		claims["aud"] = aud
	}
	now := time.Now()
	claims["iat"], claims["nbf"], claims["exp"] = now.Unix(), now.Unix(), now.Add(5*time.Minute).Unix()
	tok, err := Sign(a.Key, claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	a.mu.Lock()
	a.tokens = append(a.tokens, tok)
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	// A write error means the client hung up: it reports the failed request.
	_ = json.NewEncoder(w).Encode(map[string]string{"value": tok})
}

// Audiences are the audiences tokens were requested for.
func (a *ActionsRuntime) Audiences() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.audiences...)
}

// Tokens are the tokens issued (tests assert none is ever printed).
func (a *ActionsRuntime) Tokens() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.tokens...)
}

// Env is the environment of a job step with id-token: write.
func (a *ActionsRuntime) Env() map[string]string {
	return map[string]string{
		"GITHUB_ACTIONS":                 "true",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   a.URL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": a.RequestToken,
		"GITHUB_REPOSITORY":              "acme/payments",
		"GITHUB_RUN_ID":                  "9876543210",
	}
}

// Sign makes an RS256 JWT of claims.
func Sign(key *rsa.PrivateKey, claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "secretgate-test"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// GitHubClaims is the claim set GitHub issues for a push to ref of repo
// (org/name), with the immutable subject format that carries the owner's
// and repository's numeric ids.
func GitHubClaims(org, name, ref string) map[string]any {
	repo := org + "/" + name
	return map[string]any{
		"iss":                   "https://token.actions.githubusercontent.com",
		"sub":                   "repo:" + org + "@123/" + name + "@456:ref:" + ref,
		"jti":                   "0b6c2a5e-1d2f-4d4c-9f3e-2f1a7b9c8d7e",
		"repository":            repo,
		"repository_id":         "456",
		"repository_owner":      org,
		"repository_owner_id":   "123",
		"repository_visibility": "private",
		"ref":                   ref,
		"ref_type":              "branch",
		"sha":                   "5f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b",
		"workflow":              "secretgate",
		"workflow_ref":          repo + "/.github/workflows/secretgate.yml@" + ref,
		"job_workflow_ref":      repo + "/.github/workflows/secretgate.yml@" + ref,
		"event_name":            "push",
		"actor":                 "octocat",
		"actor_id":              "1",
		"run_id":                "9876543210",
		"run_number":            "42",
		"run_attempt":           "1",
		"runner_environment":    "github-hosted",
	}
}
