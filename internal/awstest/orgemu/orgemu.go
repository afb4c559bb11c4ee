// Package orgemu emulates an AWS Organization of many accounts and regions
// for tests and benchmarks of secretgate's organisation runs
// (docs/organizations.md#scale): a hub whose sts:AssumeRole into
// arn:aws:iam::<id>:role/<name> hands out credentials bound to that account,
// and in every account and region the Secrets Manager secrets and IAM roles
// of a template, under the account's own ARNs.
//
// Why one kumo and views, not a kumo per account: kumo keeps its state per
// process, not per server (every kumo.NewServer of a process serves the same
// services' storage), and its ListSecrets sorts every stored secret on every
// page, so 200 accounts × 2 regions × 500 secrets stored for real would be
// neither separable nor listable. One kumo holds the template account (the
// secrets and roles every account has, plus the few secrets that belong to
// one account only); a router in front of it — the endpoint the SDK is
// pointed at — knows each request's account by the access key id of its
// SigV4 signature (the credentials the hub's AssumeRole handed out for that
// account), forwards the request to kumo with the account's ids mapped to
// the template's, and maps the answer back: the account's id and the
// request's region in every ARN and policy, and only the account's own
// secrets listed. The checker reads 200,000 secrets; kumo stores 500 and a
// few.
//
// kumo serves STS (AssumeRole, GetCallerIdentity), IAM and Secrets
// Manager. Two things it does not do are the router's own: Organizations'
// ListAccounts (paginated, AWS JSON 1.1, as internal/org's stand-in), and
// a spoke role's trust refusing the hub (kumo does not evaluate trust
// policies; an account set to refuse answers AccessDenied as STS does).
// Throttling is injected per account by a share of requests.
package orgemu

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/secretgate/secretgate/internal/awstest"
)

// Template account ids: kumo's IAM puts 123456789012 in its ARNs, its
// Secrets Manager and STS 000000000000. The router maps both to the
// requesting account.
const (
	templateIAM     = "123456789012"
	templateSecrets = "000000000000"
	templateRegion  = awstest.Region
	// Hub names the hub's calls in Calls: those signed with awstest's
	// static test keys or with the credentials of a role of HubAccount.
	Hub = "hub"
	// HubAccount is the management account: its roles (the hub role,
	// aws.role_arn) are assumed as the hub.
	HubAccount = "100000000000"
)

// Options shape the organisation.
type Options struct {
	Accounts int      // number of member accounts
	Regions  []string // every account's regions (the checker's aws.regions)
	Secrets  int      // template secrets every account has in every region
	Roles    int      // template roles every account has, each reading its secrets
	// OwnSecretEvery gives every n-th account (0: none) one secret of its
	// own with a name that breaks the naming convention, so accounts'
	// findings differ.
	OwnSecretEvery int
	// RoleName is the spoke role's name (arn:aws:iam::<id>:role/<RoleName>).
	RoleName string
	// WebIdentity admits a web identity token for
	// sts:AssumeRoleWithWebIdentity into a role of HubAccount (the hub
	// assumed with a GitHub Actions OIDC token); nil refuses every one.
	// kumo does not evaluate trust policies, so the router decides: the
	// act test admits exactly the tokens its Actions runtime stand-in
	// issued.
	WebIdentity func(token string) bool
}

// Org is a running emulated organisation.
type Org struct {
	// URL is the router's: the SDK's base endpoint (AWS_ENDPOINT_URL).
	URL string
	// Accounts are the member accounts' ids, in order.
	Accounts []string
	// Own maps an account to the name of its own secret (OwnSecretEvery).
	Own map[string]string

	em       *awstest.Emulator
	opts     Options
	kumo     *httputil.ReverseProxy
	owner    map[string]string // own secret name -> account
	mu       sync.Mutex
	keys     map[string]string // access key id -> account
	refuse   map[string]bool
	throttle map[string]func(Call) bool
	calls    map[string]map[string]int // account -> service:Action -> count
	attempts map[string]map[string]int // the same, retries included
}

