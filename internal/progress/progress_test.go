package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// meter is a Meter on a fake clock that never draws on its own: tests call
// redraw.
func meter(terminal bool) (*Meter, *bytes.Buffer, *clock) {
	var buf bytes.Buffer
	c := &clock{t: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)}
	m := &Meter{w: &buf, terminal: terminal, after: time.Second, every: time.Hour, now: c.now, stop: make(chan struct{})}
	return m, &buf, c
}

func TestCILogGetsOneLinePerLongPhase(t *testing.T) {
	m, buf, c := meter(false)
	quick := m.Start("naming", "")
	c.add(300 * time.Millisecond)
	quick.Done()
	if buf.Len() != 0 {
		t.Fatalf("a phase under a second wrote %q", buf.String())
	}
	p := m.Start("leaks", "files")
	p.SetTotal(12000)
	p.Add(10426)
	c.add(1500 * time.Millisecond)
	m.redraw() // outside a terminal nothing is drawn
	if buf.Len() != 0 {
		t.Fatalf("a status line in a CI log: %q", buf.String())
	}
	p.Done()
	if got, want := buf.String(), "secretgate: leaks: 10,426 files in 1.5 s\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTerminalRedrawsInPlaceAndErases(t *testing.T) {
	m, buf, c := meter(true)
	p := m.Start("leaks", "files")
	p.SetTotal(10426)
	p.Add(3412)
	c.add(500 * time.Millisecond)
	m.redraw()
	if buf.Len() != 0 {
		t.Fatalf("drawn before a second: %q", buf.String())
	}
	c.add(1500 * time.Millisecond)
	m.redraw()
	if got, want := buf.String(), "\r\x1b[Kleaks: 3,412 of 10,426 files · 1,706 files/s · 2.0 s"; got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	buf.Reset()
	p.Done()
	if got := buf.String(); got != "\r\x1b[K" {
		t.Errorf("on a terminal Done should only erase the line, wrote %q", got)
	}
	buf.Reset()
	m.redraw()
	if buf.Len() != 0 {
		t.Errorf("drawn with no phase: %q", buf.String())
	}
}

func TestStoppedMeterIsSilent(t *testing.T) {
	m, buf, c := meter(false)
	p := m.Start("leaks", "commits")
	c.add(5 * time.Second)
	m.Stop()
	m.Stop() // twice is fine
	p.Done()
	if buf.Len() != 0 {
		t.Errorf("wrote %q after Stop", buf.String())
	}
	var nilMeter *Meter
	q := nilMeter.Start("x", "files") // --quiet
	q.SetTotal(1)
	q.Add(1)
	q.Done()
	nilMeter.Stop()
}

func TestRealMeterStops(t *testing.T) {
	var buf safeBuffer
	m := New(&buf, true)
	p := m.Start("policies", "")
	p.Done()
	m.Stop()
	if strings.Contains(buf.String(), "policies") {
		t.Errorf("a phase under a second was drawn: %q", buf.String())
	}
}

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *safeBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 10426: "10,426", 1234567: "1,234,567", -5000: "-5,000"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestClearingWriterErasesTheStatusFirst(t *testing.T) {
	m, buf, c := meter(true)
	p := m.Start("leak scanner", "files")
	c.add(2 * time.Second)
	m.redraw()
	buf.Reset()
	if _, err := m.Clearing(buf).Write([]byte("secretgate: warning: x\n")); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "\r\x1b[Ksecretgate: warning: x\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	buf.Reset()
	p.Done()
	if buf.Len() != 0 {
		t.Errorf("erased twice: %q", buf.String())
	}
}

func TestClearingIsTheWriterItselfOutsideATerminal(t *testing.T) {
	var buf bytes.Buffer
	m := New(&buf, false)
	defer m.Stop()
	if w := m.Clearing(&buf); w != &buf {
		t.Errorf("Clearing wrapped the writer outside a terminal: %T", w)
	}
	var nilMeter *Meter
	if w := nilMeter.Clearing(&buf); w != &buf {
		t.Errorf("a nil Meter wrapped the writer: %T", w)
	}
}
