// Command samefindings holds make bench honest: the findings of opa eval
// (its JSON output) and of secretgate check (its JSON report) over the same
// input must be the same. It prints the count, or the difference and exits 1.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/secretgate/secretgate/internal/bench"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: samefindings OPA_OUTPUT.json SECRETGATE_REPORT.json")
		os.Exit(2)
	}
	want, err := read(os.Args[1], bench.OPAFindings)
	if err == nil {
		var got []bench.FindingKey
		if got, err = read(os.Args[2], bench.ReportFindings); err == nil {
			diff := bench.DiffFindings(want, got)
			if len(diff) == 0 {
				fmt.Printf("identical findings: %d from opa eval, %d from secretgate\n", len(want), len(got))
				return
			}
			fmt.Printf("the findings differ (- opa eval only, + secretgate only), %d of them:\n", len(diff))
			for _, d := range diff[:min(len(diff), 20)] {
				fmt.Println(d)
			}
			os.Exit(1)
		}
	}
	fmt.Fprintln(os.Stderr, "samefindings:", err)
	os.Exit(2)
}

func read(path string, parse func(io.Reader) ([]bench.FindingKey, error)) ([]bench.FindingKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(f)
}