// Call is a request the router saw, for a throttling decision.
type Call struct {
	Account, Service, Action, Region string
	// N counts the account's requests so far, from 1, retries included.
	N int
	// Attempt is which attempt at its API call the request is, from 1.
	Attempt int
}

// Start seeds kumo with the template and runs the router until the test
// ends.
func Start(tb testing.TB, o Options) *Org {
	tb.Helper()
	if o.RoleName == "" {
		o.RoleName = "secretgate-read"
	}
	if len(o.Regions) == 0 {
		o.Regions = []string{templateRegion}
	}
	em := awstest.Start(tb)
	em.CreateSecrets(tb, o.Secrets)
	em.CreateRoles(tb, o.Roles, templateIAM)
	g := &Org{em: em, opts: o, Own: map[string]string{}, owner: map[string]string{},
		keys: map[string]string{awstest.AccessKeyID: Hub}, refuse: map[string]bool{},
		throttle: map[string]func(Call) bool{}, calls: map[string]map[string]int{}, attempts: map[string]map[string]int{}}
	for i := range o.Accounts {
		id := fmt.Sprintf("%012d", 210000000000+i)
		g.Accounts = append(g.Accounts, id)
		if o.OwnSecretEvery > 0 && i%o.OwnSecretEvery == 0 {
			name := fmt.Sprintf("Legacy_Tenant%04d", i)
			em.CreateSecret(tb, name, "x", nil)
			g.Own[id], g.owner[name] = name, id
		}
	}
	target, err := url.Parse(em.Direct)
	if err != nil {
		tb.Fatal(err)
	}
	g.kumo = httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	tb.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// Env is the process environment that points the SDK at the router with
// the hub's credentials.
func (g *Org) Env() []string {
	env := g.em.Env()
	for i, kv := range env {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			env[i] = "AWS_ENDPOINT_URL=" + g.URL
		}
	}
	return env
}

// Refuse makes account's spoke role refuse the hub: AssumeRole answers
// AccessDenied.
func (g *Org) Refuse(account string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refuse[account] = true
}

// Throttle answers ThrottlingException to the account's requests for
// which f is true (nil removes it).
func (g *Org) Throttle(account string, f func(Call) bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f == nil {
		delete(g.throttle, account)
		return
	}
	g.throttle[account] = f
}

// Attempts returns, per account (and Hub), the number of requests per
// "service:Action", every retry included.
func (g *Org) Attempts() map[string]map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return copyCounts(g.attempts)
}

// Calls returns, per account (and Hub), the number of API calls per
// "service:Action", throttled ones included: a call the SDK retries (after
// a throttle, or a keep-alive connection the server had closed, as happens
// on a loaded machine) counts once, by its first attempt.
func (g *Org) Calls() map[string]map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return copyCounts(g.calls)
}

func copyCounts(counts map[string]map[string]int) map[string]map[string]int {
	out := map[string]map[string]int{}
	for a, m := range counts {
		out[a] = maps.Clone(m)
	}
	return out
}

// ResetCalls forgets the requests seen.
func (g *Org) ResetCalls() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = map[string]map[string]int{}
	g.attempts = map[string]map[string]int{}
}

// attemptOf is which attempt at its API call r is, from 1: the SDK numbers
// its attempts in the amz-sdk-request header ("attempt=2; max=3"); a
// request without it is a first attempt.
func attemptOf(r *http.Request) int {
	for _, part := range strings.Split(r.Header.Get("Amz-Sdk-Request"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "attempt="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return n
			}
		}
	}
	return 1
}

var (
	scopeRE = regexp.MustCompile(`Credential=([^/]+)/[0-9]+/([^/]+)/([^/]+)/aws4_request`)
	keyRE   = regexp.MustCompile(`<AccessKeyId>([^<]+)</AccessKeyId>`)
)

