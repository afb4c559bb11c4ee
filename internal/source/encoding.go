package source

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/textenc"
)

// policyMarkers are byte strings of which a policy, template, plan or
// snapshot contains at least one, in any ASCII-compatible encoding. A file
// that is not UTF-8 but holds one could be judged by AWS as such a file,
// so it is an input error, never a silent skip. (JSON \u escapes and YAML
// quoting can spell a key without these bytes; a file that is mostly text
// is therefore an input error too, see decodeText.)
var policyMarkers = [][]byte{
	[]byte("Statement"), []byte("AWSTemplateFormatVersion"), []byte("Resources"),
	[]byte("AWS::"), []byte("format_version"), []byte("AssumeRolePolicyDocument"),
	[]byte("PolicyDocument"), []byte("RoleDetailList"), []byte(`resource "aws_`),
	[]byte("secretgate/inventory/"),
}

// decodeText turns a candidate file into the UTF-8 text the parsers read:
// text with a UTF-16 or UTF-32 byte-order mark is decoded (AWS's tools
// read it as text, so it is judged like its UTF-8 copy), a UTF-8 mark is
// dropped. ok is false when the file is not read; then out says why:
//
//   - not UTF-8 (one Latin-1 byte, UTF-16 without a mark, a NUL byte) but
//     with a policy marker or mostly text: an input error naming the file,
//     and the run is incomplete, because a tool that reads it in another
//     encoding may see a policy secretgate did not judge;
//   - anything else (images, archives named .json): skipped, as binary.
func decodeText(rel string, data []byte) (text []byte, out fileResult, ok bool) {
	text, enc, err := textenc.Decode(data)
	if err != nil {
		return nil, fileResult{errs: []result.InputProblem{{File: rel, Line: 1, Message: "cannot decode: " + err.Error()}}}, false
	}
	head := text[:min(len(text), 8<<10)]
	nul := bytes.IndexByte(head, 0) >= 0
	if !nul && utf8.Valid(text) {
		return text, fileResult{}, true
	}
	why := "not valid UTF-8"
	switch {
	case enc.Wide():
		why = fmt.Sprintf("not valid %s after its byte-order mark", enc)
	case nul:
		why = "a NUL byte in the first 8 KiB"
	}
	if looksLikePolicy(data) || textenc.MostlyText(data) {
		return nil, fileResult{errs: []result.InputProblem{{File: rel, Line: badLine(text), Message: fmt.Sprintf(
			"not UTF-8 text (%s): save it as UTF-8 (or UTF-16 or UTF-32 with a byte-order mark), or exclude it; it looks like text, so it could be a policy, template or plan that would go unjudged",
			why)}}}, false
	}
	if nul {
		return nil, skipped(rel, "binary file (NUL byte in the first 8 KiB), not read"), false
	}
	return nil, skipped(rel, "not valid UTF-8 text, not read"), false
}

// looksLikePolicy reports whether data holds a policy marker, as ASCII
// bytes or as UTF-16 without a byte-order mark.
func looksLikePolicy(data []byte) bool {
	for _, m := range policyMarkers {
		if bytes.Contains(data, m) || bytes.Contains(data, utf16Bytes(m)) {
			return true
		}
	}
	return false
}

// utf16Bytes spells ASCII s in UTF-16 without its first character's high
// byte and last character's low byte: the bytes the text holds in either
// byte order ("S\x00t\x00...t").
func utf16Bytes(s []byte) []byte {
	out := make([]byte, 0, 2*len(s))
	for _, c := range s {
		out = append(out, c, 0)
	}
	return out[:len(out)-1]
}

// badLine is the line of text's first NUL byte or byte that is not valid
// UTF-8 (1 when there is none), for the error to point at.
func badLine(text []byte) int {
	off := 0
	for off < len(text) {
		r, size := utf8.DecodeRune(text[off:])
		if r == 0 || (r == utf8.RuneError && size <= 1) {
			break
		}
		off += size
	}
	return bytes.Count(text[:off], []byte("\n")) + 1
}
