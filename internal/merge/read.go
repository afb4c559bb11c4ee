package merge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

// MaxReportBytes caps one input report. A report of 10,000 findings is
// about 6 MiB; a merged report of a large organisation more.
const MaxReportBytes = 256 << 20

// ReadReport reads one JSON report (secretgate/report/v1) from path: a
// regular file of at most MaxReportBytes holding exactly one document of
// that schema.
func ReadReport(path string) (result.Report, error) {
	var rep result.Report
	file, err := os.Open(path)
	if err != nil {
		return rep, err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return rep, err
	}
	if !info.Mode().IsRegular() {
		return rep, fmt.Errorf("not a regular file")
	}
	// Read the file once into a buffer of its size (io.ReadAll would grow
	// one by doubling) and decode it in place (a json.Decoder copies what
	// it reads into a buffer of its own): a merged organisation report is
	// hundreds of MB.
	buf := bytes.NewBuffer(make([]byte, 0, min(info.Size(), MaxReportBytes)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(file, MaxReportBytes+1)); err != nil {
		return rep, err
	}
	b := buf.Bytes()
	if len(b) > MaxReportBytes {
		return rep, fmt.Errorf("larger than %d bytes", MaxReportBytes)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		if syn := (*json.SyntaxError)(nil); errors.As(err, &syn) && strings.Contains(syn.Error(), "after top-level value") {
			return result.Report{}, fmt.Errorf("more than one JSON document")
		}
		return result.Report{}, fmt.Errorf("not a JSON report: %w", err)
	}
	if rep.Schema != result.Schema {
		return rep, fmt.Errorf("schema %q, want %s", safetext.Visible(rep.Schema, " "), result.Schema)
	}
	return rep, nil
}