func (g *Org) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var key, region, service, action string
	if m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		key, region, service = m[1], m[2], m[3]
	}
	var form url.Values
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		_, action, _ = strings.Cut(t, ".")
	} else if form, err = url.ParseQuery(string(body)); err == nil {
		action = form.Get("Action")
	}
	// Unsigned: the token is the credential, and only the hub is assumed
	// with one.
	webIdentity := key == "" && action == "AssumeRoleWithWebIdentity"

	g.mu.Lock()
	account, known := g.keys[key]
	if webIdentity {
		account, known, service = Hub, true, "sts"
	}
	calls := g.calls[account]
	if calls == nil {
		calls = map[string]int{}
		g.calls[account] = calls
	}
	attempt := attemptOf(r)
	if attempt == 1 {
		calls[service+":"+action]++
	}
	tries := g.attempts[account]
	if tries == nil {
		tries = map[string]int{}
		g.attempts[account] = tries
	}
	tries[service+":"+action]++
	n := 0
	for _, c := range tries {
		n += c
	}
	throttle := g.throttle[account]
	g.mu.Unlock()
	if !known {
		writeError(w, service, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	if throttle != nil && throttle(Call{Account: account, Service: service, Action: action, Region: region, N: n, Attempt: attempt}) {
		writeError(w, service, 400, "ThrottlingException", "Rate exceeded")
		return
	}

	switch {
	case service == "organizations" && action == "ListAccounts" && account == Hub:
		g.listAccounts(w, body)
		return
	case service == "sts" && action == "AssumeRole":
		g.assumeRole(w, r, body, form)
		return
	case webIdentity:
		g.assumeRoleWithWebIdentity(w, r, body, form)
		return
	}
	if account == Hub {
		g.forward(w, r, body, nil)
		return
	}
	g.forward(w, r, body, func(b []byte) []byte {
		b = g.toAccount(b, account, service, region)
		if service == "secretsmanager" && action == "ListSecrets" {
			return g.ownSecrets(b, account)
		}
		return b
	}, toTemplate(account, service, region))
}

// toTemplate maps an account's request to the template's ids.
func toTemplate(account, service, region string) func([]byte) []byte {
	return func(b []byte) []byte {
		tmpl := templateIAM
		if service == "secretsmanager" {
			tmpl = templateSecrets
			b = bytes.ReplaceAll(b, []byte(":"+region+":"), []byte(":"+templateRegion+":"))
		}
		return bytes.ReplaceAll(b, []byte(account), []byte(tmpl))
	}
}

// toAccount maps kumo's answer to the account's ids and the request's
// region.
func (g *Org) toAccount(b []byte, account, service, region string) []byte {
	b = bytes.ReplaceAll(b, []byte(templateIAM), []byte(account))
	b = bytes.ReplaceAll(b, []byte(templateSecrets), []byte(account))
	if service == "secretsmanager" && region != templateRegion {
		b = bytes.ReplaceAll(b, []byte(":"+templateRegion+":"), []byte(":"+region+":"))
	}
	return b
}

// ownSecrets drops from a ListSecrets page the secrets another account
// owns.
func (g *Org) ownSecrets(b []byte, account string) []byte {
	var page map[string]json.RawMessage
	if json.Unmarshal(b, &page) != nil {
		return b
	}
	var list []json.RawMessage
	if json.Unmarshal(page["SecretList"], &list) != nil {
		return b
	}
	kept := list[:0]
	for _, s := range list {
		var named struct{ Name string }
		if json.Unmarshal(s, &named) == nil {
			if owner, ok := g.owner[named.Name]; ok && owner != account {
				continue
			}
		}
		kept = append(kept, s)
	}
	page["SecretList"], _ = json.Marshal(kept)
	out, err := json.Marshal(page)
	if err != nil {
		return b
	}
	return out
}

// forward sends the request to kumo, its body mapped by req, and maps the
// answer's body by resp (nil: unchanged).
func (g *Org) forward(w http.ResponseWriter, r *http.Request, body []byte, resp func([]byte) []byte, req ...func([]byte) []byte) {
	for _, f := range req {
		body = f(body)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if resp == nil {
		g.kumo.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	g.kumo.ServeHTTP(rec, r)
	out := resp(rec.Body.Bytes())
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

// assumeRole refuses an account set to refuse, else lets kumo hand out
// credentials and binds their access key id to the role's account.
func (g *Org) assumeRole(w http.ResponseWriter, r *http.Request, body []byte, form url.Values) {
	arn := form.Get("RoleArn")
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		writeError(w, "sts", 400, "ValidationError", "invalid RoleArn")
		return
	}
	account := parts[4]
	if account == HubAccount {
		g.forward(w, r, body, g.bind(Hub))
		return
	}
	g.mu.Lock()
	refused := g.refuse[account]
	member := false
	for _, id := range g.Accounts {
		member = member || id == account
	}
	g.mu.Unlock()
	if refused || !member || parts[5] != "role/"+g.opts.RoleName {
		writeError(w, "sts", 403, "AccessDenied", fmt.Sprintf("User: arn:aws:sts::%s:assumed-role/secretgate-hub/nightly is not authorized to perform: sts:AssumeRole on resource: %s", templateSecrets, arn))
		return
	}
	g.forward(w, r, body, g.bind(account))
}

// assumeRoleWithWebIdentity hands out hub credentials for a role of
// HubAccount when Options.WebIdentity admits the token, and refuses
// everything else as STS does.
func (g *Org) assumeRoleWithWebIdentity(w http.ResponseWriter, r *http.Request, body []byte, form url.Values) {
	arn := form.Get("RoleArn")
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[4] != HubAccount {
		writeError(w, "sts", 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity on "+arn)
		return
	}
	if g.opts.WebIdentity == nil || !g.opts.WebIdentity(form.Get("WebIdentityToken")) {
		writeError(w, "sts", 400, "InvalidIdentityToken", "The web identity token was not issued by the trusted provider.")
		return
	}
	g.forward(w, r, body, g.bind(Hub))
}

// CreateSecret adds a secret to the template: every account has it, in
// every region.
func (g *Org) CreateSecret(tb testing.TB, name, value string) {
	tb.Helper()
	g.em.CreateSecret(tb, name, value, nil)
}

// DeleteSecret removes a template secret from every account.
func (g *Org) DeleteSecret(tb testing.TB, name string) {
	tb.Helper()
	sm := secretsmanager.NewFromConfig(g.em.Config(tb))
	if _, err := sm.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		tb.Fatalf("delete secret %s: %v", name, err)
	}
}

// bind binds the access key id of an AssumeRole answer to account.
func (g *Org) bind(account string) func([]byte) []byte {
	return func(b []byte) []byte {
		if m := keyRE.FindSubmatch(b); m != nil {
			g.mu.Lock()
			g.keys[string(m[1])] = account
			g.mu.Unlock()
		}
		return b
	}
}

// listAccounts answers Organizations' ListAccounts, 20 accounts a page
// (AWS's maximum), every account ACTIVE.
func (g *Org) listAccounts(w http.ResponseWriter, body []byte) {
	var in struct{ NextToken string }
	_ = json.Unmarshal(body, &in)
	start, _ := strconv.Atoi(in.NextToken)
	end := min(start+20, len(g.Accounts))
	type account struct {
		Id, Arn, Name, Email, State, Status string
	}
	out := struct {
		Accounts  []account
		NextToken string `json:",omitempty"`
	}{Accounts: []account{}}
	for i, id := range g.Accounts[start:end] {
		out.Accounts = append(out.Accounts, account{Id: id, Arn: "arn:aws:organizations::" + templateSecrets + ":account/o-emulated/" + id,
			Name: fmt.Sprintf("member-%04d", start+i), Email: fmt.Sprintf("member-%04d@example.com", start+i), State: "ACTIVE", Status: "ACTIVE"})
	}
	if end < len(g.Accounts) {
		out.NextToken = strconv.Itoa(end)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// writeError answers in the service's error shape: AWS JSON for Secrets
// Manager and Organizations, query XML for IAM and STS.
func writeError(w http.ResponseWriter, service string, status int, code, msg string) {
	if service == "secretsmanager" || service == "organizations" {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
		return
	}
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	var m bytes.Buffer
	_ = xml.EscapeText(&m, []byte(msg))
	fmt.Fprintf(w, `<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`, typ, code, m.String())
}
