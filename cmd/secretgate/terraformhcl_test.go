package main

import (
	"sort"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/result"
)

// TestTerraformHCLRepository: a repository of Terraform HCL only (a GitHub
// OIDC role module called by an example, for_each roles, a trust document
// only output by a module, secrets) is judged without a plan: the trust
// findings name the role by name or address and point at the .tf file and
// line.
func TestTerraformHCLRepository(t *testing.T) {
	r := secretgate(t, nil, "check", "--offline", "--only", "trust,iam,naming,rotation",
		"--path", repo("terraform-hcl"), "--format", "json", "--now", now)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (findings): %s", r.code, r.stderr)
	}
	rep := jsonReport(t, r)
	var trust []string
	for _, f := range rep.Findings {
		if f.Check == "trust" {
			trust = append(trust, f.Rule+" "+f.Resource+" "+f.File+":"+strconv.Itoa(f.Line))
		}
	}
	sort.Strings(trust)
	want := []string{
		// The unused trust document: var.repository has no value, judged as "*".
		"trust-oidc-any-org data.aws_iam_policy_document.github_trust unused-trust/main.tf:5",
		"trust-oidc-aud-missing data.aws_iam_policy_document.github_trust unused-trust/main.tf:5",
		// The example's subjects, passed into the module: repo:acme/*.
		"trust-oidc-whole-org gha-deploy modules/github-oidc-role/main.tf:40",
	}
	if diff := cmp.Diff(want, trust); diff != "" {
		t.Errorf("trust findings (-want +got):\n%s", diff)
	}
	st := checkStatus(rep)
	for _, c := range []string{"trust", "iam", "rotation"} {
		if st[c] != result.StatusFailed {
			t.Errorf("%s is %s, want failed: %v", c, st[c], st)
		}
	}
	if res := checkByID(rep, "trust").Resources; res != 4 {
		t.Errorf("trust judged %d roles, want 4", res)
	}
	if rep.Summary.Incomplete {
		t.Errorf("incomplete: %+v", rep.Inputs.Errors)
	}
}
