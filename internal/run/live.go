package run

import (
	"context"
	"fmt"
	"sort"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/inventory"
	"github.com/secretgate/secretgate/internal/result"
)

// InventoryReader reads the live inventory of an AWS account. Incomplete
// maps a check family to why its part could not be read; err means nothing
// could be read at all (no credentials, a refused role).
type InventoryReader interface {
	ReadInventory(ctx context.Context) (snap *inventory.Snapshot, incomplete map[string]string, err error)
}

// LiveInventory gathers naming, rotation, IAM and trust facts from the live
// AWS account, through the same snapshot-to-facts conversion that reads a
// committed snapshot, so that a live check and an offline check of the
// snapshot `secretgate inventory` wrote judge the same facts.
type LiveInventory struct {
	Reader InventoryReader
}

var _ Gatherer = (*LiveInventory)(nil)

// Name implements Gatherer.
func (g *LiveInventory) Name() string { return "live AWS inventory" }

// Families implements Gatherer.
func (g *LiveInventory) Families() []string { return awsFamilies() }

// Gather implements Gatherer.
func (g *LiveInventory) Gather(ctx context.Context, in *facts.Input) Outcome {
	out := Outcome{Resources: map[string]int{}, Errors: map[string]string{}}
	snap, incomplete, err := g.Reader.ReadInventory(ctx)
	if err != nil {
		for _, f := range g.Families() {
			out.Errors[f] = err.Error()
		}
		return out
	}
	for f, msg := range incomplete {
		out.Errors[f] = msg
	}
	fs, errs := snap.Facts()
	if len(errs) > 0 {
		// Documents that do not normalise leave their facts out; the
		// families that judge them cannot be complete.
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		sort.Strings(msgs)
		msg := fmt.Sprintf("%d policy document(s) could not be read, first: %s", len(msgs), msgs[0])
		for _, f := range []string{result.CheckIAM, result.CheckTrust} {
			if _, ok := out.Errors[f]; !ok {
				out.Errors[f] = msg
			}
		}
	}
	addAWSFacts(in, out.Resources, fs.Roles, fs.Policies, fs.Secrets)
	return out
}
