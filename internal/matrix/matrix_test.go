package matrix

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func accounts(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%012d", 100000000000+i)
	}
	return ids
}

func TestBuildShardsEveryAccountOnce(t *testing.T) {
	for _, tc := range []struct {
		accounts, maxJobs, wantJobs int
	}{
		{1, 256, 1},
		{3, 256, 3},
		{256, 256, 256},
		{1000, 256, 256},
		{1000, 10, 10},
	} {
		t.Run(fmt.Sprintf("%d/%d", tc.accounts, tc.maxJobs), func(t *testing.T) {
			ids := accounts(tc.accounts)
			m, err := Build(ids, tc.maxJobs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Include) != tc.wantJobs {
				t.Fatalf("%d jobs, want %d", len(m.Include), tc.wantJobs)
			}
			var got []string
			for i, s := range m.Include {
				if s.Shard != i+1 {
					t.Errorf("job %d numbered %d", i, s.Shard)
				}
				got = append(got, s.AccountList()...)
			}
			slices.Sort(got)
			if !slices.Equal(got, ids) {
				t.Errorf("accounts sharded: %d, want each of %d once", len(got), len(ids))
			}
			// Without costs every account counts the same: sizes differ by
			// at most one.
			lo, hi := len(ids), 0
			for _, s := range m.Include {
				n := len(s.AccountList())
				lo, hi = min(lo, n), max(hi, n)
			}
			if hi-lo > 1 {
				t.Errorf("shard sizes %d..%d, want balanced", lo, hi)
			}
		})
	}
}

func TestBuildBalancesByCost(t *testing.T) {
	ids := accounts(6)
	// One account costs as much as the other five together: LPT gives it
	// a job of its own.
	cost := map[string]int64{ids[0]: 1000, ids[1]: 200, ids[2]: 200, ids[3]: 200, ids[4]: 200, ids[5]: 200}
	m, err := Build(ids, 2, cost)
	if err != nil {
		t.Fatal(err)
	}
	if m.Include[0].Accounts != ids[0] || m.Include[0].CostMS != 1000 {
		t.Errorf("shard 1 = %+v, want the costly account alone", m.Include[0])
	}
	if got := len(m.Include[1].AccountList()); got != 5 || m.Include[1].CostMS != 1000 {
		t.Errorf("shard 2 = %+v, want the five others (cost 1000)", m.Include[1])
	}
}

func TestBuildUnknownCostIsMedian(t *testing.T) {
	ids := accounts(3)
	cost := map[string]int64{ids[0]: 10, ids[1]: 30} // median of {10,30} is 30
	m, err := Build(ids, 3, cost)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, s := range m.Include {
		total += s.CostMS
	}
	if total != 70 {
		t.Errorf("total cost %d, want 10+30+30 (the new account at the median)", total)
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	ids := accounts(500)
	cost := map[string]int64{}
	for i, id := range ids {
		cost[id] = int64((i * 7919) % 1000)
	}
	rev := slices.Clone(ids)
	slices.Reverse(rev)
	a, err := Build(ids, 37, cost)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(rev, 37, cost)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("the same accounts in another order gave another matrix")
	}
}

func TestBuildRejects(t *testing.T) {
	for name, tc := range map[string]struct {
		ids  []string
		jobs int
		want string
	}{
		"no accounts": {nil, 4, "no accounts"},
		"bad id":      {[]string{"12345"}, 4, "12-digit"},
		"zero jobs":   {accounts(2), 0, "want 1 to 256"},
		"257 jobs":    {accounts(2), 257, "want 1 to 256"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Build(tc.ids, tc.jobs, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseRoundTripAndRejects(t *testing.T) {
	m, err := Build(accounts(10), 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m)
	back, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.ShardOf()) != 10 {
		t.Errorf("ShardOf = %d accounts, want 10", len(back.ShardOf()))
	}
	m.Excluded = []Excluded{{ID: "999999999999", Name: "sandbox", Reason: "excluded by aws.organization.exclude"}}
	b, _ = json.Marshal(m)
	if back, err = Parse(b); err != nil || len(back.Excluded) != 1 || back.Excluded[0] != m.Excluded[0] {
		t.Errorf("excluded accounts round trip: %+v, %v", back.Excluded, err)
	}
	if sb, _ := json.Marshal(m.Strategy()); strings.Contains(string(sb), "excluded") {
		t.Errorf("the strategy.matrix %s holds more than include: every other key is a dimension of jobs", sb)
	}
	for name, tc := range map[string]struct{ doc, want string }{
		"not json":             {`{`, "not a secretgate matrix"},
		"unknown field":        {`{"include":[{"shard":1,"accounts":"111111111111","x":1}]}`, "unknown field"},
		"empty":                {`{"include":[]}`, "0 shards"},
		"numbering":            {`{"include":[{"shard":2,"accounts":"111111111111"}]}`, "numbered"},
		"no accounts":          {`{"include":[{"shard":1,"accounts":""}]}`, "no accounts"},
		"bad account":          {`{"include":[{"shard":1,"accounts":"1"}]}`, "12-digit"},
		"twice":                {`{"include":[{"shard":1,"accounts":"111111111111"},{"shard":2,"accounts":"111111111111"}]}`, "shard 1 and shard 2"},
		"excluded and sharded": {`{"include":[{"shard":1,"accounts":"111111111111"}],"excluded":[{"id":"111111111111","reason":"x"}]}`, "in shard 1 and excluded"},
		"excluded twice":       {`{"include":[{"shard":1,"accounts":"111111111111"}],"excluded":[{"id":"222222222222","reason":"x"},{"id":"222222222222","reason":"y"}]}`, "excluded twice"},
		"excluded bad id":      {`{"include":[{"shard":1,"accounts":"111111111111"}],"excluded":[{"id":"2","reason":"x"}]}`, "12-digit"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
