package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse: no input makes the loader panic, and every rejection is a
// located *Error.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yml")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse("fuzz.yml", dir, data)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "fuzz.yml" {
				t.Fatalf("error is not a located *Error: %T %v", err, err)
			}
			return
		}
		fc := c.Facts()
		for _, e := range fc.EnvironmentOrder {
			if _, ok := fc.Environments[e]; !ok {
				t.Fatalf("environment order names %q, which is not an environment", e)
			}
		}
		c.EnvironmentOf("prod/x/y", "/prod/", map[string]string{"env": "dev"})
	})
}

// TestMergeBomb: merge keys that multiply (each level merging the previous
// one ten times) are read in time proportional to the document.
func TestMergeBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("environments:\n  e0: &a0 {max_rotation_days: 1}\n")
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "  e%d: &a%d {<<: [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]}\n")
	}
	done := make(chan error, 1)
	go func() {
		_, err := parse("bomb.yml", t.TempDir(), []byte(b.String()))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("merge keys expand exponentially")
	}
}
