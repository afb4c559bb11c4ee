package glcodec

import "strings"

// encodingSubmatches returns what
// encodingsRe.FindAllStringSubmatchIndex(data, -1) returns, searching
// only where a match can be.
//
// No alternative of the expression can match across a line break once
// the text holds no "U+" (the one alternative that can, with \s, and that
// uses $, which a shorter text would change): each line is then searched
// on its own. A line where no percent escape (% and two hex digits) or
// unicode escape (one or two '\', u or U, four hex digits) starts can
// only hold hex and base64 matches; these hold only bytes of [A-Za-z0-9_/+=-] and are at
// least 16 bytes long, and the expression has no assertion around them,
// so only the runs of those bytes at least 16 long are searched, each on
// its own, by runSubmatches.
func encodingSubmatches(data string) [][]int {
	if strings.Contains(data, "U+") {
		return encodingsRe.FindAllStringSubmatchIndex(data, -1)
	}
	var out [][]int
	add := func(offset int, s string) {
		for _, m := range encodingsRe.FindAllStringSubmatchIndex(s, -1) {
			for i := range m {
				if m[i] >= 0 {
					m[i] += offset
				}
			}
			out = append(out, m)
		}
	}
	for start := 0; start < len(data); {
		end := strings.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start
		}
		line := data[start:end]
		switch {
		case len(line) < 3:
		case escapeStart(line):
			add(start, line)
		default:
			for i := 0; i < len(line); {
				if !runByte[line[i]] {
					i++
					continue
				}
				j := i
				for j < len(line) && runByte[line[j]] {
					j++
				}
				if j-i >= 16 {
					out = runSubmatches(out, start+i, line[i:j])
				}
				i = j
			}
		}
		start = end + 1
	}
	return out
}

// runByte marks the bytes hex and base64 matches are made of.
var runByte = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/+-=" {
		t[c] = true
	}
	return t
}()

// b64Byte marks [\w/+-], hexByte [0-9A-Fa-f].
var b64Byte, hexByte = func() (b, h [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/+-" {
		b[c] = true
	}
	for _, c := range "0123456789ABCDEFabcdef" {
		h[c] = true
	}
	return b, h
}()

// runSubmatches appends the matches of the expression in run (a run of
// runByte bytes at offset in the text), found as its leftmost-first
// engine finds them, without it: at each position the hex alternative
// ([0-9A-Fa-f]{32,}) is tried first, then base64 ([\w\/+-]{16,}={0,2}),
// both greedy; the percent and unicode alternatives need '%' or '\'. A
// position whose stretch of [\w/+-] is shorter than 16 cannot start a
// match, nor can any later position of that stretch, nor '='.
func runSubmatches(out [][]int, offset int, run string) [][]int {
	for p := 0; p < len(run); {
		q := p
		for q < len(run) && b64Byte[run[q]] {
			q++
		}
		if q-p < 16 {
			p = q + 1 // run[q] is '=' (or the end)
			continue
		}
		h := p
		for h < len(run) && hexByte[run[h]] {
			h++
		}
		m := []int{offset + p, 0, -1, -1, -1, -1, -1, -1, -1, -1}
		if h-p >= 32 {
			m[1], m[6], m[7] = offset+h, offset+p, offset+h
			p = h
		} else {
			e := q
			for e < len(run) && e-q < 2 && run[e] == '=' {
				e++
			}
			m[1], m[8], m[9] = offset+e, offset+p, offset+e
			p = e
		}
		out = append(out, m)
	}
	return out
}

// escapeStart reports whether a percent or unicode escape, where the
// percent and (without "U+") unicode alternatives must start, occurs in
// line.
func escapeStart(line string) bool {
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '%':
			if i+2 < len(line) && hexByte[line[i+1]] && hexByte[line[i+2]] {
				return true
			}
		case '\\':
			// The escape's last '\' is followed by u or U and four hex
			// digits, whether one or two '\' start it.
			if i+5 < len(line) && (line[i+1] == 'u' || line[i+1] == 'U') &&
				hexByte[line[i+2]] && hexByte[line[i+3]] && hexByte[line[i+4]] && hexByte[line[i+5]] {
				return true
			}
		}
	}
	return false
}
