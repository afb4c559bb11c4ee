package org

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/secretgate/secretgate/internal/awsauth"
	"github.com/secretgate/secretgate/internal/awstest"
)

func sdkConfig(t *testing.T, endpoint string) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), awstest.LoadOptions(endpoint)...)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func ids(as []Account) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// exampleOrg: the root holds A; unit 1 holds B and unit 2 (C, and D
// suspended); unit 3 holds E and F (closed).
func exampleOrg() *fakeOrganizations {
	f := newFakeOrganizations()
	f.ouParent["ou-ab12-11111111"] = "r-ab12"
	f.ouParent["ou-ab12-22222222"] = "ou-ab12-11111111"
	f.ouParent["ou-ab12-33333333"] = "r-ab12"
	f.account("100000000000", "r-ab12", "ACTIVE")
	f.account("200000000000", "ou-ab12-11111111", "ACTIVE")
	f.account("300000000000", "ou-ab12-22222222", "ACTIVE")
	f.account("400000000000", "ou-ab12-22222222", "SUSPENDED")
	f.account("500000000000", "ou-ab12-33333333", "ACTIVE")
	f.account("600000000000", "ou-ab12-33333333", "CLOSED")
	return f
}

func inactive(state string) string { return fmt.Sprintf(reasonInactive, state) }

func TestList(t *testing.T) {
	for _, tc := range []struct {
		name         string
		sel          Selection
		want         []string
		wantMissing  []string
		wantExcluded []string
	}{
		{"whole organisation, active only", Selection{}, []string{"100000000000", "200000000000", "300000000000", "500000000000"}, nil,
			[]string{"400000000000 " + inactive("SUSPENDED"), "600000000000 " + inactive("CLOSED")}},
		{"a unit and its nested units", Selection{OUs: []string{"ou-ab12-11111111"}}, []string{"200000000000", "300000000000"}, nil,
			[]string{"100000000000 " + ReasonOUs, "400000000000 " + inactive("SUSPENDED"), "500000000000 " + ReasonOUs, "600000000000 " + ReasonOUs}},
		{"the root", Selection{OUs: []string{"r-ab12"}}, []string{"100000000000", "200000000000", "300000000000", "500000000000"}, nil,
			[]string{"400000000000 " + inactive("SUSPENDED"), "600000000000 " + inactive("CLOSED")}},
		{"two units", Selection{OUs: []string{"ou-ab12-33333333", "ou-ab12-22222222"}}, []string{"300000000000", "500000000000"}, nil,
			[]string{"100000000000 " + ReasonOUs, "200000000000 " + ReasonOUs, "400000000000 " + inactive("SUSPENDED"), "600000000000 " + inactive("CLOSED")}},
		{"exclude", Selection{Exclude: []string{"100000000000", "500000000000"}}, []string{"200000000000", "300000000000"}, nil,
			[]string{"100000000000 " + ReasonExclude, "400000000000 " + inactive("SUSPENDED"), "500000000000 " + ReasonExclude, "600000000000 " + inactive("CLOSED")}},
		{"include, with a suspended and an unknown account", Selection{Include: []string{"200000000000", "400000000000", "999999999999"}},
			[]string{"200000000000"}, []string{"400000000000 SUSPENDED", "999999999999 not found"},
			[]string{"100000000000 " + ReasonInclude, "300000000000 " + ReasonInclude, "500000000000 " + ReasonInclude, "600000000000 " + ReasonInclude}},
		{"include outside the units", Selection{OUs: []string{"ou-ab12-33333333"}, Include: []string{"100000000000", "500000000000"}},
			[]string{"500000000000"}, []string{"100000000000 not found"},
			[]string{"200000000000 " + ReasonOUs, "300000000000 " + ReasonOUs, "400000000000 " + ReasonOUs, "600000000000 " + ReasonInclude}},
		{"excluded wins over included", Selection{Include: []string{"200000000000", "999999999999"}, Exclude: []string{"200000000000", "999999999999"}}, nil, nil,
			[]string{"100000000000 " + ReasonInclude, "200000000000 " + ReasonExclude, "300000000000 " + ReasonInclude, "400000000000 " + ReasonInclude, "500000000000 " + ReasonInclude, "600000000000 " + ReasonInclude}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := exampleOrg()
			api := organizations.NewFromConfig(sdkConfig(t, f.serve(t)))
			l, err := List(context.Background(), api, tc.sel)
			if err != nil {
				t.Fatal(err)
			}
			got, missing := l.Accounts, l.Missing
			var gotExcluded []string
			for _, e := range l.Excluded {
				gotExcluded = append(gotExcluded, e.ID+" "+e.Reason)
			}
			if !slices.Equal(gotExcluded, tc.wantExcluded) {
				t.Errorf("excluded = %q, want %q", gotExcluded, tc.wantExcluded)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("accounts = %v, want %v", ids(got), tc.want)
			}
			var gotMissing []string
			for _, m := range missing {
				word := "not found"
				if strings.Contains(m.Reason, "SUSPENDED") {
					word = "SUSPENDED"
				}
				gotMissing = append(gotMissing, m.ID+" "+word)
			}
			if !slices.Equal(gotMissing, tc.wantMissing) {
				t.Errorf("missing = %v (%+v), want %v", gotMissing, missing, tc.wantMissing)
			}
			if len(got) > 0 && got[0].Name != "account-"+got[0].ID {
				t.Errorf("name = %q", got[0].Name)
			}
		})
	}
}

