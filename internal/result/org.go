package result

// AccountStatus is the verdict on one AWS account of a merged report.
type AccountStatus string

// Account statuses. Anything but AccountJudged and AccountExcluded makes
// the run incomplete.
const (
	// AccountJudged: the account's report was read and every check that
	// ran completed.
	AccountJudged AccountStatus = "judged"
	// AccountIncomplete: the account was checked but a check could not
	// run completely (its checks say which and why).
	AccountIncomplete AccountStatus = "incomplete"
	// AccountNotJudged: nothing was judged in the account: its role could
	// not be assumed, or its shard's report is missing or unreadable.
	AccountNotJudged AccountStatus = "not-judged"
	// AccountExcluded: the configuration does not select the account
	// (aws.organization's include, exclude or ous) or it is not active
	// and was not asked for by name: listed with the reason, never
	// checked, and it does not make the run incomplete.
	AccountExcluded AccountStatus = "excluded"
)

// Account is one AWS account of a report that covers several.
type Account struct {
	ID     string        `json:"id"`
	Name   string        `json:"name,omitempty"`
	Status AccountStatus `json:"status"`
	// Reason says why an account is not judged (or incomplete).
	Reason string `json:"reason,omitempty"`
	// Shard is the matrix job that checked the account (1-based), when
	// known.
	Shard int `json:"shard,omitempty"`
	// Report is the input file the account's verdict came from.
	Report  string   `json:"report,omitempty"`
	Regions []string `json:"regions,omitempty"`
	Checks  []Check  `json:"checks,omitempty"`
	// Summary counts the account's unwaived findings by severity; Failed
	// and Incomplete are its own verdict under the merged report's
	// threshold.
	Summary Summary `json:"summary"`
	// DurationMS is the time its checks took: the cost the next night's
	// matrix balances shards by.
	DurationMS int64 `json:"duration_ms"`
}

// Merge says how a merged report was put together.
type Merge struct {
	// Date is when the reports were merged (RFC 3339, UTC).
	Date string `json:"date"`
	// Reports is the number of input reports read.
	Reports int `json:"reports"`
	// ExpectedShards is the number of shard reports expected
	// (--expect-shards, or the matrix); 0 when not said.
	ExpectedShards int `json:"expected_shards,omitempty"`
	// MissingShards lists the shards (1-based) of which no report was
	// read.
	MissingShards []int `json:"missing_shards,omitempty"`
	// Problems are inputs that could not be used: a malformed report, a
	// wrong schema, a missing shard. Any makes the run incomplete.
	Problems []MergeProblem `json:"problems,omitempty"`
}

// MergeProblem is an input of secretgate merge that could not be used.
type MergeProblem struct {
	File    string `json:"file,omitempty"`
	Shard   int    `json:"shard,omitempty"`
	Message string `json:"message"`
}

// Trend compares a merged report with the previous night's, by finding
// identity (account and fingerprint), unwaived findings only.
type Trend struct {
	// Previous is the Merge.Date of the previous report ("" when it had
	// none).
	Previous  string `json:"previous"`
	New       int    `json:"new"`
	Fixed     int    `json:"fixed"`
	StillOpen int    `json:"still_open"`
	// NotRechecked counts previous findings in accounts or checks not
	// judged this time: neither fixed nor known to be open.
	NotRechecked int `json:"not_rechecked"`
	// FixedFindings lists what was fixed (up to a cap), for the report.
	FixedFindings []TrendFinding `json:"fixed_findings,omitempty"`
	// History holds one point per night, oldest first, this one last.
	History []TrendPoint `json:"history"`
}

// TrendFinding names a finding of the previous report.
type TrendFinding struct {
	Rule        string   `json:"rule"`
	Check       string   `json:"check"`
	Severity    Severity `json:"severity"`
	Resource    string   `json:"resource"`
	Account     string   `json:"account,omitempty"`
	Fingerprint string   `json:"fingerprint"`
}

// TrendPoint is one night of the trend.
type TrendPoint struct {
	Date  string `json:"date"`
	Open  int    `json:"open"`
	New   int    `json:"new"`
	Fixed int    `json:"fixed"`
}

// FindingKey identifies a finding across the reports of several accounts:
// the fingerprint alone repeats when two accounts hold a resource of the
// same name, so live findings are told apart by their account.
func FindingKey(f Finding) string { return f.Account + "/" + f.Fingerprint }
