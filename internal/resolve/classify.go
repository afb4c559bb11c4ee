package resolve

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Error classes of a failed read. The first group is a verdict on the
// credential (the role cannot use what the application needs); the second
// means secretgate could not check it.
const (
	ClassAccessDenied     = "access_denied"
	ClassDecryptionFailed = "decryption_failed"
	ClassNotFound         = "not_found"
	ClassDeleted          = "deleted"
	ClassInvalidRequest   = "invalid_request"

	ClassThrottled    = "throttled"
	ClassTimeout      = "timeout"
	ClassUnreachable  = "unreachable"
	ClassServiceError = "service_error"
)

// Checked reports whether a read that failed with class still tells
// something about the credential. AccessDenied, a KMS decryption failure,
// a missing or deleted secret: the application, running with this role,
// would fail the same way, so that is a finding. Throttling that outlasts
// the retries, a timeout, an unreachable endpoint or a server error say
// nothing about the credential: the check could not run (status error,
// exit 3), never a pass and never a finding.
func Checked(class string) bool {
	switch class {
	case ClassAccessDenied, ClassDecryptionFailed, ClassNotFound, ClassDeleted, ClassInvalidRequest:
		return true
	}
	return false
}

// classify turns an SDK error into an error class and a reason. The reason
// is AWS's error code and message (which name the caller and the secret,
// never a value), or the transport failure.
func classify(ctx context.Context, err error) (class, reason string) {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		reason = apiErr.ErrorCode()
		if msg := apiErr.ErrorMessage(); msg != "" {
			reason += ": " + msg
		}
		switch code := apiErr.ErrorCode(); code {
		case "AccessDeniedException", "AccessDenied":
			return ClassAccessDenied, reason
		case "DecryptionFailure", "KMSAccessDeniedException", "KMSDisabledException", "KMSInvalidStateException":
			return ClassDecryptionFailed, reason
		case "ResourceNotFoundException":
			return ClassNotFound, reason
		case "InvalidRequestException":
			if strings.Contains(strings.ToLower(apiErr.ErrorMessage()), "delet") {
				return ClassDeleted, reason
			}
			return ClassInvalidRequest, reason
		case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "LimitExceededException":
			return ClassThrottled, reason + " (retries exhausted)"
		}
		return ClassServiceError, reason
	}
	if errors.Is(err, context.DeadlineExceeded) || (ctx.Err() == nil && errors.Is(err, context.Canceled)) {
		return ClassTimeout, "timed out: " + err.Error()
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return ClassTimeout, "timed out: " + err.Error()
	}
	var sendErr *smithyhttp.RequestSendError
	if errors.As(err, &sendErr) || errors.As(err, &netErr) {
		return ClassUnreachable, "endpoint unreachable: " + err.Error()
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) && respErr.HTTPStatusCode() >= 500 {
		return ClassServiceError, err.Error()
	}
	return ClassServiceError, err.Error()
}
