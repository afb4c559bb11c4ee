package policy

import (
	"errors"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secretgate/secretgate/internal/snippet"
)

// parseError is OPA's error for a source that does not parse, made safe to
// print: OPA quotes the offending source line under each error (and some
// messages quote a literal or a name from it), and a policy path may be a
// symlink to /proc/self/environ or a credentials file. So:
//
//   - no error carries the source line (ast.Error.Details is dropped);
//   - a source that is not text (invalid UTF-8, NUL or other control
//     characters) gets one error naming the file and nothing of its
//     contents;
//   - in a text source's messages, every word taken from the source that
//     could be a secret (eight characters or more, with a digit or a
//     capital) is redacted the way leaks are (snippet.Redact).
func parseError(src Source, err error) error {
	if !snippet.IsText(src.Text) {
		return fmt.Errorf("%s: rego_parse_error: not a Rego text file (invalid UTF-8 or control characters); its contents are not shown", src.Name)
	}
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return errors.New(snippet.Redact(err.Error(), src.Text))
	}
	out := make(ast.Errors, 0, len(errs))
	for _, e := range errs {
		c := *e
		c.Details = nil
		c.Message = snippet.Redact(c.Message, src.Text)
		out = append(out, &c)
	}
	return out
}
