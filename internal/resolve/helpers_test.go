package resolve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/sivchari/kumo"
)

// emulator is the kumo AWS emulator, in-process, with a fault-injecting
// proxy in front of it. kumo's services keep one store per process, shared
// by every server: tests use secret names of their own.
type emulator struct {
	srv   *kumo.Server
	proxy *httptest.Server
	// fault, when set, decides per request whether to answer with a fault
	// instead of passing it to kumo.
	mu    sync.Mutex
	fault func(req faultRequest) fault
	calls atomic.Int64
	// latency delays every request passed to kumo (a network's round
	// trip, for benchmarks).
	latency time.Duration
}

// faultRequest is what the fault function sees of a request.
type faultRequest struct {
	Action   string // GetSecretValue, ...
	SecretID string
	Stage    string
	Attempt  int64 // 1-based count of requests so far
}

// fault is an injected failure.
type fault struct {
	status int    // HTTP status of an AWS JSON error
	code   string // __type of the error
	msg    string
	reset  bool          // close the connection without an answer
	delay  time.Duration // wait (or until the client gives up)
}

func newEmulator(t testing.TB) *emulator {
	t.Helper()
	e := &emulator{srv: kumo.NewServer()}
	target, err := url.Parse(e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	// Keep connections to kumo open, as the SDK does to its endpoint: the
	// proxy must not be what a benchmark measures.
	rp.Transport = &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	e.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := e.calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in struct {
			SecretID     string `json:"SecretId"`
			VersionStage string `json:"VersionStage"`
		}
		_ = json.Unmarshal(body, &in)
		fr := faultRequest{Action: after(r.Header.Get("X-Amz-Target"), "."), SecretID: in.SecretID, Stage: in.VersionStage, Attempt: n}
		e.mu.Lock()
		ff := e.fault
		e.mu.Unlock()
		if ff != nil {
			if f := ff(fr); f != (fault{}) {
				inject(w, r, f)
				return
			}
		}
		if e.latency > 0 {
			time.Sleep(e.latency)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		e.proxy.Close()
		e.srv.Close()
	})
	return e
}

func after(s, sep string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i:i+1] == sep {
			return s[i+1:]
		}
	}
	return s
}

func inject(w http.ResponseWriter, r *http.Request, f fault) {
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	if f.reset {
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("no hijacker")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
				_ = tc.SetLinger(0) // RST, not FIN
			}
			conn.Close()
		}
		return
	}
	if f.status == 0 {
		return // a delay alone: then pass nothing (the client timed out)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", f.code)
	w.WriteHeader(f.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": f.code, "message": f.msg})
}

func (e *emulator) setFault(f func(faultRequest) fault) {
	e.mu.Lock()
	e.fault = f
	e.mu.Unlock()
}

// client is a Secrets Manager client through the proxy, with static
// credentials, retries as the SDK's standard retryer does them (3
// attempts) but with short backoff so that tests stay fast.
func (e *emulator) client(t testing.TB) *secretsmanager.Client {
	t.Helper()
	return newClient(e.proxy.URL)
}

func newClient(endpoint string) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secretkeytest", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.MaxBackoff = 20 * time.Millisecond
			o.RateLimiter = ratelimit.None
		}),
	})
}

// direct is a client straight to kumo, for seeding.
func (e *emulator) direct() *secretsmanager.Client { return newClient(e.srv.URL) }

// put creates the secret with value (or adds a version when it exists).
func (e *emulator) put(t testing.TB, name, value string) {
	t.Helper()
	ctx := context.Background()
	c := e.direct()
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &name, SecretString: &value}); err == nil {
		return
	}
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: &value}); err != nil {
		t.Fatalf("create secret %s: %v", name, err)
	}
}

func (e *emulator) putBinary(t testing.TB, name string, value []byte) {
	t.Helper()
	if _, err := e.direct().CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: &name, SecretBinary: value}); err != nil {
		t.Fatalf("create secret %s: %v", name, err)
	}
}
