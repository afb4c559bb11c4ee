package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/explain"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/source"
)

type explainFlags struct {
	role, claims, path, config, format string
}

func newExplainTrustCmd(stdout, stderr io.Writer) *cobra.Command {
	var f explainFlags
	cmd := &cobra.Command{
		Use:   "explain-trust --role ROLE --claims FILE.json",
		Short: "Explain whether a role's trust policy admits a GitHub OIDC token, and which attacker tokens it admits",
		Long: `explain-trust evaluates the trust policy of ROLE (an ARN or a role name,
found in the repository's IAM JSON, CloudFormation, Terraform plans or
inventory snapshots) against the claims of a GitHub Actions OIDC token, with
the same IAM condition semantics as the trust rules. It prints the verdict,
the statement and condition that refused the token (or the closest miss),
and, for tokens an attacker could present from the token's repository (a
pull request, a fork's pull request, another branch, another repository,
another organisation), whether the role admits them.

FILE.json is the token's decoded payload (the claims object), never the
token; "-" reads it from standard input. Everything runs offline.

Exit codes: 0 the trust policy admits the token, 1 it refuses it,
2 usage or input error, 3 the role's trust policy is unknown.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExplainTrust(cmd.Context(), f, cmd.InOrStdin(), stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.role, "role", "", "role ARN or name")
	fl.StringVar(&f.claims, "claims", "", "decoded token payload (JSON claims), \"-\" for standard input")
	fl.StringVar(&f.path, "path", ".", "repository root")
	fl.StringVarP(&f.config, "config", "c", "", "configuration file (default: .secretgate.yml at the root when present)")
	fl.StringVarP(&f.format, "format", "f", "text", "text|json")
	return cmd
}

func runExplainTrust(ctx context.Context, f explainFlags, stdin io.Reader, stdout, stderr io.Writer) error {
	if f.role == "" || f.claims == "" {
		return usageError(errors.New("explain-trust needs --role and --claims"))
	}
	if f.format != "text" && f.format != "json" {
		return usageError(fmt.Errorf("--format %q: want text or json", f.format))
	}
	claims, err := readClaims(f.claims, stdin)
	if err != nil {
		return usageError(err)
	}
	root, cfg, err := loadRepoConfig(f.path, f.config)
	if err != nil {
		return usageError(err)
	}
	engine, err := policy.Load(ctx, cfg.Policies)
	if err != nil {
		return usageError(err)
	}
	opts := source.Options{Exclude: cfg.Exclude, MaxFileBytes: cfg.MaxFileSize, TerraformVarFiles: cfg.TerraformVarFiles}
	if cfg.CloudFormationParameters != "" {
		if opts.CloudFormationParameters, err = source.LoadCloudFormationParameters(cfg.CloudFormationParameters); err != nil {
			return usageError(err)
		}
	}
	res, err := source.Scan(ctx, root, opts)
	if err != nil {
		return usageError(fmt.Errorf("scan %s: %w", f.path, err))
	}
	for _, p := range res.Errors {
		fmt.Fprintf(stderr, "secretgate: warning: %s could not be read: %s\n", p.File, p.Message)
	}
	for _, p := range res.NotJudged {
		// The role asked about may be defined there.
		fmt.Fprintf(stderr, "secretgate: warning: %s was not read: %s\n", p.File, p.Message)
	}
	e, err := explain.ExplainWith(ctx, engine, f.role, claims, res.Roles, explain.Options{ProtectedEnvironments: cfg.GitHub.ProtectedEnvironments})
	if err != nil {
		return &ExitError{Code: result.ExitIncomplete, Err: err}
	}
	if f.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(e)
	} else {
		err = explain.Render(stdout, e)
	}
	if err != nil {
		return &ExitError{Code: result.ExitIncomplete, Err: err}
	}
	switch {
	case !e.Known:
		return &ExitError{Code: result.ExitIncomplete}
	case !e.Admitted:
		return &ExitError{Code: result.ExitFindings}
	}
	return nil
}

// readClaims reads the claims file ("-": stdin). Its content is never
// echoed: it could be a token pasted by mistake.
func readClaims(path string, stdin io.Reader) (map[string]any, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("--claims: %w", err)
	}
	claims, err := explain.ClaimsFromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("--claims %s: %w", path, err)
	}
	return claims, nil
}
