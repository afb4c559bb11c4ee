package cli

import "unicode/utf8"

// capBytes shortens s to at most limit bytes, cutting only between
// characters (never inside a multi-byte UTF-8 sequence) and marking the cut
// with an ellipsis. Bytes of invalid UTF-8 count as one character each.
func capBytes(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	// A lone continuation byte run (invalid UTF-8) would walk back past
	// the limit's character: keep at most 3 steps, the longest sequence.
	if limit-cut > utf8.UTFMax-1 {
		cut = limit
	}
	return s[:cut] + "…"
}
