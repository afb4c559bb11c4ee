package report

import (
	"strings"
	"testing"
)

func TestMDEscape(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "rotated 132 days ago", "rotated 132 days ago"},
		{"pipe", "a|b", `a\|b`},
		{"html", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"comment", "<!-- x -->", `&lt;\!-- x --&gt;`},
		{"entity", "&lt; &amp;", "&amp;lt; &amp;amp;"},
		{"mention", "@acme/security-team", "@" + zwj + "acme/security-team"},
		{"newline", "a\nb", "a<br>b"},
		{"emphasis", "*a* _b_ ~~c~~", `\*a\* \_b\_ \~\~c\~\~`},
		{"link", "[x](javascript:alert(1))", `\[x\](javascript:alert(1))`},
		{"image", "![x](http://e/x.png)", "\\!\\[x\\](http:\u200d//e/x.png)"},
		{"math", "$x^2$", `\$x\^2\$`},
		{"backslash", `a\|b`, `a\\\|b`},
		{"backtick", "a`b", "a\\`b"},
		{"heading", "# h", `\# h`},
		// Hidden characters are shown, never rendered: the backslash of
		// the visible escape is itself escaped, so the reader sees \u200b.
		{"zero-width space", "a\u200bb", `a\\u200bb`},
		{"zero-width non-joiner", "a\u200cb", `a\\u200cb`},
		{"zero-width joiner", "a\u200db", `a\\u200db`},
		{"word joiner", "a\u2060b", `a\\u2060b`},
		{"byte order mark", "\ufeffa", `\\ufeffa`},
		{"bidi embeddings and overrides", "\u202a\u202b\u202c\u202d\u202e", `\\u202a\\u202b\\u202c\\u202d\\u202e`},
		{"bidi isolates", "\u2066\u2067\u2068\u2069", `\\u2066\\u2067\\u2068\\u2069`},
		{"own joiner after @ kept", "a\u200d@b", `a\\u200d@` + zwj + "b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mdEscape(tc.in); got != tc.want {
				t.Errorf("mdEscape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMDCode(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		table    bool
		want     string
	}{
		{"plain", "infra/a.json:3", true, "`infra/a.json:3`"},
		{"empty", "", true, ""},
		{"pipe in table", "a|b", true, "`a\\|b`"},
		{"pipe outside table", "a|b", false, "`a|b`"},
		{"backslash before pipe", `a\|b`, true, "`a\\\\|b`"},
		{"backtick inside", "a`b", true, "``a`b``"},
		{"double backtick inside", "a``b`c", true, "```a``b`c```"},
		{"backtick at the edge", "`a`", true, "`` `a` ``"},
		{"space at the edge", " a", true, "`  a `"},
		{"html stays code", "<script>", true, "`<script>`"},
		{"newline", "a\nb", true, "`a b`"},
		{"control", "a\x1bb", true, "`a\\x1bb`"},
		{"zero-width in a file name", "secrets\u200b.env", true, "`secrets\\u200b.env`"},
		{"joiner, word joiner, bom", "a\u200cb\u200dc\u2060d\ufeff", true, "`a\\u200cb\\u200dc\\u2060d\\ufeff`"},
		{"bidi override in a file name", "config/\u202egnp.env", true, "`config/\\u202egnp.env`"},
		{"bidi isolate", "a\u2067b\u2069", true, "`a\\u2067b\\u2069`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mdCode(tc.in, tc.table); got != tc.want {
				t.Errorf("mdCode(%q, %v) = %q, want %q", tc.in, tc.table, got, tc.want)
			}
		})
	}
}

func TestMDInline(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"code kept", "the `sub` condition is `*`", "the `sub` condition is `*`"},
		{"code with pipe", "use `a|b` here", "use `a\\|b` here"},
		{"unbalanced", "a ` b", "a \\` b"},
		{"escaped backtick", "a \\`b` c", "a \\\\\\`b\\` c"},
		{"double fence", "x ``a`b`` y", "x ``a`b`` y"},
		{"padded", "`` `a` ``", "`` `a` ``"},
		{"mention in prose, not in code", "@a `@b`", "@" + zwj + "a `@b`"},
		{"html around code", "<b>`<i>`</b>", "&lt;b&gt;`<i>`&lt;/b&gt;"},
		{"fence across lines", "```\nx\n```", "`x`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mdInline(tc.in); got != tc.want {
				t.Errorf("mdInline(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMDBlock(t *testing.T) {
	in := "Line one with `code`\nand <b>two</b> @team\n\n- item"
	want := "Line one with `code`\nand &lt;b&gt;two&lt;/b&gt; @" + zwj + "team\n\n- item"
	if got := mdBlock(in); got != want {
		t.Errorf("mdBlock(%q) = %q, want %q", in, got, want)
	}
}

func TestSafeURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://github.com/secretgate/secretgate/blob/main/docs/policies.md#trust-oidc-sub-wildcard", "https://github.com/secretgate/secretgate/blob/main/docs/policies.md#trust-oidc-sub-wildcard"},
		{"http://example.com/a b(c)|d<e>", "http://example.com/a%20b%28c%29%7Cd%3Ce%3E"},
		{"https://user:pw@example.com/x", "https://example.com/x"},
		{"javascript:alert(1)", ""},
		{"data:text/html,x", ""},
		{"/docs/policies.md", ""},
		{"https://", ""},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := safeURL(tc.in); got != tc.want {
				t.Errorf("safeURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzMarkdownCell: whatever a value holds, a table row built from it keeps
// its cells, has no raw HTML or mention outside code, and stays on one line.
func FuzzMarkdownCell(f *testing.F) {
	for _, s := range []string{hostileFile, hostileMessage, hostileResource, "a\\|b", "``", "` `", "\\`x`", "<!--", "@o/t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		row := "| " + mdInline(s) + " | " + mdCode(s, true) + " | " + mdEscape(s) + " |"
		if strings.ContainsAny(row, "\n\r") {
			t.Fatalf("line break in row %q", row)
		}
		if n := len(cells(row)); n != 3 {
			t.Fatalf("%d cells in %q", n, row)
		}
		prose := strings.ReplaceAll(stripCode(mdEscape(s)), "<br>", "")
		if strings.ContainsAny(prose, "<>") {
			t.Fatalf("raw angle bracket in %q", prose)
		}
	})
}
