package bench

import (
	"fmt"
	"io"
	"strings"
)

// Row is one line of make bench's table: a piece of work done by
// secretgate and by its peer (the gitleaks CLI, opa eval, git itself) on
// the same input, and the goals the project set for it.
type Row struct {
	Work  string
	Ours  Cell
	Peer  Cell
	Goals []Goal
	Note  string // what was checked besides time: "identical findings (1,232)"
}

// Cell is one side of a row: a command's label and its measured series,
// or a text when the side is not a timing (a binary's size).
type Cell struct {
	Label  string
	Series Series
	Text   string
}

func (c Cell) String() string {
	if len(c.Series) == 0 {
		return strings.TrimSpace(c.Label + " " + c.Text)
	}
	w, cpu, rss := c.Series.WallSeconds(), c.Series.CPUSeconds(), c.Series.RSSMiB()
	s := fmt.Sprintf("%s %s", c.Label, seconds(w.Median))
	if len(c.Series) > 1 {
		s += fmt.Sprintf(" (%s–%s)", seconds(w.Min), seconds(w.Max))
	}
	return fmt.Sprintf("%s, %s CPU, %.0f MiB", strings.TrimSpace(s), seconds(cpu.Median), rss.Median)
}

// seconds prints a duration in seconds the way a reader compares them:
// milliseconds below one second.
func seconds(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.0f ms", s*1000)
	}
	return fmt.Sprintf("%.2f s", s)
}

// Goal is a target on a ratio: Value must be at most (AtMost) or at least
// Target.
type Goal struct {
	What   string // "wall", "CPU", "peak RSS", "cold→warm"
	Value  float64
	Target float64
	AtMost bool
	Info   bool // a ratio worth showing, with no goal set for it
}

// Met says whether the goal is reached.
func (g Goal) Met() bool {
	if g.Info {
		return true
	}
	if g.AtMost {
		return g.Value <= g.Target
	}
	return g.Value >= g.Target
}

func (g Goal) String() string {
	if g.Info {
		return fmt.Sprintf("%s %.2f", g.What, g.Value)
	}
	op := "≥"
	if g.AtMost {
		op = "≤"
	}
	return fmt.Sprintf("%s %.2f (goal %s %.2f)", g.What, g.Value, op, g.Target)
}

// Ratio is ours/peer on one measure of two series (their medians); 0
// when the peer's median is 0.
func Ratio(ours, peer Series, measure func(Series) Stat) float64 {
	p := measure(peer).Median
	if p == 0 {
		return 0
	}
	return measure(ours).Median / p
}

// The measures Ratio takes.
var (
	Wall = Series.WallSeconds
	CPU  = Series.CPUSeconds
	RSS  = Series.RSSMiB
)

// WriteTable prints rows as a Markdown table (readable in a terminal, and
// pasted as is into an issue or a job summary), then one line per goal
// not met.
func WriteTable(w io.Writer, rows []Row) error {
	var b strings.Builder
	b.WriteString("| work | secretgate | peer | ratio (secretgate/peer) and goal | met |\n")
	b.WriteString("|---|---|---|---|---|\n")
	var missed []string
	for _, r := range rows {
		var goals, met []string
		for _, g := range r.Goals {
			goals = append(goals, g.String())
			switch {
			case g.Info:
			case g.Met():
				met = append(met, "yes")
			default:
				met = append(met, "NO")
				missed = append(missed, fmt.Sprintf("%s: %s", r.Work, g))
			}
		}
		work := r.Work
		if r.Note != "" {
			work += "; " + r.Note
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", cell(work), cell(r.Ours.String()), cell(r.Peer.String()),
			cell(strings.Join(goals, "; ")), cell(strings.Join(met, ", ")))
	}
	if len(missed) == 0 {
		b.WriteString("\nevery goal met\n")
	} else {
		fmt.Fprintf(&b, "\n%d goal(s) not met:\n", len(missed))
		for _, m := range missed {
			b.WriteString("- " + m + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell keeps a table cell on one line and its pipes escaped.
func cell(s string) string {
	if s == "" {
		return "—"
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
