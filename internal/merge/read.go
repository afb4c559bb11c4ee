package merge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

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
	b, err := io.ReadAll(io.LimitReader(file, MaxReportBytes+1))
	if err != nil {
		return rep, err
	}
	if len(b) > MaxReportBytes {
		return rep, fmt.Errorf("larger than %d bytes", MaxReportBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&rep); err != nil {
		return rep, fmt.Errorf("not a JSON report: %w", err)
	}
	if dec.More() {
		return rep, fmt.Errorf("more than one JSON document")
	}
	if rep.Schema != result.Schema {
		return rep, fmt.Errorf("schema %q, want %s", safetext.Visible(rep.Schema, " "), result.Schema)
	}
	return rep, nil
}
