package run

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/leaks"
)

func TestCredentialReferences(t *testing.T) {
	creds := []config.Credential{
		{Secret: "prod/a/api", Line: 2, SecretLine: 2},
		{Secret: "prod/b/db", Line: 3, SecretLine: 5},
		{Secret: "prod/c/api"}, // no location (not from a file): nothing to mark
	}
	tests := []struct {
		name string
		file string
		want []leaks.NameReference
	}{
		{"configuration in the scanned tree", "ci/secretgate.yml", []leaks.NameReference{
			{File: "ci/secretgate.yml", Line: 2, Name: "prod/a/api", Describe: "credential name"},
			{File: "ci/secretgate.yml", Line: 5, Name: "prod/b/db", Describe: "credential name"},
		}},
		{"configuration outside the scanned tree", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, CredentialReferences(tc.file, creds)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLeakFactCarriesConfigReference(t *testing.T) {
	for _, ref := range []string{"", "credential name"} {
		if got := LeakFact(leaks.Finding{RuleID: "generic-api-key", NameReference: ref}).ConfigReference; got != ref {
			t.Errorf("ConfigReference = %q, want %q", got, ref)
		}
	}
}
