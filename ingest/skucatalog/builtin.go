package skucatalog

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"
)

// builtinSKUs is the SKU id, part number and product name of every SKU in
// Microsoft's "Product names and service plan identifiers for licensing"
// table of 2025-12-30 (569 SKUs), one row per SKU, part numbers without
// whitespace. It is regenerated from a newer table with
// `go test ./ingest/skucatalog -run TestBuiltinMatchesMicrosoftTable -update-builtin`.
//
//go:embed builtin_skus.csv
var builtinSKUs string

// BuiltinSource names the table the built-in catalogue was made from.
const BuiltinSource = "built-in: Microsoft product names and service plan identifiers, 2025-12-30"

// Builtin returns the catalogue built into the binary (without service
// plans), sorted by part number.
func Builtin() ([]SKU, error) {
	r := csv.NewReader(strings.NewReader(builtinSKUs))
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("built-in SKU catalogue: %w", err)
	}
	out := make([]SKU, 0, len(recs))
	for i, rec := range recs {
		if i == 0 {
			continue
		}
		out = append(out, SKU{ID: rec[0], PartNumber: rec[1], RawPartNumber: rec[1], ProductName: rec[2]})
	}
	return out, nil
}
