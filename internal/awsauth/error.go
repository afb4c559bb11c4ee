package awsauth

import (
	"fmt"
)

// AssumeRoleError is returned when STS refuses to let secretgate assume
// RoleARN (AccessDenied, or an identity token the role's trust does not
// accept). Claims is the decoded payload of the GitHub OIDC token that was
// presented, so that the refusal can be explained against the role's trust
// policy; it is nil when the role was assumed with sts:AssumeRole (no
// token). The token itself (header, signature) is never kept, and its
// signature is not checked: the claims only explain, they decide nothing.
type AssumeRoleError struct {
	RoleARN string
	// Method is "AssumeRoleWithWebIdentity" or "AssumeRole".
	Method string
	Claims map[string]any
	Err    error
}

func (e *AssumeRoleError) Error() string {
	return fmt.Sprintf("assume role %s (%s) refused: %v", e.RoleARN, e.Method, e.Err)
}

func (e *AssumeRoleError) Unwrap() error { return e.Err }

// IsRefusal reports whether err is STS refusing a role assumption
// (AccessDenied, an invalid identity token, …) rather than a failure to
// reach it.
func IsRefusal(err error) bool { return refused(err) }
