// Command geninput writes the benchmark's input document (for opa eval) and
// the same account as an inventory snapshot (for secretgate check).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/secretgate/secretgate/internal/bench"
)

func main() {
	secrets := flag.Int("secrets", 10000, "number of secrets")
	roles := flag.Int("roles", 1000, "number of roles")
	input := flag.String("input", "", "write the input document here")
	flag.Parse()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	in := bench.Account(*secrets, *roles, now)
	if *input != "" {
		b, err := json.Marshal(in)
		if err == nil {
			err = os.WriteFile(*input, b, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "geninput:", err)
			os.Exit(1)
		}
	}
}
