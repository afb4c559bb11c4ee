package report

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/secretgate/secretgate/internal/safetext"
)

// zwj is inserted after every "@" in Markdown prose so "@org/team" can
// neither mention nor notify anyone.
const zwj = "\u200d"

// mdEscape escapes Markdown prose for GitHub-flavoured Markdown, for table
// cells as well as paragraphs and list items: inline syntax characters are
// backslash-escaped, control, bidirectional and zero-width characters
// become visible escapes (safetext.Hidden), "<", ">" and "&" become entities so no HTML (comments
// included) can be injected, "@" is followed by a zero-width joiner, URLs
// and www. hosts are not auto-linked (noAutolink), and a line break
// becomes <br> so a table row never ends early.
func mdEscape(s string) string {
	s = noAutolink(safetext.Hidden(s, "\n"))
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, r := range s {
		switch r {
		case '\n':
			b.WriteString("<br>")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '@':
			b.WriteString("@" + zwj)
		case '\\', '`', '*', '_', '[', ']', '|', '~', '#', '$', '!', '^', '{', '}':
			// '$' would start GitHub's math mode, '~' strikethrough, '|' a
			// table cell, '[' a link or footnote.
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// noAutolink keeps GitHub from turning URLs in repository text into live
// links: its autolink extension links "www." and "scheme://" followed by a
// domain (and e-mail addresses, which the joiner after "@" already
// breaks), but not inside code spans. A zero-width joiner after "www" and
// after the colon of "://" breaks the match and changes nothing a reader
// sees; a link a rule author wants is its docs_url (https only).
func noAutolink(s string) string {
	lower := strings.ToLower(s)
	if !strings.Contains(lower, "://") && !strings.Contains(lower, "www.") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		switch {
		case s[i] == ':' && strings.HasPrefix(s[i+1:], "//"):
			b.WriteString(zwj)
		case i >= 2 && strings.EqualFold(s[i-2:i+1], "www") && strings.HasPrefix(s[i+1:], "."):
			b.WriteString(zwj)
		}
	}
	return b.String()
}

// mdCode renders s as one inline code span: nothing inside it is Markdown,
// HTML or a mention. The fence is one backtick longer than the longest run
// inside, line breaks become spaces, control, bidirectional and zero-width
// characters visible escapes (safetext.Hidden), and in a table cell "|" is written "\|"
// (GitHub splits table rows on pipes before it parses code spans; it drops
// the backslash again). Empty input gives "".
func mdCode(s string, inTable bool) string {
	s = safetext.Hidden(s, " ")
	if s == "" {
		return ""
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") ||
		strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		// One space on each side is stripped by the renderer, and keeps a
		// backtick in the content from joining the fence.
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdInline renders prose that may contain `code spans` (rule messages often
// quote a value that way): each balanced code span is kept as code, and
// everything else is escaped as prose. An unbalanced backtick is literal.
func mdInline(s string) string {
	var b strings.Builder
	for _, seg := range codeSegments(s) {
		if seg.code {
			b.WriteString(mdCode(seg.text, true))
		} else {
			b.WriteString(mdEscape(seg.text))
		}
	}
	return b.String()
}

// mdBlock renders multi-line prose outside a table (SARIF help): each line
// as mdInline, joined by plain line breaks, so hard-wrapped METADATA text
// reflows as the author meant instead of breaking at every line.
func mdBlock(s string) string {
	lines := strings.Split(safetext.Hidden(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = mdInline(l)
	}
	return strings.Join(lines, "\n")
}

type segment struct {
	text string
	code bool
}

// codeSegments splits s into prose and code spans the way CommonMark does:
// a run of n backticks opens a span that the next run of exactly n closes.
func codeSegments(s string) []segment {
	var segs []segment
	text := 0 // start of the pending prose
	for i := 0; i < len(s); {
		if s[i] == '\\' {
			i += 2 // a backslash-escaped backtick opens nothing
			continue
		}
		if s[i] != '`' {
			i++
			continue
		}
		n := backtickRun(s, i)
		closeAt := -1
		for j := i + n; j < len(s); {
			if s[j] != '`' {
				j++
				continue
			}
			m := backtickRun(s, j)
			if m == n {
				closeAt = j
				break
			}
			j += m
		}
		if closeAt < 0 {
			i += n // literal backticks, part of the prose
			continue
		}
		if text < i {
			segs = append(segs, segment{text: s[text:i]})
		}
		content := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s[i+n : closeAt])
		if len(content) >= 2 && content[0] == ' ' && content[len(content)-1] == ' ' && strings.Trim(content, " ") != "" {
			content = content[1 : len(content)-1]
		}
		segs = append(segs, segment{text: content, code: true})
		i = closeAt + n
		text = i
	}
	if text < len(s) {
		segs = append(segs, segment{text: s[text:]})
	}
	return segs
}

func backtickRun(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == '`' {
		n++
	}
	return n
}

// safeURL returns u when it is an absolute http or https URL, re-encoded so
// it can stand in a Markdown link or a JSON "uri" field; anything else
// (javascript:, relative, malformed) gives "".
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	p.User = nil
	s := p.String()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isURLSafe(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// httpsURL is safeURL for https URLs only: a link repository text (a
// custom rule's docs_url) may put in the comment and the job summary.
func httpsURL(u string) string {
	s := safeURL(u)
	if !strings.HasPrefix(s, "https://") {
		return ""
	}
	return s
}

// isURLSafe keeps the unreserved and structural URI characters that mean
// nothing to Markdown inside a link destination; "(", ")", "|", "<", ">",
// quotes, backticks and spaces are percent-encoded.
func isURLSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#@!$&+,;=%", c) >= 0
}

// sarifURI turns a repository path into a relative URI reference for
// %SRCROOT%: slashes kept, every segment percent-encoded (":" too, so a
// first segment never reads as a scheme). The JSON Schema's uri-reference
// format, which GitHub's upload checks, rejects raw spaces, pipes,
// backticks and the like.
func sarifURI(p string) string {
	for strings.HasPrefix(p, "./") {
		p = p[2:]
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.Join(segs, "/")
}
