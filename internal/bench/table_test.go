package bench

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func series(walls ...float64) Series {
	var s Series
	for _, w := range walls {
		d := time.Duration(w * float64(time.Second))
		s = append(s, Sample{Wall: d, CPU: 2 * d, MaxRSS: int64(w * 100 * (1 << 20))})
	}
	return s
}

func TestStat(t *testing.T) {
	tests := []struct {
		name string
		in   Series
		want Stat
	}{
		{"odd count: the middle one", series(3, 1, 2), Stat{Median: 2, Min: 1, Max: 3}},
		{"even count: mean of the middle two", series(4, 1, 2, 3), Stat{Median: 2.5, Min: 1, Max: 4}},
		{"one", series(7), Stat{Median: 7, Min: 7, Max: 7}},
		{"none", nil, Stat{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.WallSeconds(); got != tt.want {
				t.Errorf("WallSeconds() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestGoalMet(t *testing.T) {
	tests := []struct {
		goal Goal
		want bool
	}{
		{Goal{Value: 0.26, Target: 0.26, AtMost: true}, true},
		{Goal{Value: 0.27, Target: 0.26, AtMost: true}, false},
		{Goal{Value: 20, Target: 20}, true},
		{Goal{Value: 7.2, Target: 20}, false},
		{Goal{Value: 99, Info: true}, true},
	}
	for _, tt := range tests {
		if got := tt.goal.Met(); got != tt.want {
			t.Errorf("%s: Met() = %v, want %v", tt.goal, got, tt.want)
		}
	}
}

func TestRatio(t *testing.T) {
	if got := Ratio(series(1, 1, 1), series(4, 4, 4), Wall); got != 0.25 {
		t.Errorf("wall ratio = %v, want 0.25", got)
	}
	if got := Ratio(series(1), nil, Wall); got != 0 {
		t.Errorf("ratio against nothing = %v, want 0", got)
	}
}

func TestWriteTable(t *testing.T) {
	rows := []Row{{
		Work:  "leak scan, 58 MiB | 10,426 files",
		Note:  "identical findings (12)",
		Ours:  Cell{Label: "check", Series: series(0.5, 0.4, 0.6)},
		Peer:  Cell{Label: "gitleaks dir", Series: series(2, 2.2, 1.9)},
		Goals: []Goal{{What: "wall", Value: 0.25, Target: 0.26, AtMost: true}, {What: "peak RSS", Value: 2, Target: 1.5, AtMost: true}},
	}, {
		Work:  "history",
		Ours:  Cell{Label: "check --history", Series: series(3)},
		Peer:  Cell{Label: "gitleaks git", Series: series(3)},
		Goals: []Goal{{What: "wall", Value: 1, Info: true}},
	}, {
		Work: "binary size",
		Ours: Cell{Label: "secretgate", Text: "44.5 MB stripped"},
	}}
	var b strings.Builder
	if err := WriteTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	compareGolden(t, filepath.Join("testdata", "table.golden"), b.String())
}

func TestCommandRun(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Fatal("sh is required")
	}
	s, err := Command{Args: []string{"sh", "-c", "exit 1"}, MaxOK: 1}.Run()
	if err != nil {
		t.Fatalf("exit 1 with MaxOK 1 is a result, got error %v", err)
	}
	if s.Wall <= 0 || s.MaxRSS <= 0 {
		t.Errorf("sample not measured: %+v", s)
	}
	_, err = Command{Args: []string{"sh", "-c", "echo broken >&2; exit 4"}, MaxOK: 3}.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(err.Error(), "broken") {
		t.Errorf("exit 4 above MaxOK 3: want an error carrying stderr, got %v", err)
	}
}

func TestAlternateTakesTurns(t *testing.T) {
	var order []string
	step := func(name string) func() (Sample, error) {
		return func() (Sample, error) { order = append(order, name); return Sample{}, nil }
	}
	s, err := Alternate(3, step("a"), step("b"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ""); got != "ababab" || len(s[0]) != 3 || len(s[1]) != 3 {
		t.Errorf("order %q, series %d and %d; want ababab, 3 and 3", got, len(s[0]), len(s[1]))
	}
	boom := errors.New("boom")
	if _, err := Alternate(2, func() (Sample, error) { return Sample{}, boom }); !errors.Is(err, boom) {
		t.Errorf("a failing step: got %v, want it returned", err)
	}
}
