package run

import (
	"context"
	"io"

	"github.com/secretgate/secretgate/internal/judge"
	"github.com/secretgate/secretgate/internal/result"
)

// describeJudgeChange completes the config-judge-changed finding of rep,
// the report made with the base's judge, with what the change's own judge
// would have done: it runs the same check with the checkout's judge files
// (Judge.Head, offline: the live AWS facts are judged once, by the base)
// and compares the two reports. The verdict stays the base judge's.
func (p *Plan) describeJudgeChange(ctx context.Context, rep *result.Report) {
	j := p.Judge
	if j == nil || len(j.Changed) == 0 || !hasFinding(rep, judge.Rule) {
		return
	}
	var e judge.Effect
	switch {
	case j.HeadErr != nil:
		e.Broken = j.HeadErr.Error()
	case j.Head != nil:
		head := *j.Head
		head.Judge, head.Log, head.WriteInput = nil, io.Discard, ""
		done, err := Check(ctx, head)
		if err != nil {
			e.Broken = err.Error()
			break
		}
		e = judge.Compare(*rep, done.Report, !p.Offline)
	default:
		return
	}
	text := e.Describe()
	for i := range rep.Findings {
		if rep.Findings[i].Rule == judge.Rule {
			rep.Findings[i].Message += " " + text
		}
	}
}

func hasFinding(rep *result.Report, rule string) bool {
	for _, f := range rep.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}
