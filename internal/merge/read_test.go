package merge

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// TestReadReportRefuses: what is not exactly one report of the schema,
// in a regular file under the cap, is refused with the reason.
func TestReadReportRefuses(t *testing.T) {
	dir := t.TempDir()
	var good bytes.Buffer
	if err := (&report.JSON{}).Write(&good, syntheticAccountReport("111111111111", 3)); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"a report", write("good.json", good.String()), ""},
		{"a report and spaces", write("spaces.json", good.String()+"\n \n"), ""},
		{"not JSON", write("html.json", "<html>"), "not a JSON report"},
		{"cut short", write("cut.json", good.String()[:good.Len()/2]), "not a JSON report"},
		{"two documents", write("two.json", good.String()+good.String()), "more than one JSON document"},
		{"trailing text", write("trailing.json", good.String()+"x"), "more than one JSON document"},
		{"another schema", write("schema.json", `{"schema":"other/v9"}`), `schema "other/v9"`},
		{"a directory", dir, "not a regular file"},
		{"missing", filepath.Join(dir, "missing.json"), "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := ReadReport(tc.path)
			switch {
			case tc.want == "" && (err != nil || len(rep.Findings) != 4):
				t.Errorf("err %v, %d findings; want the report's 4", err, len(rep.Findings))
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

// TestReadReportMemory: reading a report costs its bytes once plus what
// decoding them allocates, not copies of the file grown by doubling (a
// merged organisation report is 170 MB: `secretgate issue` and the merge's
// --previous read one; docs/organizations.md#scale).
func TestReadReportMemory(t *testing.T) {
	var buf bytes.Buffer
	if err := (&report.JSON{}).Write(&buf, syntheticAccountReport("111111111111", 30000)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	allocs := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	decode := allocs(func() {
		var rep result.Report
		if err := json.Unmarshal(buf.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
	})
	var rep result.Report
	read := allocs(func() {
		var err error
		if rep, err = ReadReport(path); err != nil {
			t.Fatal(err)
		}
	})
	if len(rep.Findings) != 30001 {
		t.Fatalf("%d findings", len(rep.Findings))
	}
	size := uint64(buf.Len())
	t.Logf("a %.1f MB report: read %.1f MB, decoding alone %.1f MB", float64(size)/1e6, float64(read)/1e6, float64(decode)/1e6)
	if budget := decode + size + size/4; read > budget {
		t.Errorf("reading a %.1f MB report allocated %.1f MB, want at most its size and its decoding's %.1f MB", float64(size)/1e6, float64(read)/1e6, float64(budget)/1e6)
	}
}
