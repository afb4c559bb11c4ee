// Package matrix shards AWS accounts into the jobs of a GitHub Actions
// matrix (secretgate matrix) and reads such a matrix back (secretgate merge
// --matrix). Sharding is greedy longest-processing-time over the previous
// night's per-account cost, so the slowest job — the night's wall time —
// stays close to the average; it is deterministic: the same accounts and
// costs always give the same matrix.
package matrix

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// MaxJobs is GitHub Actions' limit on the jobs of one matrix.
const MaxJobs = 256

// accountRE is an AWS account id.
var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// ValidAccount reports whether id is an AWS account id (12 digits).
func ValidAccount(id string) bool { return accountRE.MatchString(id) }

// Shard is one job of the matrix: its number (1-based), its accounts
// (comma-separated, as a workflow passes them on: --accounts
// "${{ matrix.accounts }}") and the cost the balancing assumed.
type Shard struct {
	Shard    int    `json:"shard"`
	Accounts string `json:"accounts"`
	CostMS   int64  `json:"cost_ms"`
}

// Matrix is the value of a workflow's strategy.matrix:
// fromJSON(needs.setup.outputs.matrix) — Include only. The file secretgate
// matrix --output writes for secretgate merge --matrix adds Excluded,
// which a strategy.matrix must not hold (every other key of it is a
// dimension of jobs).
type Matrix struct {
	Include []Shard `json:"include"`
	// Excluded are the organisation's accounts the configuration leaves
	// out, with why: the merge gives each a row.
	Excluded []Excluded `json:"excluded,omitempty"`
}

// Excluded is an account no shard checks, by the configuration's choice.
type Excluded struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Reason string `json:"reason"`
}

// Strategy is m as a workflow's strategy.matrix: its shards only.
func (m Matrix) Strategy() Matrix { return Matrix{Include: m.Include} }

// AccountList splits a shard's accounts.
func (s Shard) AccountList() []string {
	if s.Accounts == "" {
		return nil
	}
	return strings.Split(s.Accounts, ",")
}

// Build shards accounts into at most maxJobs jobs. cost maps an account to
// the milliseconds its check took last time; accounts without a cost are
// assumed to cost the median of the known ones (1 when none is known).
// Accounts are assigned most costly first, each to the job with the least
// cost so far (the lower number on a tie); every job gets at least one
// account.
func Build(accounts []string, maxJobs int, cost map[string]int64) (Matrix, error) {
	if maxJobs < 1 || maxJobs > MaxJobs {
		return Matrix{}, fmt.Errorf("max jobs %d: want 1 to %d (GitHub's limit per matrix)", maxJobs, MaxJobs)
	}
	ids := slices.Clone(accounts)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return Matrix{}, errors.New("no accounts to shard")
	}
	for _, id := range ids {
		if !ValidAccount(id) {
			return Matrix{}, fmt.Errorf("account %q is not a 12-digit AWS account id", id)
		}
	}
	def := defaultCost(cost)
	costOf := func(id string) int64 {
		if c, ok := cost[id]; ok && c > 0 {
			return c
		}
		return def
	}
	slices.SortStableFunc(ids, func(a, b string) int {
		return cmp.Or(cmp.Compare(costOf(b), costOf(a)), cmp.Compare(a, b))
	})
	jobs := min(maxJobs, len(ids))
	load := make([]int64, jobs)
	members := make([][]string, jobs)
	for _, id := range ids {
		j := 0
		for k := 1; k < jobs; k++ {
			if load[k] < load[j] {
				j = k
			}
		}
		load[j] += costOf(id)
		members[j] = append(members[j], id)
	}
	m := Matrix{Include: make([]Shard, jobs)}
	for j := range jobs {
		slices.Sort(members[j])
		m.Include[j] = Shard{Shard: j + 1, Accounts: strings.Join(members[j], ","), CostMS: load[j]}
	}
	return m, nil
}

// defaultCost is the median of the known costs, 1 when none is known.
func defaultCost(cost map[string]int64) int64 {
	var known []int64
	for _, c := range cost {
		if c > 0 {
			known = append(known, c)
		}
	}
	if len(known) == 0 {
		return 1
	}
	slices.Sort(known)
	return known[len(known)/2]
}

// Parse reads a matrix Build wrote. Shards must be numbered 1..n, each
// account must be a valid id and appear in one shard only.
func Parse(b []byte) (Matrix, error) {
	var m Matrix
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("not a secretgate matrix: %w", err)
	}
	if len(m.Include) == 0 || len(m.Include) > MaxJobs {
		return m, fmt.Errorf("%d shards: want 1 to %d", len(m.Include), MaxJobs)
	}
	seen := map[string]int{}
	for i, s := range m.Include {
		if s.Shard != i+1 {
			return m, fmt.Errorf("shard %d is listed as number %d: shards must be numbered 1 to %d in order", i+1, s.Shard, len(m.Include))
		}
		ids := s.AccountList()
		if len(ids) == 0 {
			return m, fmt.Errorf("shard %d has no accounts", s.Shard)
		}
		for _, id := range ids {
			if !ValidAccount(id) {
				return m, fmt.Errorf("shard %d: %q is not a 12-digit AWS account id", s.Shard, id)
			}
			if prev, dup := seen[id]; dup {
				return m, fmt.Errorf("account %s is in shard %d and shard %d", id, prev, s.Shard)
			}
			seen[id] = s.Shard
		}
	}
	for _, e := range m.Excluded {
		if !ValidAccount(e.ID) {
			return m, fmt.Errorf("excluded: %q is not a 12-digit AWS account id", e.ID)
		}
		if sh, dup := seen[e.ID]; dup && sh > 0 {
			return m, fmt.Errorf("account %s is in shard %d and excluded", e.ID, sh)
		} else if dup {
			return m, fmt.Errorf("account %s is excluded twice", e.ID)
		}
		seen[e.ID] = 0
	}
	return m, nil
}

// ShardOf maps every account of m to its shard.
func (m Matrix) ShardOf() map[string]int {
	out := map[string]int{}
	for _, s := range m.Include {
		for _, id := range s.AccountList() {
			out[id] = s.Shard
		}
	}
	return out
}
