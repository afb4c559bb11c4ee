package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/result"
)

func newPolicyCmd(stdout, stderr io.Writer, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Work with the Rego policies: list the rule catalogue, run unit tests",
	}
	cmd.AddCommand(newPolicyListCmd(stdout), newPolicyTestCmd(stdout))
	return cmd
}

// policyDirs returns the custom policy directories: the arguments when
// given, else those of the configuration (loadRepoConfig; --path is
// validated either way).
func policyDirs(pathFlag, cfgFlag string, args []string) ([]string, error) {
	if len(args) > 0 {
		if _, err := repoRoot(pathFlag); err != nil {
			return nil, err
		}
		return args, nil
	}
	_, cfg, err := loadRepoConfig(pathFlag, cfgFlag)
	if err != nil {
		return nil, err
	}
	return cfg.Policies, nil
}

func newPolicyListCmd(stdout io.Writer) *cobra.Command {
	var format, path, cfg string
	cmd := &cobra.Command{
		Use:   "list [DIR…]",
		Short: "Print the rule catalogue: built-in rules and those in DIR or the configured policy directories",
		RunE: func(cmd *cobra.Command, args []string) error {
			dirs, err := policyDirs(path, cfg, args)
			if err != nil {
				return usageError(err)
			}
			eng, err := policy.Load(cmd.Context(), dirs)
			if err != nil {
				return usageError(err)
			}
			rules := eng.Catalog()
			switch format {
			case "text":
				tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tCHECK\tSEVERITY\tTITLE")
				for _, r := range rules {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Check, r.Severity, r.Title)
				}
				return tw.Flush()
			case "json":
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				if rules == nil {
					rules = []result.Rule{}
				}
				return enc.Encode(rules)
			case "markdown":
				return policy.WriteMarkdown(stdout, rules)
			default:
				return usageError(fmt.Errorf("--format %q: want text, json or markdown", format))
			}
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "text|json|markdown")
	cmd.Flags().StringVar(&path, "path", ".", "repository root (to find .secretgate.yml)")
	cmd.Flags().StringVarP(&cfg, "config", "c", "", "configuration file")
	return cmd
}

func newPolicyTestCmd(stdout io.Writer) *cobra.Command {
	var opts policy.TestOptions
	var path, cfg string
	var noBuiltin bool
	cmd := &cobra.Command{
		Use:   "test [DIR…]",
		Short: "Run Rego unit tests (test_* rules) of the built-in policies and of DIR or the configured policy directories",
		RunE: func(cmd *cobra.Command, args []string) error {
			dirs, err := policyDirs(path, cfg, args)
			if err != nil {
				return usageError(err)
			}
			opts.Dirs = dirs
			opts.Builtin = !noBuiltin
			sum, err := policy.Test(cmd.Context(), stdout, opts)
			if err != nil {
				return usageError(err)
			}
			fmt.Fprintf(stdout, "%d passed, %d failed", sum.Passed, sum.Failed+sum.Errored)
			if sum.Skipped > 0 {
				fmt.Fprintf(stdout, ", %d skipped", sum.Skipped)
			}
			fmt.Fprintln(stdout)
			if sum.Failed+sum.Errored > 0 {
				return &ExitError{Code: result.ExitFindings, Err: fmt.Errorf("%d Rego test(s) failed", sum.Failed+sum.Errored)}
			}
			if sum.Passed == 0 {
				return &ExitError{Code: result.ExitFindings, Err: fmt.Errorf("no Rego tests ran")}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "list every test")
	cmd.Flags().StringVar(&opts.Run, "run", "", "run only tests whose name matches this regular expression")
	cmd.Flags().BoolVar(&noBuiltin, "no-builtin-tests", false, "run only the given directories' tests (built-in policies still load)")
	cmd.Flags().StringVar(&path, "path", ".", "repository root (to find .secretgate.yml)")
	cmd.Flags().StringVarP(&cfg, "config", "c", "", "configuration file")
	return cmd
}
