package leaks

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/h2non/filetype"
	"github.com/mholt/archives"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/secretgate/secretgate/internal/textenc"
)

// Text that gitleaks would pass over.
//
// gitleaks' file source yields nothing for a file whose name is an
// archive's (with its default --max-archive-depth 0) or whose first chunk
// starts with the magic number of an "application" type (%PDF-, PK\x03\x04,
// \x7fELF, ...), and its regular expressions see UTF-16 or UTF-32 text as
// bytes with a zero between every two letters. Each of those hides a key
// in a text file from the scan, with no more than a prefix or a name.
// secretgate scans such a file when it is text after all: it starts with
// a UTF-16 or UTF-32 byte-order mark (decoded to UTF-8 first), or its first
// textenc.PrefixBytes are mostly printable (textenc.MostlyText). Images,
// compressed archives and executables stay skipped, as in gitleaks.

// fragmentSource yields the fragments of one file.
type fragmentSource interface {
	Fragments(ctx context.Context, yield sources.FragmentsFunc) error
}

// fileSource returns the reader to read a working-tree file through (r
// after its first chunk was read to look at it) and the source that
// yields its fragments: gitleaks' file source, or the text chunker for
// text gitleaks would pass over. size is the file's size.
//
// gitleaks' source sees the same reads as without the look: its first
// read returns the first chunk, as reading the file would, and the rest
// comes from r (its fragment boundaries depend on how its reads are cut,
// so a buffered reader in between would change them).
func fileSource(ctx context.Context, rel string, r io.Reader, size int64) (io.Reader, fragmentSource) {
	head := make([]byte, min(max(size, 0), firstChunkBytes))
	n, err := io.ReadFull(r, head)
	head = head[:n]
	rest := io.MultiReader(bytes.NewReader(head), r)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		rest = io.MultiReader(bytes.NewReader(head), errReader{err})
	}
	if dec, _ := textenc.NewReader(head, rest); dec != nil {
		return dec, textSource{r: dec}
	}
	if gitleaksSkips(ctx, rel, head) && textenc.MostlyText(head) {
		return rest, textSource{r: rest}
	}
	return rest, &sources.File{Content: rest, Path: rel}
}

// errReader fails with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// gitleaksSkips reports whether gitleaks' file source yields nothing for
// a file of that name and first chunk: an archive by its name, or an
// application type by its magic number.
func gitleaksSkips(ctx context.Context, rel string, head []byte) bool {
	if format, _, err := archives.Identify(ctx, rel, nil); err == nil && format != nil {
		return true
	}
	kind, err := filetype.Match(head)
	return err == nil && kind.MIME.Type == "application"
}

// textChunkBytes is about the size of the text chunker's fragments, as
// gitleaks' file source's.
const textChunkBytes = 100 * 1000

// textSource cuts text into fragments of about textChunkBytes ending at a
// line's end (a longer line is cut), each with the line it starts on.
type textSource struct{ r io.Reader }

// Fragments implements fragmentSource.
func (s textSource) Fragments(ctx context.Context, yield sources.FragmentsFunc) error {
	br := bufio.NewReaderSize(s.r, 64<<10)
	var chunk []byte
	start, lines := 1, 0
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		err := yield(sources.Fragment{Raw: string(chunk), StartLine: start}, nil)
		start, lines, chunk = start+lines, 0, chunk[:0]
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		part, err := br.ReadSlice('\n')
		chunk = append(chunk, part...)
		if len(part) > 0 && part[len(part)-1] == '\n' {
			lines++
		}
		if len(chunk) >= textChunkBytes {
			if ferr := flush(); ferr != nil {
				return ferr
			}
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			return flush()
		default:
			return yield(sources.Fragment{}, err)
		}
	}
}
