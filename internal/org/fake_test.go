package org

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeOrganizations is an AWS Organizations endpoint speaking the service's
// real protocol (AWS JSON 1.1: POST /, X-Amz-Target
// AWSOrganizationsV20161128.<Action>, application/x-amz-json-1.1), shaped
// after the documented responses of ListAccounts, ListAccountsForParent and
// ListOrganizationalUnitsForParent. It exists because the kumo emulator
// serves ListAccounts and ListOrganizationalUnitsForParent without
// pagination and does not serve ListAccountsForParent (accounts cannot be
// placed in units there): see docs/organizations.md ("How it is tested").
// Pages hold two items, so every listing is paginated.
type fakeOrganizations struct {
	mu sync.Mutex
	// parent of each account and unit ("r-ab12" is the root).
	accountParent map[string]string
	accountState  map[string]string
	ouParent      map[string]string
	// deny answers AccessDeniedException to every call.
	deny  bool
	calls map[string]int
}

const pageSize = 2

func newFakeOrganizations() *fakeOrganizations {
	return &fakeOrganizations{
		accountParent: map[string]string{}, accountState: map[string]string{},
		ouParent: map[string]string{}, calls: map[string]int{},
	}
}

func (f *fakeOrganizations) account(id, parent, state string) {
	f.accountParent[id], f.accountState[id] = parent, state
}

func (f *fakeOrganizations) serve(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		action, ok := strings.CutPrefix(target, "AWSOrganizationsV20161128.")
		if r.Method != http.MethodPost || !ok || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" ||
			!strings.Contains(r.Header.Get("Authorization"), "/organizations/aws4_request") {
			t.Errorf("not an AWS JSON 1.1 Organizations request: %s %s target %q type %q", r.Method, r.URL, target, r.Header.Get("Content-Type"))
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var in struct {
			ParentID  string `json:"ParentId"`
			NextToken string `json:"NextToken"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &in); err != nil {
			t.Errorf("%s: body %q: %v", action, body, err)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls[action]++
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if f.deny {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"AccessDeniedException","Message":"You don't have permissions to access this resource."}`)
			return
		}
		var items []map[string]any
		switch action {
		case "ListAccounts", "ListAccountsForParent":
			for _, id := range sortedKeys(f.accountParent) {
				if action == "ListAccountsForParent" && f.accountParent[id] != in.ParentID {
					continue
				}
				st := f.accountState[id]
				items = append(items, map[string]any{
					"Id": id, "Arn": "arn:aws:organizations::111111111111:account/o-exampleorgid/" + id,
					"Name": "account-" + id, "Email": id + "@example.com", "State": st,
					"JoinedMethod": "CREATED", "JoinedTimestamp": 1.7e9,
				})
			}
		case "ListOrganizationalUnitsForParent":
			for _, id := range sortedKeys(f.ouParent) {
				if f.ouParent[id] == in.ParentID {
					items = append(items, map[string]any{"Id": id, "Arn": "arn:aws:organizations::111111111111:ou/o-exampleorgid/" + id, "Name": id})
				}
			}
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"__type":"InvalidInputException","Message":"unknown action %s"}`, action)
			return
		}
		start, _ := strconv.Atoi(in.NextToken)
		end := min(start+pageSize, len(items))
		out := map[string]any{}
		key := "Accounts"
		if action == "ListOrganizationalUnitsForParent" {
			key = "OrganizationalUnits"
		}
		out[key] = items[min(start, len(items)):end]
		if end < len(items) {
			out["NextToken"] = strconv.Itoa(end)
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// fakeAccountRegions is the Account Management API's ListRegions (REST
// JSON: POST /listRegions), which kumo does not serve.
func fakeAccountRegions(t *testing.T, regions map[string]string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/listRegions" {
			t.Errorf("not account:ListRegions: %s %s", r.Method, r.URL.Path)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var in struct {
			NextToken string   `json:"NextToken"`
			Statuses  []string `json:"RegionOptStatusContains"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &in)
		var items []map[string]string
		for _, name := range sortedKeys(regions) {
			st := regions[name]
			want := len(in.Statuses) == 0
			for _, s := range in.Statuses {
				want = want || s == st
			}
			if want {
				items = append(items, map[string]string{"RegionName": name, "RegionOptStatus": st})
			}
		}
		start, _ := strconv.Atoi(in.NextToken)
		end := min(start+pageSize, len(items))
		out := map[string]any{"Regions": items[min(start, len(items)):end]}
		if end < len(items) {
			out["NextToken"] = strconv.Itoa(end)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
