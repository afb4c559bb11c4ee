package source

import (
	"fmt"
	"maps"
	"slices"

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/inventory"
)

// parseInventory reads a secretgate inventory snapshot committed to the
// repository (or written by `secretgate inventory --out` into it). root is
// data already parsed: the snapshot is not parsed a second time.
func parseInventory(rel string, data []byte, root *doctree.Node) fileResult {
	out := fileResult{kind: KindInventory}
	snap, problems, err := inventory.DecodeTreeLenient(rel, data, root)
	if err != nil {
		out.fail(rel, err)
		return out
	}
	if len(snap.Incomplete) > 0 {
		fams := slices.Sorted(maps.Keys(snap.Incomplete))
		out.fail(rel, fmt.Errorf("inventory snapshot is incomplete (%s: %s); take a complete inventory before judging it", fams[0], snap.Incomplete[fams[0]]))
	}
	// A bad date is reported with its line; the snapshot is still checked
	// (the date read as unknown).
	for _, p := range problems {
		out.fail(rel, p)
	}
	f, errs := snap.Facts()
	for _, err := range errs {
		out.fail(rel, err)
	}
	out.roles, out.policies, out.secrets = f.Roles, f.Policies, f.Secrets
	return out
}
