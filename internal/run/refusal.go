package run

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/secretgate/secretgate/internal/awsauth"
	"github.com/secretgate/secretgate/internal/explain"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
)

// explainRefusal writes to w, when the role assumption was refused and the
// token's claims are known, which trust condition refused them (or the
// closest miss) and which attacker subjects the role admits. roles are the
// roles gathered from the repository (and the inventory, when readable).
func (l *awsAccess) explainRefusal(ctx context.Context, w io.Writer, engine *policy.Engine, roles []facts.Role) {
	var ae *awsauth.AssumeRoleError
	if !errors.As(l.err, &ae) || len(ae.Claims) == 0 {
		return
	}
	fmt.Fprintf(w, "\nsecretgate: %s refused the role assumption; why:\n", ae.RoleARN)
	if err := ExplainRefusal(ctx, w, engine, ae.RoleARN, ae.Claims, roles); err != nil {
		fmt.Fprintf(w, "secretgate: cannot explain the refusal: %v\n", err)
	}
}

// ExplainRefusal writes to w why the role's trust policy refuses a token
// with these claims (or that it would admit it, or that the trust policy is
// unknown), with the simulated attacker tokens. Call it when
// sts:AssumeRoleWithWebIdentity was refused, with the role's ARN, the
// token's decoded claims and the roles gathered so far (repository files
// and the live inventory), e.g.
//
//	var ae *awsauth.AssumeRoleError
//	if errors.As(err, &ae) {
//		_ = ExplainRefusal(ctx, stderr, engine, ae.RoleARN, ae.Claims, in.Roles)
//	}
//
// The token itself is never needed and never printed.
func ExplainRefusal(ctx context.Context, w io.Writer, engine *policy.Engine, roleARN string, claims map[string]any, roles []facts.Role) error {
	e, err := explain.Explain(ctx, engine, roleARN, claims, roles)
	if err != nil {
		return err
	}
	return explain.Render(w, e)
}
