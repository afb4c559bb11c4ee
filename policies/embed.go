// Package policies embeds secretgate's built-in Rego policies, their unit
// tests and the shared library they use. Embedding lives here because a
// Go embed directive (go:embed) cannot reach parent directories.
package policies

import "embed"

// FS holds every .rego file below this directory, tests included.
//
//go:embed */*.rego
var FS embed.FS
