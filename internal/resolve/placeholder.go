package resolve

import (
	"regexp"
	"strings"
)

// placeholderWords are whole values (compared case-insensitively, after
// trimming spaces and quotes) that stand in for a real credential.
var placeholderWords = map[string]bool{
	"changeme": true, "change_me": true, "change-me": true, "change me": true,
	"changeit": true, "change_it": true, "change-it": true,
	"replaceme": true, "replace_me": true, "replace-me": true,
	"test": true, "testing": true, "tbd": true, "todo": true, "fixme": true,
	"placeholder": true, "dummy": true, "fake": true, "mock": true,
	"example": true, "sample": true, "secret": true, "password": true,
	"default": true, "none": true, "null": true, "nil": true,
	"undefined": true, "n/a": true, "na": true,
}

// placeholderPatterns match the shapes of placeholders: mock_… and kin,
// <…>, unrendered templates (${…}, {{…}}, %…%), one character repeated
// (xxx, ****, 0000), "…_here", "your_…", and the AWS documentation's
// example keys (…EXAMPLE, …EXAMPLEKEY).
var placeholderPatterns = regexp.MustCompile(`(?i)^(?:` + strings.Join([]string{
	`(?:mock|fake|dummy|placeholder|changeme|replace[_-]?me)[_-].*`,
	`your[_-].*`,
	`.*[_-](?:here|placeholder|changeme)`,
	`<.*>`,
	`\$\{.*\}`,
	`\{\{.*\}\}`,
	`%[A-Za-z0-9_]+%`,
	`.*example(?:key)?`,
}, "|") + `)$`)

// IsPlaceholder reports whether s is a value that stands in for a real
// credential: changeme, mock_…, test, xxx, <…> and their kin. It errs on
// the side of real values: a value merely containing a placeholder word
// (testimony, mockingbird, contest) is not one.
func IsPlaceholder(s string) bool {
	v := strings.Trim(strings.TrimSpace(s), `"'`)
	if v == "" {
		return false // empty is its own finding
	}
	if placeholderWords[strings.ToLower(v)] {
		return true
	}
	if len(v) >= 3 && repeated(v) {
		return true
	}
	return placeholderPatterns.MatchString(v)
}

// repeated reports whether s is one character repeated (xxx, ****, 0000).
func repeated(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}
