package merge

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

// Previous is the previous night's merged report as the trend reads it:
// its findings one at a time, never the whole report at once — a merged
// report of a large organisation is hundreds of MB, and decoding it whole
// for the trend cost the night's merge 400 MB more than the merge itself.
type Previous struct {
	// Name says which report it is in problems (its file).
	Name string
	scan func(fn func(result.Finding) error) (previousHead, error)
}

// previousHead is what the trend needs of the previous report besides its
// findings.
type previousHead struct {
	schema  string
	account string // context.account, for findings of a single-account report
	date    string // merge.date
	history []result.TrendPoint
	trend   bool
	// accounts and checks, for the matrix's costs (PreviousCosts).
	accounts []result.Account
	checks   []result.Check
}

// PreviousReport is a previous report already in memory.
func PreviousReport(r result.Report) *Previous {
	return &Previous{scan: func(fn func(result.Finding) error) (previousHead, error) {
		h := previousHead{schema: r.Schema, account: r.Context.Account, accounts: r.Accounts, checks: r.Checks}
		if r.Merge != nil {
			h.date = r.Merge.Date
		}
		if r.Trend != nil {
			h.history, h.trend = r.Trend.History, true
		}
		for _, f := range r.Findings {
			if err := fn(Normalize(f, r.Context.Account)); err != nil {
				return h, err
			}
		}
		return h, nil
	}}
}

// PreviousFile is the previous report at path, read as ReadReport reads a
// report (a regular file of at most MaxReportBytes holding exactly one
// document of the schema) but streamed: the findings are decoded one at a
// time and handed to the trend, and the other fields it does not need are
// skipped.
func PreviousFile(path string) *Previous {
	return &Previous{Name: path, scan: func(fn func(result.Finding) error) (previousHead, error) {
		file, err := os.Open(path)
		if err != nil {
			return previousHead{}, err
		}
		defer file.Close()
		info, err := file.Stat()
		if err != nil {
			return previousHead{}, err
		}
		if !info.Mode().IsRegular() {
			return previousHead{}, errors.New("not a regular file")
		}
		lr := &io.LimitedReader{R: file, N: MaxReportBytes + 1}
		h, err := scanPrevious(bufio.NewReaderSize(lr, 64<<10), fn)
		if lr.N <= 0 {
			return h, fmt.Errorf("larger than %d bytes", MaxReportBytes)
		}
		return h, err
	}}
}

// scanPrevious decodes one report from r, handing each finding to fn as
// it is read.
func scanPrevious(r io.Reader, fn func(result.Finding) error) (previousHead, error) {
	var h previousHead
	dec := json.NewDecoder(r)
	notReport := func(err error) error { return fmt.Errorf("not a JSON report: %w", err) }
	if tok, err := dec.Token(); err != nil {
		return h, notReport(err)
	} else if tok != json.Delim('{') {
		return h, notReport(errors.New("not an object"))
	}
	sawContext := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return h, notReport(err)
		}
		key, _ := tok.(string)
		switch key {
		case "schema":
			if err := dec.Decode(&h.schema); err != nil {
				return h, notReport(err)
			}
		case "context":
			var c result.Context
			if err := dec.Decode(&c); err != nil {
				return h, notReport(err)
			}
			h.account, sawContext = c.Account, true
		case "accounts":
			if err := dec.Decode(&h.accounts); err != nil {
				return h, notReport(err)
			}
		case "checks":
			if err := dec.Decode(&h.checks); err != nil {
				return h, notReport(err)
			}
		case "merge":
			var m *result.Merge
			if err := dec.Decode(&m); err != nil {
				return h, notReport(err)
			}
			if m != nil {
				h.date = m.Date
			}
		case "trend":
			var t *result.Trend
			if err := dec.Decode(&t); err != nil {
				return h, notReport(err)
			}
			if t != nil {
				h.history, h.trend = t.History, true
			}
		case "findings":
			if tok, err := dec.Token(); err != nil {
				return h, notReport(err)
			} else if tok == nil {
				continue
			} else if tok != json.Delim('[') {
				return h, notReport(errors.New("findings is not an array"))
			}
			for dec.More() {
				if fn == nil {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return h, notReport(err)
					}
					continue
				}
				var f result.Finding
				if err := dec.Decode(&f); err != nil {
					return h, notReport(err)
				}
				if f.Account == "" && f.File == "" && !sawContext {
					// The finding's account is the report's, which
					// secretgate writes before the findings.
					return h, errors.New("a finding of no account before the report's context: not a report secretgate wrote")
				}
				if err := fn(Normalize(f, h.account)); err != nil {
					return h, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return h, notReport(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return h, notReport(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return h, notReport(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return h, errors.New("more than one JSON document")
	}
	if h.schema != result.Schema {
		return h, fmt.Errorf("schema %q, want %s", safetext.Visible(h.schema, " "), result.Schema)
	}
	return h, nil
}

// PreviousCosts is each account's cost (milliseconds) in the previous
// night's report at path, for the matrix's balancing: the accounts'
// durations of a merged report, or the checks' of one account's. The
// report is read as PreviousFile reads it, its findings skipped: the
// matrix never holds them.
func PreviousCosts(path string) (map[string]int64, error) {
	h, err := PreviousFile(path).scan(nil)
	if err != nil {
		return nil, err
	}
	cost := map[string]int64{}
	for _, a := range h.accounts {
		cost[a.ID] = a.DurationMS
	}
	if len(h.accounts) == 0 && h.account != "" {
		for _, c := range h.checks {
			cost[h.account] += c.DurationMS
		}
	}
	return cost, nil
}
