// Package actiontest tests the GitHub Action and the workflows with the real
// tools they meet: actionlint over action.yml and every workflow, the
// action's entry point script (scripts/action.sh), secretgate over the OIDC
// example, and act running the example pull-request workflow end to end
// against a local stand-in for GitHub's REST API.
//
// The package holds tests only; this file exists for the documentation.
package actiontest
