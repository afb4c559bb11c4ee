// Package org finds the AWS accounts an organisation's nightly run checks
// and opens a session in each. Accounts come from AWS Organizations, read
// with the hub credentials (the management or a delegated-administrator
// account): the whole organisation (ListAccounts) or the accounts under
// chosen roots and organizational units, nested units included
// (ListAccountsForParent, ListOrganizationalUnitsForParent); active ones
// only, then include and exclude lists. Each account is read through its
// spoke role, arn:aws:iam::<account>:role/<name>, assumed from the hub
// credentials (role chaining), with an external id and session tags where
// configured.
package org

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// Account is one account of the organisation.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Selection says which accounts to check: those under OUs (roots or
// organizational units; none means the whole organisation), only Include
// when given, never Exclude.
type Selection struct {
	OUs     []string
	Include []string
	Exclude []string
}

// Missing is an account the selection names (Include) that is not among
// the organisation's active accounts: it cannot be checked, and a run that
// was asked to check it is incomplete.
type Missing struct {
	ID     string
	Reason string
}

// API is the part of the Organizations client List uses.
type API interface {
	organizations.ListAccountsAPIClient
	organizations.ListAccountsForParentAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
}

// maxOUs bounds the organizational units walked: Organizations allows
// 1,000 per organisation (a quota that can be raised); a walk beyond ten
// times that is a loop in a broken endpoint, not an organisation.
const maxOUs = 10000

// List returns the active accounts sel selects, sorted by id, and the
// included accounts it could not find active. err means the organisation
// could not be read (nothing is known then).
func List(ctx context.Context, api API, sel Selection) (accounts []Account, missing []Missing, err error) {
	all := map[string]Account{}
	state := map[string]string{}
	add := func(as []types.Account) {
		for _, a := range as {
			id := aws.ToString(a.Id)
			s := accountState(a)
			state[id] = s
			if s == string(types.AccountStateActive) {
				all[id] = Account{ID: id, Name: aws.ToString(a.Name)}
			}
		}
	}
	if len(sel.OUs) == 0 {
		p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, nil, fmt.Errorf("organizations:ListAccounts: %w", err)
			}
			add(page.Accounts)
		}
	} else if err := walk(ctx, api, sel.OUs, add); err != nil {
		return nil, nil, err
	}

	keep := func(id string) bool { return !slices.Contains(sel.Exclude, id) }
	if len(sel.Include) > 0 {
		for _, id := range sel.Include {
			if _, ok := all[id]; ok || !keep(id) {
				continue
			}
			reason := "not found in the organisation's selected roots and units"
			if s, ok := state[id]; ok {
				reason = "its state in the organisation is " + s + ", not ACTIVE"
			}
			missing = append(missing, Missing{ID: id, Reason: "listed in aws.organization.include but " + reason})
		}
		keep = func(id string) bool { return slices.Contains(sel.Include, id) && !slices.Contains(sel.Exclude, id) }
	}
	for id, a := range all {
		if keep(id) {
			accounts = append(accounts, a)
		}
	}
	slices.SortFunc(accounts, func(a, b Account) int { return cmp.Compare(a.ID, b.ID) })
	return accounts, missing, nil
}

// accountState is the account's State, or its Status from endpoints that
// predate State (AWS retires Status on 9 September 2026).
func accountState(a types.Account) string {
	if a.State != "" {
		return string(a.State)
	}
	return string(a.Status)
}

// walk lists the accounts under each parent and, breadth first, under
// every organizational unit below it.
func walk(ctx context.Context, api API, parents []string, add func([]types.Account)) error {
	queue := slices.Clone(parents)
	seen := map[string]bool{}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		if seen[parent] {
			continue
		}
		seen[parent] = true
		if len(seen) > maxOUs {
			return fmt.Errorf("organizations: more than %d organizational units under %v", maxOUs, parents)
		}
		ap := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
		for ap.HasMorePages() {
			page, err := ap.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("organizations:ListAccountsForParent %s: %w", parent, err)
			}
			add(page.Accounts)
		}
		op := organizations.NewListOrganizationalUnitsForParentPaginator(api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
		for op.HasMorePages() {
			page, err := op.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("organizations:ListOrganizationalUnitsForParent %s: %w", parent, err)
			}
			for _, ou := range page.OrganizationalUnits {
				queue = append(queue, aws.ToString(ou.Id))
			}
		}
	}
	return nil
}
