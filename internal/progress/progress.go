// Package progress shows what a long run is doing, on standard error.
//
// On a terminal a phase that takes longer than a second gets a status line
// redrawn in place (what is done, of how many when known, the rate and the
// time so far), erased when the phase ends. Elsewhere (a CI log) nothing is
// drawn: a phase that took longer than a second leaves one line when it
// ends. A Meter never writes to standard output, so it cannot interleave
// with a report printed there, and it draws nothing once stopped.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Meter draws the progress of one phase at a time.
type Meter struct {
	w        io.Writer
	terminal bool
	// After is how long a phase runs before it is shown at all.
	after time.Duration
	every time.Duration
	now   func() time.Time

	mu      sync.Mutex
	cur     *Phase
	drawn   bool // a status line is on screen
	stop    chan struct{}
	stopped bool
	done    sync.WaitGroup
}

// New returns a Meter writing to w; terminal says whether w is one. A nil
// Meter is valid and shows nothing (--quiet).
func New(w io.Writer, terminal bool) *Meter {
	m := &Meter{w: w, terminal: terminal, after: time.Second, every: 200 * time.Millisecond, now: time.Now, stop: make(chan struct{})}
	if terminal {
		m.done.Add(1)
		go m.draw()
	}
	return m
}

// Phase is one stage of a run: a leak scan, the policy evaluation.
type Phase struct {
	m     *Meter
	name  string
	unit  string
	start time.Time
	mu    sync.Mutex
	n     int
	total int
}

// Start begins a phase called name that counts unit ("files", "commits";
// "" to show only the time). Phases do not nest: a new one replaces the
// current one on screen.
func (m *Meter) Start(name, unit string) *Phase {
	if m == nil {
		return nil
	}
	p := &Phase{m: m, name: name, unit: unit, start: m.now()}
	m.mu.Lock()
	m.cur = p
	if m.after <= 0 {
		m.redrawLocked() // shown at once (ShowAfter(0)), not at the next tick
	}
	m.mu.Unlock()
	return p
}

// SetTotal says how many units the phase has, when known.
func (p *Phase) SetTotal(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.total = n
	p.mu.Unlock()
}

// Add counts n more units done. It is safe from many goroutines.
func (p *Phase) Add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.n += n
	p.mu.Unlock()
}

// Done ends the phase: the status line is erased, and outside a terminal
// a phase that took longer than a second leaves one line.
func (p *Phase) Done() {
	if p == nil {
		return
	}
	m := p.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur == p {
		m.cur = nil
	}
	if m.stopped {
		return
	}
	if m.drawn {
		fmt.Fprint(m.w, "\r\x1b[K")
		m.drawn = false
	}
	took := m.now().Sub(p.start)
	if !m.terminal && took >= m.after {
		fmt.Fprintf(m.w, "secretgate: %s\n", p.line(took, true))
	}
}

// Stop erases the status line and ends drawing; the Meter shows nothing
// afterwards. Call it before writing a report to a terminal.
func (m *Meter) Stop() {
	if m == nil {
		return
	}
	m.mu.Lock()
	if m.stopped {
		m.mu.Unlock()
		return
	}
	m.stopped = true
	close(m.stop)
	if m.drawn {
		fmt.Fprint(m.w, "\r\x1b[K")
		m.drawn = false
	}
	m.mu.Unlock()
	m.done.Wait()
}

func (m *Meter) draw() {
	defer m.done.Done()
	t := time.NewTicker(m.every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.redraw()
		}
	}
}

// redraw writes the current phase's status line in place.
func (m *Meter) redraw() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.redrawLocked()
}

// redrawLocked is redraw with m.mu held.
func (m *Meter) redrawLocked() {
	p := m.cur
	if p == nil || m.stopped || !m.terminal {
		return
	}
	took := m.now().Sub(p.start)
	if took < m.after {
		return
	}
	fmt.Fprintf(m.w, "\r\x1b[K%s", p.line(took, false))
	m.drawn = true
}

// line describes the phase: "leaks: 3,412 of 10,426 files · 1,203 files/s
// · 2.8 s" while it runs, "leaks: 10,426 files in 7.4 s" when it ended.
func (p *Phase) line(took time.Duration, ended bool) string {
	p.mu.Lock()
	n, total := p.n, p.total
	p.mu.Unlock()
	secs := took.Seconds()
	var b strings.Builder
	b.WriteString(p.name)
	if p.unit == "" {
		if ended {
			fmt.Fprintf(&b, " took %.1f s", secs)
		} else {
			fmt.Fprintf(&b, "… %.1f s", secs)
		}
		return b.String()
	}
	b.WriteString(": ")
	switch {
	case ended:
		fmt.Fprintf(&b, "%s %s in %.1f s", Count(n), p.unit, secs)
		return b.String()
	case total > 0:
		fmt.Fprintf(&b, "%s of %s %s", Count(n), Count(total), p.unit)
	default:
		fmt.Fprintf(&b, "%s %s", Count(n), p.unit)
	}
	if secs > 0 {
		fmt.Fprintf(&b, " · %s %s/s", Count(int(float64(n)/secs)), p.unit)
	}
	fmt.Fprintf(&b, " · %.1f s", secs)
	return b.String()
}

// Count writes n with thousands separators: 10,426.
func Count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + Count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Clearing returns a writer to w that first erases the status line, so
// that a warning printed during a phase starts on a clean line (the next
// redraw puts the status back under it). Outside a terminal, where
// nothing is drawn, and with a nil Meter it is w itself: a writer such as
// safetext's keeps its identity (GitHub workflow commands are written
// through it as they are, which a wrapper would hide).
func (m *Meter) Clearing(w io.Writer) io.Writer {
	if m == nil || !m.terminal {
		return w
	}
	return clearingWriter{m: m, w: w}
}

type clearingWriter struct {
	m *Meter
	w io.Writer
}

// Underlying returns the writer c writes to (safetext.Commands looks
// through it).
func (c clearingWriter) Underlying() io.Writer { return c.w }

func (c clearingWriter) Write(p []byte) (int, error) {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	if c.m.drawn {
		fmt.Fprint(c.m.w, "\r\x1b[K")
		c.m.drawn = false
	}
	return c.w.Write(p)
}

// ShowAfter sets how long a phase runs before it is shown (a second by
// default) and returns m.
func (m *Meter) ShowAfter(d time.Duration) *Meter {
	if m != nil {
		m.mu.Lock()
		m.after = d
		m.mu.Unlock()
	}
	return m
}
