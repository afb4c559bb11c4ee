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
		e.Broken = brokenJudge
	case j.Head != nil:
		// The change's judge is the checkout's, and the comparison is
		// offline: the live facts are judged once, by the base.
		head := *j.Head
		head.Judge, head.JudgeDir, head.Log, head.WriteInput = nil, "", io.Discard, ""
		head.Offline, head.AWS = true, AWS{}
		done, err := Check(ctx, head)
		switch {
		case ctx.Err() != nil:
			e.Unmeasured = "the run was interrupted"
		case err != nil:
			e.Broken = brokenJudge
		default:
			e = judge.Compare(*rep, done.Report, !p.Offline)
		}
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

// brokenJudge says why the change's own judge could not be compared,
// without its error: that text comes from files the change controls (a
// configuration, a policy, a gitleaks file that may name any file on the
// runner) and is not repeated into the report.
const brokenJudge = "its configuration, Rego policies or gitleaks files do not load; run secretgate check on the branch to see why"

func hasFinding(rep *result.Report, rule string) bool {
	for _, f := range rep.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}
