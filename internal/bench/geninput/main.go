// Command geninput writes the benchmark's AWS account as an inventory
// snapshot, the file secretgate check reads; `secretgate check --write-input`
// then produces the very input document opa eval is given. With -terraform
// it writes the Terraform tree of issue 12's benchmark instead
// (bench.TerraformTree), for measuring other tools on the same files.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/secretgate/secretgate/internal/bench"
)

func main() {
	secrets := flag.Int("secrets", 10000, "number of secrets")
	roles := flag.Int("roles", 1000, "number of roles")
	out := flag.String("snapshot", "", "write the inventory snapshot here")
	tfDir := flag.String("terraform", "", "write a generated Terraform tree here instead")
	tfRoots := flag.Int("roots", 125, "Terraform roots to generate (8 files each)")
	flag.Parse()
	if *tfDir != "" {
		n, err := bench.TerraformTree(*tfDir, *tfRoots)
		if err != nil {
			fmt.Fprintln(os.Stderr, "geninput:", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %d files under %s\n", n, *tfDir)
		return
	}
	if err := write(*out, *secrets, *roles); err != nil {
		fmt.Fprintln(os.Stderr, "geninput:", err)
		os.Exit(1)
	}
}

func write(path string, secrets, roles int) error {
	if path == "" {
		return fmt.Errorf("-snapshot is required")
	}
	return bench.WriteAccount(path, secrets, roles)
}
