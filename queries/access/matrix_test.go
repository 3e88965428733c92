package access

import (
	"context"
	"testing"

	"github.com/d365audit/d365audit/internal/testenv"
)

// The streamed matrix lays out each user and table as the role editor does:
// one depth per privilege, miscellaneous privileges after the tables.
func TestAccessMatrixRows(t *testing.T) {
	ctx := context.Background()
	db := testenv.Load(t, "../../samples/contoso")
	if err := Build(ctx, db, Options{}); err != nil {
		t.Fatal(err)
	}
	mx, err := LoadMatrix(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	m := NewAccessMatrix(mx)
	want, err := m.UserRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	var fatima []MatrixRow
	sawMisc := map[string]bool{}
	err = m.EachUserRow(ctx, func(r MatrixRow) error {
		n++
		if r.User == "fatima.alsayed@contosopharma.com" {
			fatima = append(fatima, r)
		}
		if r.Table == "" {
			sawMisc[r.User] = true
		} else if sawMisc[r.User] {
			t.Errorf("%s: table %s after a miscellaneous privilege", r.User, r.Table)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != want || n == 0 {
		t.Errorf("EachUserRow gave %d rows, UserRows says %d", n, want)
	}
	for _, r := range fatima {
		if r.Table != "contoso_payment" {
			continue
		}
		// create, read, write, delete, append, appendto, assign, share
		if r.Depths[0] != "local" || r.Depths[1] != "global" || r.Depths[2] != "global" {
			t.Errorf("contoso_payment depths %v", r.Depths)
		}
		return
	}
	t.Errorf("no contoso_payment row for Fatima: %v", fatima)
}
