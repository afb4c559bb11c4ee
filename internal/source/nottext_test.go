package source

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// TestNotTextNotShown: a candidate that is not text of its format is
// reported without its contents.
func TestNotTextNotShown(t *testing.T) {
	const canary = "CANARYq7Zk2Xw9Lm4Pv8"
	root := t.TempDir()
	files := map[string]string{
		"binary.json":  "{\"Statement\": [\x01\x02" + canary + "\xff\xfe]}\n",
		"control.json": "{\"Statement\": [\"" + canary + "\x1b\"]}\n",
		"broken.json":  "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": " + canary + "}]}\n",
		"stack.yaml":   "AWSTemplateFormatVersion: \"2010-09-09\"\nResources: " + canary + "\n",
		"control.yaml": "AWSTemplateFormatVersion: \"2010-09-09\"\x01\nResources: {x: " + canary + "}\n",
	}
	for name, text := range files {
		must(t, os.WriteFile(filepath.Join(root, name), []byte(text), 0o600))
	}
	res, err := Scan(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	problems := append(append([]result.InputProblem(nil), res.Skipped...), res.Errors...)
	if len(problems) != len(files) {
		t.Errorf("%d problems, want one per file: %v", len(problems), problems)
	}
	for _, p := range problems {
		if strings.Contains(p.Message, canary[:12]) {
			t.Errorf("%s: the message shows the file: %s", p.File, p.Message)
		}
	}
}
