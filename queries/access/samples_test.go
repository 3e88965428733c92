package access

import (
	"context"
	"testing"

	"github.com/d365audit/d365audit/internal/testenv"
	"github.com/d365audit/d365audit/store"
)

// contoso loads samples/contoso and builds the access model over it.
func contoso(t *testing.T) (context.Context, *store.DB) {
	ctx := context.Background()
	db := testenv.Load(t, "../../samples/contoso")
	if err := Build(ctx, db, Options{}); err != nil {
		t.Fatal(err)
	}
	return ctx, db
}

// The effective-access cases planted in samples/contoso, as its README
// works them out by hand.
func TestSampleEffectiveAccessCases(t *testing.T) {
	ctx, db := contoso(t)
	cell := func(user, table, privilege string) (depth, sources string, ok bool) {
		rows, err := scanAccess(ctx, db, "cell", `SELECT `+accessColumns+` FROM effective_access
			WHERE "user" = ? AND "table" = ? AND privilege = ?`, user, table, privilege)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			return "", "", false
		}
		return rows[0].Depth, rows[0].Sources, true
	}
	cases := []struct {
		user, table, privilege, depth, sources string
	}{
		{"lukas.weber@contosopharma.com", "opportunity", "read", "team", "Contoso Team Sales Access@DACH Sales team:DACH Key Accounts (team)"},
		{"lukas.weber@contosopharma.com", "account", "read", "basic", "Basic User@DACH Sales direct (basic)"},
		{"lea.dubois@contosopharma.com", "incident", "create", "basic", "Customer Service Representative@EMEA Service team:EMEA Service Agents (basic)"},
		{"lea.dubois@contosopharma.com", "incident", "read", "local", "Customer Service Representative@EMEA Service team:EMEA Service Agents (local)"},
		{"chiara.bianchi@contosopharma.com", "incident", "read", "local", "Customer Service Representative@EMEA Service direct (local)"},
		{"ewa.zielinska@contosopharma.com", "account", "read", "deep", "Salesperson@EMEA Sales direct (deep)"},
		{"adm-erik.johansson@contosopharma.com", "role", "write", "global", "System Administrator@contoso direct (global)"},
		{"clara.schneider@contosopharma.com", "account", "read", "deep", "Salesperson@DACH Sales direct (deep); Salesperson@EMEA Sales team:EMEA Sales Pipeline Review (deep)"},
		{"clara.schneider@contosopharma.com", "opportunity", "read", "basic", "Salesperson@DACH Sales direct (basic); Salesperson@EMEA Sales team:EMEA Sales Pipeline Review (basic); Contoso Team Sales Access@DACH Sales team:DACH Key Accounts (team)"},
		{"kwame.mensah_kpmg.com#EXT#@contosopharma.onmicrosoft.com", "account", "read", "global", "Contoso Auditor@Group Finance team:Internal Audit (global)"},
		{"fatima.alsayed@contosopharma.com", "contoso_payment", "create", "local", "Contoso Payment Creator@Group Finance direct (local)"},
		{"fatima.alsayed@contosopharma.com", "contoso_payment", "write", "global", "Contoso Finance Approver@Group Finance team:Finance Approvers (global); Contoso Payment Creator@Group Finance direct (basic)"},
		{"jan.novak@contosopharma.com", "contoso_payment", "write", "basic", "Contoso Payment Creator@Group Finance direct (basic)"},
		{"pieter.devries@contosopharma.com", "invoice", "delete", "local", "Salesperson@EMEA Sales direct (local)"},
	}
	for _, c := range cases {
		depth, sources, ok := cell(c.user, c.table, c.privilege)
		if !ok || depth != c.depth || sources != c.sources {
			t.Errorf("%s %s %s = %q %q (present %v); want %q %q", c.user, c.table, c.privilege, depth, sources, ok, c.depth, c.sources)
		}
	}
	absent := []struct{ user, table, privilege string }{
		{"ewa.zielinska@contosopharma.com", "account", "write"},         // Read access mode
		{"adm-erik.johansson@contosopharma.com", "account", "read"},     // Administrative mode, business table
		{"adm-erik.johansson@contosopharma.com", "opportunity", "read"}, // idem
	}
	for _, a := range absent {
		if depth, _, ok := cell(a.user, a.table, a.privilege); ok {
			t.Errorf("%s %s %s = %s; want no access", a.user, a.table, a.privilege, depth)
		}
	}
	for _, user := range []string{"thomas.becker@contosopharma.com", "noah.fischer@contosopharma.com"} {
		n, err := db.QueryInt(ctx, "count", `SELECT count(*) FROM effective_access WHERE "user" = ?`, user)
		if err != nil || n != 0 {
			t.Errorf("%s holds %d cells (%v); want none", user, n, err)
		}
	}
	rows, err := WhoCan(ctx, db, "opportunity", "read", "basic")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.User == "lukas.weber@contosopharma.com" {
			t.Errorf("who-can opportunity read --min-depth basic lists Lukas, whose grant is team-only")
		}
	}
}

// The streamed matrix lays out each user and table as the role editor does:
// one depth per privilege, miscellaneous privileges after the tables.
func TestAccessMatrixRows(t *testing.T) {
	ctx, db := contoso(t)
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
