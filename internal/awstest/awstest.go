// Package awstest runs the kumo AWS emulator in-process for tests and
// benchmarks, behind a proxy that counts API calls and injects faults
// (throttling, server errors, delays, connection resets, access denied),
// and plays the GitHub Actions OIDC token endpoint. It is imported by
// tests only; the secretgate binary does not link it.
package awstest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/sivchari/kumo"
)

// Static test credentials: the emulator accepts any.
const (
	AccessKeyID     = "AKIDSECRETGATETEST01"
	SecretAccessKey = "secretgate-test-secret-access-key"
	Region          = "us-east-1"
)

// Call is one API request as the proxy saw it.
type Call struct {
	Service string // secretsmanager, iam, sts
	Action  string // ListSecrets, GetRole, …
	Region  string // from the signature's credential scope
	Attempt int    // 1 for the first time this (service, region, action, body) was seen
	// Body is the request body (a query-protocol form or JSON), for faults
	// that depend on a parameter (the role an AssumeRole asks for).
	Body string
}

// Fault is what the proxy does instead of (or before) forwarding.
type Fault struct {
	// Status and Code send an AWS error of that HTTP status and error code
	// in the service's own error shape (JSON or query XML).
	Status int
	Code   string
	// Delay waits before forwarding (or before the error).
	Delay time.Duration
	// Reset closes the connection without a response.
	Reset bool
}

// Faults decides the fault for a call; the zero Fault forwards.
type Faults func(Call) Fault

// Emulator is kumo behind the counting, fault-injecting proxy.
type Emulator struct {
	// URL is the proxy's: use it as the SDK's base endpoint.
	URL string
	// Direct is kumo's own URL, for seeding without counting or faults.
	Direct string

	mu     sync.Mutex
	calls  []Call
	seen   map[string]int
	faults Faults
	ages   map[string]time.Duration // secret name -> how much older it reads (age.go)
}

// Start runs kumo and the proxy until the test ends.
func Start(tb testing.TB) *Emulator {
	tb.Helper()
	srv := kumo.NewServer()
	tb.Cleanup(srv.Close)
	target, err := url.Parse(srv.URL)
	if err != nil {
		tb.Fatal(err)
	}
	e := &Emulator{Direct: srv.URL, seen: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorLog = nil
	rp.ModifyResponse = e.backdate
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.serve(w, r, rp)
	}))
	tb.Cleanup(proxy.Close)
	e.URL = proxy.URL
	e.wipe(tb)
	return e
}

// SetFaults installs f (nil removes all faults).
func (e *Emulator) SetFaults(f Faults) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = f
}

// Calls returns the calls seen so far.
func (e *Emulator) Calls() []Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Call(nil), e.calls...)
}

// ResetCalls forgets the calls seen.
func (e *Emulator) ResetCalls() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls, e.seen = nil, map[string]int{}
}

// Count returns the number of calls per service.
func (e *Emulator) Count() map[string]int {
	m := map[string]int{}
	for _, c := range e.Calls() {
		m[c.Service]++
	}
	return m
}

// CountActions returns the number of calls per "service:Action".
func (e *Emulator) CountActions() map[string]int {
	m := map[string]int{}
	for _, c := range e.Calls() {
		m[c.Service+":"+c.Action]++
	}
	return m
}

// Summary formats CountActions in sorted order.
func (e *Emulator) Summary() string {
	m := e.CountActions()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, m[k])
	}
	return strings.TrimSpace(b.String())
}

var scopeRE = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([^/]+)/([^/]+)/aws4_request`)

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request, rp http.Handler) {
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))

	c := Call{}
	if m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		c.Region, c.Service = m[1], m[2]
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		svc, action, _ := strings.Cut(t, ".")
		c.Action = action
		if c.Service == "" {
			c.Service = strings.ToLower(svc)
		}
	} else if form, err := url.ParseQuery(string(body)); err == nil {
		c.Action = form.Get("Action")
	}
	if c.Service == "" && strings.HasPrefix(c.Action, "AssumeRoleWith") {
		c.Service = "sts" // unsigned: the token is the credential
	}
	key := c.Service + "|" + c.Region + "|" + c.Action + "|" + string(body)
	e.mu.Lock()
	e.seen[key]++
	c.Attempt = e.seen[key]
	c.Body = string(body)
	e.calls = append(e.calls, c)
	faults := e.faults
	e.mu.Unlock()

	var f Fault
	if faults != nil {
		f = faults(c)
	}
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case f.Reset:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("awstest: response writer cannot hijack")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				// RST, not FIN: a clean close would test another fault.
				if err := tc.SetLinger(0); err != nil {
					panic("awstest: set linger for a reset: " + err.Error())
				}
			}
			conn.Close()
		}
	case f.Status != 0:
		writeError(w, c, f)
	default:
		rp.ServeHTTP(w, r)
	}
}

// writeError answers in the service's error shape: awsJson for Secrets
// Manager, awsQuery XML for IAM and STS.
func writeError(w http.ResponseWriter, c Call, f Fault) {
	msg := "injected by the secretgate test proxy"
	switch f.Code {
	case "ThrottlingException", "Throttling":
		msg = "Rate exceeded"
	case "AccessDenied", "AccessDeniedException":
		msg = fmt.Sprintf("User: arn:aws:sts::123456789012:assumed-role/secretgate/test is not authorized to perform: %s:%s", c.Service, c.Action)
	}
	if c.Service == "secretsmanager" {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Errortype", f.Code)
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, f.Code, msg)
		return
	}
	typ := "Sender"
	if f.Status >= 500 {
		typ = "Receiver"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(f.Status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`, typ, f.Code, msg)
}

// LoadOptions point the SDK at url with static test credentials.
func LoadOptions(url string) []func(*config.LoadOptions) error {
	return []func(*config.LoadOptions) error{
		config.WithBaseEndpoint(url),
		config.WithRegion(Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, "")),
	}
}

// Config is an SDK configuration that talks to kumo directly (not through
// the proxy): for seeding.
func (e *Emulator) Config(tb testing.TB) aws.Config {
	tb.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), LoadOptions(e.Direct)...)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// Env is the process environment for a secretgate binary that should talk
// to the emulator through the proxy.
func (e *Emulator) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + e.URL,
		"AWS_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
}
