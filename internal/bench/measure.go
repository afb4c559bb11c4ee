package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Sample is one whole-process run of a command: what make bench's table
// reports for it.
type Sample struct {
	Wall   time.Duration
	CPU    time.Duration // user + system, the process and its children
	MaxRSS int64         // peak resident set, bytes (the largest process of the tree)
}

// Command is a process the bench runs: argv, working directory, and the
// highest exit code that is a result rather than a failure (secretgate:
// 1 findings, 3 incomplete; gitleaks with --exit-code 0: 0).
type Command struct {
	Args   []string
	Dir    string
	MaxOK  int
	Stdout string // file the standard output goes to; "" discards it
}

func (c Command) String() string { return strings.Join(c.Args, " ") }

// Run runs c once and measures it. A failing command (exit above MaxOK,
// killed, not found) is an error carrying the end of its standard error,
// so a broken bench stops instead of timing an error message.
func (c Command) Run() (Sample, error) {
	cmd := exec.Command(c.Args[0], c.Args[1:]...)
	cmd.Dir = c.Dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if c.Stdout != "" {
		f, err := os.Create(c.Stdout)
		if err != nil {
			return Sample{}, fmt.Errorf("%s: %w", c.Args[0], err)
		}
		defer f.Close()
		cmd.Stdout = f
	}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	isResult := errors.As(err, &exit) && exit.ExitCode() >= 0 && exit.ExitCode() <= c.MaxOK
	if err != nil && !isResult {
		return Sample{}, fmt.Errorf("%s: %w: %s", c, err, tail(stderr.String(), 600))
	}
	s := Sample{Wall: wall, CPU: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.MaxRSS = ru.Maxrss * 1024 // Linux reports KiB
	}
	return s, nil
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// Series is the samples of one command over a bench's rounds.
type Series []Sample

// Stat is a median with its range, for one measure of a Series.
type Stat struct{ Median, Min, Max float64 }

func stat(vals []float64) Stat {
	if len(vals) == 0 {
		return Stat{}
	}
	v := slices.Clone(vals)
	slices.Sort(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return Stat{Median: m, Min: v[0], Max: v[len(v)-1]}
}

// WallSeconds summarises the wall times of the series.
func (s Series) WallSeconds() Stat {
	return s.stat(func(x Sample) float64 { return x.Wall.Seconds() })
}

// CPUSeconds summarises the CPU times (user + system) of the series.
func (s Series) CPUSeconds() Stat {
	return s.stat(func(x Sample) float64 { return x.CPU.Seconds() })
}

// RSSMiB summarises the peak resident memory of the series, in MiB.
func (s Series) RSSMiB() Stat {
	return s.stat(func(x Sample) float64 { return float64(x.MaxRSS) / (1 << 20) })
}

func (s Series) stat(f func(Sample) float64) Stat {
	vals := make([]float64, len(s))
	for i, x := range s {
		vals[i] = f(x)
	}
	return stat(vals)
}

// Alternate runs each of steps in turn, rounds times, so that every
// command sees the same load on a shared machine; it returns one Series
// per step. Each step may prepare its run (clear a cache, change a file)
// before measuring it.
func Alternate(rounds int, steps ...func() (Sample, error)) ([]Series, error) {
	out := make([]Series, len(steps))
	for range rounds {
		for i, step := range steps {
			s, err := step()
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], s)
		}
	}
	return out, nil
}
