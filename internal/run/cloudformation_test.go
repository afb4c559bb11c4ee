package run

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/config"
)

// TestCheckCloudFormationAsPeopleWriteIt runs the offline check over
// templates shaped like public ones (internal/source/testdata/cfn; each
// names the repository it imitates) and looks at the findings of the
// repository families: a template's own OIDC provider is GitHub's, an
// undecidable Fn::If is judged both ways and the finding names the branch,
// list parameters are lists, SAM functions have roles; nothing is "could
// not read".
func TestCheckCloudFormationAsPeopleWriteIt(t *testing.T) {
	tests := []struct {
		file string
		want []string // "rule resource", sorted; leaks aside
	}{
		{
			// Before: "trust ok, no finding" — the provider was ${GitHubOidc}.
			"federated-setup.yaml", []string{
				"trust-oidc-aud-missing DeployRole",
				"trust-oidc-whole-org DeployRole",
			},
		},
		{
			// Before: "ManagedPolicyArns must be a list", exit 3. The
			// subjects have no value: the sub pins nothing that can be
			// known.
			"oidc-list-params.yaml", []string{
				"trust-oidc-any-org gha-dev-github-iac-iam-role",
			},
		},
		{
			// Before: "only the first branch was judged", exit 3. Only
			// the IsMain=false branch trusts the whole organisation.
			"undecidable-if.yaml", []string{
				"rotation-not-enabled prod/app/api",
				"trust-oidc-whole-org Deploy/if IsMain=false",
			},
		},
		{
			"sam-function.yaml", []string{
				"iam-broad-managed-policy ReaderRole",
				"iam-secret-read-wildcard-resource ReaderRole/ReaderRolePolicy4",
				"rotation-not-enabled prod/api/key",
			},
		},
		{
			// The secret named after the stack has no environment to
			// judge its rotation by; its name is not judged.
			"placeholder-names.yaml", []string{
				"rotation-environment-unknown ${AWS::StackName}/db",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			root := t.TempDir()
			data, err := os.ReadFile(filepath.Join("..", "source", "testdata", "cfn", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, tc.file), data, 0o644); err != nil {
				t.Fatal(err)
			}
			done, err := Check(context.Background(), offlinePlan(root, config.Default()))
			if err != nil {
				t.Fatal(err)
			}
			rep := done.Report
			if len(rep.Inputs.Errors) > 0 || rep.Summary.Incomplete {
				t.Errorf("input errors %+v, incomplete %v; want a complete run", rep.Inputs.Errors, rep.Summary.Incomplete)
			}
			var got []string
			for _, f := range rep.Findings {
				if f.Check == "leaks" {
					continue
				}
				got = append(got, f.Rule+" "+f.Resource)
				if f.Resource == "Deploy/if IsMain=false" && !strings.HasSuffix(f.Message, " (assuming condition IsMain is false)") {
					t.Errorf("%s on %s: message %q does not say which branch", f.Rule, f.Resource, f.Message)
				}
			}
			sort.Strings(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckCloudFormationParametersFile: the configuration's
// cloudformation_parameters file gives the template's parameters their
// values: the subjects it lists pin the role, which without them trusts
// any organisation.
func TestCheckCloudFormationParametersFile(t *testing.T) {
	root := t.TempDir()
	for src, dst := range map[string]string{
		"oidc-list-params.yaml":        "oidc-list-params.yaml",
		"params/oidc-list-params.json": "deploy/params.json",
	} {
		data, err := os.ReadFile(filepath.Join("..", "source", "testdata", "cfn", filepath.FromSlash(src)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(dst)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, dst), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfgPath := filepath.Join(root, ".secretgate.yml")
	if err := os.WriteFile(cfgPath, []byte("cloudformation_parameters: deploy/params.json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	done, err := Check(context.Background(), offlinePlan(root, cfg))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range done.Report.Findings {
		if f.Rule == "trust-oidc-any-org" {
			t.Errorf("with the parameters file the subjects are known, yet: %s %s: %s", f.Rule, f.Resource, f.Message)
		}
	}
	if done.Report.Summary.Incomplete {
		t.Errorf("incomplete: %+v", done.Report.Inputs.Errors)
	}

	bad := filepath.Join(root, "deploy", "params.json")
	if err := os.WriteFile(bad, []byte("[{"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Check(context.Background(), offlinePlan(root, cfg))
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "cloudformation_parameters") {
		t.Errorf("a malformed parameters file: err = %v, want a usage error naming the key", err)
	}
}
