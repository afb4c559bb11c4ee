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

// Excluded is an account of the organisation the selection leaves out —
// by aws.organization's exclude, ous or include, or because it is not
// active — with why. It is not checked, by choice: it does not make a run
// incomplete, but the report names it.
type Excluded struct {
	ID     string
	Name   string
	Reason string
}

// Listing is what List finds: the accounts to check, the included ones
// that cannot be, and the ones the selection leaves out.
type Listing struct {
	Accounts []Account
	Missing  []Missing
	Excluded []Excluded
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

// Reasons an account is excluded.
const (
	ReasonExclude  = "excluded by aws.organization.exclude"
	ReasonOUs      = "not under aws.organization.ous"
	ReasonInclude  = "not listed in aws.organization.include"
	reasonInactive = "its state in the organisation is %s, not ACTIVE: only active accounts are checked"
)

// List returns the active accounts sel selects, sorted by id, the
// included accounts it could not find active, and every other account of
// the organisation with why it is left out (the whole organisation is
// listed for that even when sel names units). err means the organisation
// could not be read (nothing is known then).
func List(ctx context.Context, api API, sel Selection) (Listing, error) {
	var l Listing
	// every account of the organisation; under: those of the chosen units.
	every := map[string]types.Account{}
	under := map[string]bool{}
	listAll := func() error {
		p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("organizations:ListAccounts: %w", err)
			}
			for _, a := range page.Accounts {
				every[aws.ToString(a.Id)] = a
			}
		}
		return nil
	}
	if len(sel.OUs) == 0 {
		if err := listAll(); err != nil {
			return Listing{}, err
		}
		for id := range every {
			under[id] = true
		}
	} else {
		err := walk(ctx, api, sel.OUs, func(as []types.Account) {
			for _, a := range as {
				under[aws.ToString(a.Id)] = true
				every[aws.ToString(a.Id)] = a
			}
		})
		if err != nil {
			return Listing{}, err
		}
		// The accounts outside the units, only to name them excluded.
		if err := listAll(); err != nil {
			return Listing{}, err
		}
	}

	excluded := func(id string) bool { return slices.Contains(sel.Exclude, id) }
	included := func(id string) bool { return len(sel.Include) == 0 || slices.Contains(sel.Include, id) }
	active := func(id string) bool {
		a, ok := every[id]
		return ok && under[id] && accountState(a) == string(types.AccountStateActive)
	}
	for _, id := range sel.Include {
		if active(id) || excluded(id) || slices.ContainsFunc(l.Missing, func(m Missing) bool { return m.ID == id }) {
			continue
		}
		reason := "not found in the organisation's selected roots and units"
		if a, ok := every[id]; ok && under[id] {
			reason = "its state in the organisation is " + accountState(a) + ", not ACTIVE"
		}
		l.Missing = append(l.Missing, Missing{ID: id, Reason: "listed in aws.organization.include but " + reason})
	}
	for id, a := range every {
		var why string
		switch {
		case excluded(id):
			why = ReasonExclude
		case !under[id]:
			why = ReasonOUs
		case !included(id):
			why = ReasonInclude
		case !active(id):
			why = fmt.Sprintf(reasonInactive, accountState(a))
		default:
			l.Accounts = append(l.Accounts, Account{ID: id, Name: aws.ToString(a.Name)})
			continue
		}
		if slices.Contains(sel.Include, id) && !excluded(id) {
			continue // asked for by name: missing, above
		}
		l.Excluded = append(l.Excluded, Excluded{ID: id, Name: aws.ToString(a.Name), Reason: why})
	}
	slices.SortFunc(l.Accounts, func(a, b Account) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(l.Excluded, func(a, b Excluded) int { return cmp.Compare(a.ID, b.ID) })
	return l, nil
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
