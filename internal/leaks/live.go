package leaks

import (
	"context"
	"crypto/subtle"
	"strings"
)

// LiveValues supplies the live values of secrets (for Secrets Manager: the
// AWSCURRENT and AWSPREVIOUS versions, and each field of a JSON secret on
// its own) so that a leak can be recognised as a live credential.
// Implementations hold values in memory only.
type LiveValues interface {
	// Values calls yield with each secret's name and one of its values,
	// until it has no more or yield returns false. yield must not keep
	// value after it returns.
	Values(ctx context.Context, yield func(secret string, value []byte) bool) error
}

// matchLive returns, for each found match, the name of the secret whose
// live value equals its raw text ("" for none). Values are compared with
// crypto/subtle in constant time (for inputs of equal length), one at a
// time as the source yields them; none is copied, kept or printed.
func matchLive(ctx context.Context, src LiveValues, fs []found) ([]string, error) {
	names := make([]string, len(fs))
	// The candidate texts of each match: the captured secret and, when the
	// rule matched more, the whole match (a rule may capture only part of
	// a value stored whole).
	cands := make([][][]byte, len(fs))
	for i, f := range fs {
		raw := f.text()
		if raw.secret == "" {
			continue
		}
		cands[i] = append(cands[i], []byte(raw.secret))
		if m := strings.TrimSpace(raw.match); m != "" && m != raw.secret {
			cands[i] = append(cands[i], []byte(m))
		}
	}
	defer func() {
		for _, cs := range cands {
			for _, c := range cs {
				clear(c)
			}
		}
	}()
	err := src.Values(ctx, func(secret string, value []byte) bool {
		if len(value) == 0 {
			return ctx.Err() == nil
		}
		for i, cs := range cands {
			if names[i] != "" {
				continue
			}
			for _, c := range cs {
				if len(c) == len(value) && subtle.ConstantTimeCompare(c, value) == 1 {
					names[i] = secret
					break
				}
			}
		}
		return ctx.Err() == nil
	})
	if err == nil {
		err = ctx.Err()
	}
	return names, err
}