func TestListPaginates(t *testing.T) {
	f := exampleOrg()
	api := organizations.NewFromConfig(sdkConfig(t, f.serve(t)))
	if _, err := List(context.Background(), api, Selection{}); err != nil {
		t.Fatal(err)
	}
	if f.calls["ListAccounts"] != 3 {
		t.Errorf("ListAccounts called %d times, want 3 pages of 2 for 6 accounts", f.calls["ListAccounts"])
	}
}

func TestListDenied(t *testing.T) {
	f := exampleOrg()
	f.deny = true
	api := organizations.NewFromConfig(sdkConfig(t, f.serve(t)))
	for _, sel := range []Selection{{}, {OUs: []string{"r-ab12"}}} {
		_, err := List(context.Background(), api, sel)
		if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") || !strings.Contains(err.Error(), "organizations:ListAccounts") {
			t.Errorf("err = %v, want the call and AccessDeniedException named", err)
		}
	}
}

// TestListAgainstKumo: the whole-organisation listing against the kumo
// emulator's own Organizations service (CreateOrganization, CreateAccount,
// ListAccounts), the part of the API kumo serves.
func TestListAgainstKumo(t *testing.T) {
	emu := awstest.Start(t)
	cfg := sdkConfig(t, emu.URL)
	api := organizations.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"payments", "data"} {
		if _, err := api.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")}); err != nil {
			t.Fatal(err)
		}
	}
	l, err := List(ctx, api, Selection{})
	if err != nil {
		t.Fatal(err)
	}
	got := l.Accounts
	var names []string
	for _, a := range got {
		names = append(names, a.Name)
	}
	if !slices.Contains(names, "payments") || !slices.Contains(names, "data") {
		t.Errorf("accounts = %+v, want the two created", got)
	}
	if emu.CountActions()["organizations:ListAccounts"] == 0 {
		t.Error("kumo was not asked")
	}
}

func TestAssume(t *testing.T) {
	emu := awstest.Start(t)
	hub := sdkConfig(t, emu.URL)
	refused := "444444444444"
	emu.SetFaults(func(c awstest.Call) awstest.Fault {
		if c.Action == "AssumeRole" && strings.Contains(c.Body, refused) {
			return awstest.Fault{Status: 403, Code: "AccessDenied"}
		}
		return awstest.Fault{}
	})
	spoke := Spoke{RoleName: "security/secretgate-read", ExternalID: "acme-secretgate", SessionName: "secretgate-nightly",
		SessionTags: map[string]string{"team": "security"}}
	ctx := context.Background()

	cfg, err := Assume(ctx, hub, "aws", "222222222222", spoke)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil || creds.AccessKeyID == "" || creds.AccessKeyID == awstest.AccessKeyID {
		t.Errorf("credentials %q (%v), want the assumed role's, not the hub's", creds.AccessKeyID, err)
	}
	var assume string
	for _, c := range emu.Calls() {
		if c.Action == "AssumeRole" {
			assume = c.Body
		}
	}
	q, _ := url.ParseQuery(assume)
	if q.Get("RoleArn") != "arn:aws:iam::222222222222:role/security/secretgate-read" || q.Get("ExternalId") != "acme-secretgate" ||
		q.Get("RoleSessionName") != "secretgate-nightly" || q.Get("Tags.member.1.Key") != "team" || q.Get("Tags.member.1.Value") != "security" {
		t.Errorf("AssumeRole asked %v", q)
	}

	_, err = Assume(ctx, hub, "aws", refused, spoke)
	var are *awsauth.AssumeRoleError
	if !errors.As(err, &are) || are.RoleARN != "arn:aws:iam::444444444444:role/security/secretgate-read" || awsauth.ErrorCode(err) != "AccessDenied" {
		t.Errorf("err = %v, want an AssumeRoleError naming the role", err)
	}
}

func TestEnabledRegions(t *testing.T) {
	endpoint := fakeAccountRegions(t, map[string]string{
		"us-east-1": "ENABLED_BY_DEFAULT", "eu-west-1": "ENABLED_BY_DEFAULT", "af-south-1": "ENABLED",
		"ap-east-1": "DISABLED", "me-south-1": "ENABLING", "eu-south-1": "ENABLED",
	})
	got, err := EnabledRegions(context.Background(), sdkConfig(t, endpoint))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"af-south-1", "eu-south-1", "eu-west-1", "us-east-1"}; !slices.Equal(got, want) {
		t.Errorf("regions = %v, want %v", got, want)
	}
	if _, err := EnabledRegions(context.Background(), sdkConfig(t, fakeAccountRegions(t, map[string]string{"ap-east-1": "DISABLED"}))); err == nil {
		t.Error("no enabled region must be an error, not an account with nothing to read")
	}
}

func TestRoleARNAndPartition(t *testing.T) {
	s := Spoke{RoleName: "secretgate-read"}
	if got := s.RoleARN(Partition("arn:aws-us-gov:sts::111111111111:assumed-role/hub/x"), "222222222222"); got != "arn:aws-us-gov:iam::222222222222:role/secretgate-read" {
		t.Errorf("RoleARN = %s", got)
	}
	if Partition("nonsense") != "aws" {
		t.Error("a non-ARN must fall back to aws")
	}
}
