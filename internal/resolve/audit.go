package resolve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// AuditRecord is one line of the audit trail: one secret read. It never
// holds a value.
type AuditRecord struct {
	Time  string `json:"time"`  // RFC 3339 with milliseconds, UTC
	Event string `json:"event"` // always "secretsmanager:GetSecretValue"
	// SecretID is the id the read asked for (name or ARN, as configured).
	SecretID string `json:"secret_id"`
	// ARN is the secret's ARN, when AWS returned it.
	ARN          string `json:"arn,omitempty"`
	Region       string `json:"region,omitempty"`
	VersionStage string `json:"version_stage"`
	VersionID    string `json:"version_id,omitempty"`
	CallerARN    string `json:"caller_arn,omitempty"`
	// Outcome is read or failed.
	Outcome    string `json:"outcome"`
	ErrorClass string `json:"error_class,omitempty"`
}

// AuditLog writes audit records as JSON lines to each of its writers (the
// --audit-log file and the job log). It is safe for concurrent use; a line
// is written whole or not at all to each writer.
type AuditLog struct {
	mu    sync.Mutex
	ws    []auditWriter
	lines int   // records to write
	err   error // a record that could not be encoded
	now   func() time.Time
}

// auditWriter is one destination with its first write error and how many
// lines it lost.
type auditWriter struct {
	w     io.Writer
	err   error
	wrong int
}

// NewAuditLog writes to ws (nil writers are ignored).
func NewAuditLog(ws ...io.Writer) *AuditLog {
	a := &AuditLog{now: time.Now}
	for _, w := range ws {
		if w != nil {
			a.ws = append(a.ws, auditWriter{w: w})
		}
	}
	return a
}

// Record writes one record; Time is set when empty. A nil AuditLog
// records nothing.
func (a *AuditLog) Record(r AuditRecord) {
	if a == nil {
		return
	}
	if r.Time == "" {
		r.Time = a.now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
	r.Event = "secretsmanager:GetSecretValue"
	line, err := json.Marshal(r)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.err = errors.Join(a.err, err)
		return
	}
	line = append(line, '\n')
	a.lines++
	for i := range a.ws {
		w := &a.ws[i]
		if _, err := w.w.Write(line); err != nil {
			w.wrong++
			if w.err == nil {
				w.err = err
			}
		}
	}
}

// Err returns the write errors so far, one per writer that failed (its
// first error and how many lines it lost): an audit trail that could not
// be written makes the resolve check incomplete.
func (a *AuditLog) Err() error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	errs := []error{a.err}
	for _, w := range a.ws {
		if w.err != nil {
			errs = append(errs, fmt.Errorf("%w (%d of %d lines not written)", w.err, w.wrong, a.lines))
		}
	}
	return errors.Join(errs...)
}
