package config

import "fmt"

// CheckWaivers enforces the --require-waiver-expiry policy: with
// requireExpiry, every waiver without an expires date is a problem, located
// at its entry. It returns nil, an *Error, or Errors listing all of them.
// Expired waivers are not an error here: the policies report them as
// findings (rule config-waiver-expired), and their findings count again.
func (c *Config) CheckWaivers(requireExpiry bool) error {
	if !requireExpiry {
		return nil
	}
	var errs Errors
	for _, w := range c.Waivers {
		if w.Expires.IsZero() {
			errs = append(errs, &Error{
				File:   c.Path,
				Line:   w.Line,
				Column: w.Column,
				Msg: fmt.Sprintf("waiver for rule %q on %q has no expires date; --require-waiver-expiry refuses waivers that never expire (add expires: YYYY-MM-DD)",
					w.Rule, w.Resource),
			})
		}
	}
	return errs.err()
}
