package leaks

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"github.com/secretgate/secretgate/internal/git"
	"github.com/secretgate/secretgate/internal/textenc"
)

// Changes git calls binary.
//
// git log -p and git diff print "Binary files differ" and no line for a
// file with a NUL byte in its first 8000 bytes, for UTF-16 and UTF-32
// text, and for any path a .gitattributes marks binary or -diff: one byte,
// or one line in a file the pull request itself adds, hides every key the
// change adds from gitleaks' patch scan. secretgate reads the new blob of
// such a change instead: when its first textenc.PrefixBytes are mostly
// text (or it starts with a UTF-16 or UTF-32 byte-order mark, then it is
// decoded), the lines it has that the old blob has not are scanned, in
// runs of consecutive lines, as the commit's added lines. Other blobs
// (images, archives, executables) stay skipped as binary files: only
// their first bytes are looked at, the rest is discarded as git streams
// it.

// scanBinaryChanges scans the changes git called binary that are text
// (see above); the others are skipped. One git cat-file --batch serves all
// of them.
func (s *Scanner) scanBinaryChanges(ctx context.Context, t Target, jobs []patchJob, c *collector) error {
	if len(jobs) == 0 {
		return nil
	}
	blobs, err := openBlobs(ctx, t.Root)
	if err != nil {
		return err
	}
	if t.Scope.Kind == Range {
		// A pull request controls the bytes of what it adds: text hidden
		// behind a binary-looking start is scanned too (printable).
		blobs.binaryMax = min(s.maxBytes(), maxBinaryScan)
	}
	for _, j := range jobs {
		if err = ctx.Err(); err != nil {
			break
		}
		if err = s.scanBinaryChange(ctx, blobs, j, c); err != nil {
			break
		}
	}
	if cerr := blobs.close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// scanBinaryChange scans one change git called binary, or skips it.
func (s *Scanner) scanBinaryChange(ctx context.Context, blobs *blobReader, j patchJob, c *collector) error {
	f := j.file
	where := f.NewName
	if j.commit != nil {
		where += " in commit " + j.commit.SHA
	}
	if skipper, ok := s.Detector.(pathSkipper); ok && skipper.SkipPath(f.NewName) {
		// A path the rules leave out (lock files, images, ...): its
		// blobs are not read, as its lines would not be scanned.
		c.skipIn(j.commit, f.NewName, "binary file")
		return nil
	}
	max := s.maxBytes()
	b, err := blobs.text(f.NewOIDPrefix, max)
	switch {
	case errors.Is(err, errMissingBlob):
		c.skipIn(j.commit, f.NewName, "binary file whose blob is missing")
		c.incomplete(j.commit, fmt.Sprintf("%s: git calls the change binary and its blob %s is not in the repository, so it could not be scanned", where, f.NewOIDPrefix))
		return nil
	case err != nil:
		return fmt.Errorf("read the blob of %s: %w", where, err)
	case !b.text && b.data != nil:
		return s.scanBinaryText(ctx, blobs, j, b.data, c)
	case !b.text:
		c.skipIn(j.commit, f.NewName, "binary file")
		return nil
	case b.data == nil:
		why := "text git calls binary, larger than leaks_max_file_size (" + sizeText(max) + ")"
		c.skipIn(j.commit, f.NewName, why)
		c.incomplete(j.commit, fmt.Sprintf("%s: text of %s that git calls binary is larger than leaks_max_file_size (%s) and was not scanned; raise leaks_max_file_size", where, sizeText(b.size), sizeText(max)))
		return nil
	}
	var old []byte
	if !f.IsNew && strings.Trim(f.OldOIDPrefix, "0") != "" {
		ob, err := blobs.text(f.OldOIDPrefix, max)
		if err != nil && !errors.Is(err, errMissingBlob) {
			return fmt.Errorf("read the old blob of %s: %w", where, err)
		}
		old = ob.data // nil (all lines count as added) when binary, missing or too large
	}
	var n int64
	for _, frag := range addedRuns(decoded(old), decoded(b.data)) {
		frag.Path, frag.Commit = f.NewName, j.commit
		if c.disarmAllow {
			frag.Text = disarmAllow(frag.Text)
		}
		n += int64(len(frag.Text))
		c.add(frag, s.Detector.Detect(ctx, frag))
	}
	c.scannedIn(j.commit, n)
	return nil
}

// maxBinaryScan caps a binary blob whose printable text a range scan reads
// (printableText).
const maxBinaryScan = 32 << 20

// scanBinaryText scans the printable text of a binary blob a range adds
// or changes: its lines the old blob's printable text lacks.
func (s *Scanner) scanBinaryText(ctx context.Context, blobs *blobReader, j patchJob, data []byte, c *collector) error {
	f := j.file
	var old []byte
	if !f.IsNew && strings.Trim(f.OldOIDPrefix, "0") != "" {
		ob, err := blobs.text(f.OldOIDPrefix, blobs.binaryMax)
		if err != nil && !errors.Is(err, errMissingBlob) {
			return fmt.Errorf("read the old blob of %s: %w", f.NewName, err)
		}
		old = ob.data
	}
	var n int64
	for _, frag := range addedRuns(printableText(old), printableText(data)) {
		frag.Path, frag.Commit = f.NewName, j.commit
		if c.disarmAllow {
			frag.Text = disarmAllow(frag.Text)
		}
		n += int64(len(frag.Text))
		c.add(frag, s.Detector.Detect(ctx, frag))
	}
	c.scannedIn(j.commit, n)
	return nil
}

// printableText is data with every control byte but tab and newline turned
// into a space: the text a binary-looking blob holds (say, a key after
// kilobytes of control bytes) keeps its lines and their numbers, and no
// control byte joins two words into a match.
func printableText(data []byte) []byte {
	if data == nil {
		return nil
	}
	out := make([]byte, len(data))
	for i, c := range data {
		if (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f {
			c = ' '
		}
		out[i] = c
	}
	return out
}

// decoded is text as UTF-8: wide text with a byte-order mark decoded,
// anything else as it is.
func decoded(b []byte) []byte {
	if out, enc, err := textenc.Decode(b); err == nil && enc.Wide() {
		return out
	}
	return b
}

// addedRuns returns the lines of new that old does not have (each line of
// old matches one equal line of new, wherever it is), as fragments of
// consecutive lines with the line they start on: the added lines of the
// change, as a -U0 diff's hunks would hold them, without running a diff.
func addedRuns(old, new []byte) []Fragment {
	have := map[string]int{}
	for _, l := range lines(old) {
		have[string(l)]++
	}
	var out []Fragment
	var run []byte
	start := 0
	flush := func() {
		if len(run) > 0 {
			out = append(out, Fragment{Text: string(run), StartLine: start})
			run = run[:0]
		}
	}
	for i, l := range lines(new) {
		if have[string(l)] > 0 {
			have[string(l)]--
			flush()
			continue
		}
		if len(run) == 0 {
			start = i + 1
		}
		run = append(run, l...)
	}
	flush()
	return out
}

// lines splits text after each line feed.
func lines(b []byte) [][]byte {
	if len(b) == 0 {
		return nil
	}
	ls := bytes.SplitAfter(b, []byte("\n"))
	if len(ls[len(ls)-1]) == 0 {
		ls = ls[:len(ls)-1]
	}
	return ls
}

var errMissingBlob = errors.New("blob missing")

// blobReader asks one git cat-file --batch for blobs, one at a time.
type blobReader struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *limitedBuffer
	// binaryMax, when above 0, keeps blobs that are not mostly text too,
	// up to that many bytes (a pull request's binaries, see printableText).
	binaryMax int64
}

func openBlobs(ctx context.Context, root string) (*blobReader, error) {
	cmd := git.Command(ctx, root, "cat-file", "--batch")
	b := &blobReader{cmd: cmd, stderr: &limitedBuffer{max: 64 << 10}}
	cmd.Stderr = b.stderr
	var err error
	if b.in, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	b.out = bufio.NewReaderSize(stdout, 64<<10)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return b, nil
}

// blob is what blobReader.text read.
type blob struct {
	size int64
	// text: the first textenc.PrefixBytes are mostly text.
	text bool
	// data is the whole blob when it is text and not over the limit.
	data []byte
}

// text reads the blob oid. Only its first textenc.PrefixBytes are kept
// unless they are text and the blob is at most max bytes (0: no limit).
func (b *blobReader) text(oid string, max int64) (blob, error) {
	if _, err := io.WriteString(b.in, oid+"\n"); err != nil {
		return blob{}, b.failed(err)
	}
	header, err := b.out.ReadString('\n')
	if err != nil {
		return blob{}, b.failed(err)
	}
	parts := strings.Fields(header)
	if len(parts) == 2 && parts[1] == "missing" {
		return blob{}, errMissingBlob
	}
	if len(parts) != 3 || parts[0] != oid {
		return blob{}, fmt.Errorf("git cat-file: unexpected answer %q for %s", strings.TrimSpace(header), oid)
	}
	size, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || size < 0 {
		return blob{}, fmt.Errorf("git cat-file: bad size in %q", strings.TrimSpace(header))
	}
	body := io.LimitReader(b.out, size)
	head := make([]byte, min(size, textenc.PrefixBytes))
	if _, err := io.ReadFull(body, head); err != nil {
		return blob{}, b.failed(err)
	}
	out := blob{size: size, text: textenc.MostlyText(head)}
	keep := out.text && (max <= 0 || size <= max)
	keep = keep || !out.text && size <= b.binaryMax
	if keep {
		out.data = make([]byte, size)
		copy(out.data, head)
		_, err = io.ReadFull(body, out.data[len(head):])
	} else {
		_, err = io.Copy(io.Discard, body)
	}
	if err != nil {
		return blob{}, b.failed(err)
	}
	if c, err := b.out.ReadByte(); err != nil || c != '\n' {
		return blob{}, fmt.Errorf("git cat-file: output out of step after %s", oid)
	}
	return out, nil
}

// failed is the error of a broken exchange: git's message when it said one.
func (b *blobReader) failed(err error) error {
	if msg := git.Message(b.stderr.String()); msg != "" {
		return fmt.Errorf("git cat-file: %s", msg)
	}
	return fmt.Errorf("git cat-file: %w", err)
}

// close ends git cat-file and waits for it.
func (b *blobReader) close() error {
	_ = b.in.Close()
	_, _ = io.Copy(io.Discard, b.out)
	if err := b.cmd.Wait(); err != nil {
		return fmt.Errorf("git cat-file: %s", git.Or(git.Message(b.stderr.String()), err))
	}
	return nil
}
