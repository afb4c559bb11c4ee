package source

import (
	"fmt"
	"maps"
	"slices"

	"github.com/secretgate/secretgate/internal/inventory"
)

// parseInventory reads a secretgate inventory snapshot committed to the
// repository (or written by `secretgate inventory --out` into it).
func parseInventory(rel string, data []byte) fileResult {
	out := fileResult{kind: KindInventory}
	snap, err := inventory.Decode(rel, data)
	if err != nil {
		out.fail(rel, err)
		return out
	}
	if len(snap.Incomplete) > 0 {
		fams := slices.Sorted(maps.Keys(snap.Incomplete))
		out.fail(rel, fmt.Errorf("inventory snapshot is incomplete (%s: %s); take a complete inventory before judging it", fams[0], snap.Incomplete[fams[0]]))
	}
	f, errs := snap.Facts()
	for _, err := range errs {
		out.fail(rel, err)
	}
	out.roles, out.policies, out.secrets = f.Roles, f.Policies, f.Secrets
	return out
}
