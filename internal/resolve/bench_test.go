package resolve_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/resolve"
)

// BenchmarkResolve500 resolves 500 credentials (two GetSecretValue calls
// each: AWSCURRENT and AWSPREVIOUS) against the kumo emulator, one at a
// time and with bounded concurrency, with no added latency and with 5 ms
// per request (closer to a real endpoint's round trip, where concurrency
// pays). wall-ms is one whole Resolve.
func BenchmarkResolve500(b *testing.B) {
	const n = 500
	e := newEmulator(b)
	creds := make([]config.Credential, n)
	for i := range creds {
		name := fmt.Sprintf("prod/bench%03d/api", i)
		e.put(b, name, fmt.Sprintf(`{"api_key":"key-%06d-abcdef","api_secret":"secret-%06d-0123456789"}`, i, i))
		if i%2 == 0 {
			e.put(b, name, fmt.Sprintf(`{"api_key":"key-%06d-ghijkl","api_secret":"secret-%06d-9876543210"}`, i, i))
		}
		creds[i] = prod(api(name))
	}
	for _, latency := range []time.Duration{0, 5 * time.Millisecond} {
		for _, conc := range []int{1, config.DefaultConcurrency, 32} {
			b.Run(fmt.Sprintf("latency=%s/concurrency=%d", latency, conc), func(b *testing.B) {
				e.latency = latency
				defer func() { e.latency = 0 }()
				client := e.client(b)
				var took time.Duration
				for b.Loop() {
					start := time.Now()
					r := resolve.New(client, resolve.Options{Concurrency: conc})
					res := r.Resolve(context.Background(), creds)
					took += time.Since(start)
					r.Close()
					if len(res.Problems) > 0 || !res.Credentials[n-1].Readable {
						b.Fatalf("problems %v", res.Problems)
					}
				}
				b.ReportMetric(float64(took.Milliseconds())/float64(b.N), "wall-ms")
			})
		}
	}
}
