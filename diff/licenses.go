package diff

import (
	_ "embed"

	"context"
	"database/sql"
	"math"

	"github.com/d365audit/d365audit/store"
)

// Assigned is a license assignment new in the new run; one gone is Removed.
const Assigned = "assigned"

// Kinds of change of a SKU or a waste line.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// LicenseChanges are the license changes and what they did to the cost.
type LicenseChanges struct {
	// Reviewed: both runs had the Graph license data (graph/subscribedSkus.json;
	// without graph/users.json in both, Assignments stay empty and Note says
	// why); without it nothing below is filled in.
	Reviewed bool   `json:"reviewed"`
	Note     string `json:"note,omitempty"`
	// Priced: both runs had a price list; without it the costs are 0.
	Priced   bool   `json:"priced"`
	Currency string `json:"currency"`

	Assignments []AssignmentChange `json:"assignments"`
	SKUs        []SKUChange        `json:"skus"`
	// Waste is the license_waste total: wasted paid seats and their cost.
	Waste           Cost             `json:"waste"`
	WasteByCategory []CategoryChange `json:"waste_by_category"`
	WasteLines      []WasteChange    `json:"waste_lines"`
	// Spend is what the paid subscriptions cost: enabled seats x price.
	Spend Cost `json:"spend"`
}

// Cost is a number of seats and their cost, before and after.
type Cost struct {
	OldSeats     int64   `json:"old_seats"`
	NewSeats     int64   `json:"new_seats"`
	OldMonthly   float64 `json:"old_monthly"`
	NewMonthly   float64 `json:"new_monthly"`
	DeltaMonthly float64 `json:"delta_monthly"`
	OldAnnual    float64 `json:"old_annual"`
	NewAnnual    float64 `json:"new_annual"`
	DeltaAnnual  float64 `json:"delta_annual"`
}

// AssignmentChange is a license assigned to or removed from a user.
type AssignmentChange struct {
	Change       string  `json:"change"` // assigned, removed
	UserID       string  `json:"userid"` // Entra object id
	SystemUserID string  `json:"systemuserid"`
	User         string  `json:"user"` // userPrincipalName
	UserName     string  `json:"user_name"`
	SKUID        string  `json:"skuid"`
	SKU          string  `json:"sku"`
	Product      string  `json:"product"`
	Paid         bool    `json:"paid"`
	MonthlyPrice float64 `json:"monthly_price"`
}

// SKUChange is a subscribed SKU whose seats, status or price changed.
type SKUChange struct {
	Change          string  `json:"change"` // added, removed, changed
	SKUID           string  `json:"skuid"`
	SKU             string  `json:"sku"`
	Product         string  `json:"product"`
	OldStatus       string  `json:"old_status"`
	NewStatus       string  `json:"new_status"`
	OldEnabled      int64   `json:"old_enabled"`
	NewEnabled      int64   `json:"new_enabled"`
	OldConsumed     int64   `json:"old_consumed"`
	NewConsumed     int64   `json:"new_consumed"`
	OldIdle         int64   `json:"old_idle"`
	NewIdle         int64   `json:"new_idle"`
	OldMonthlyPrice float64 `json:"old_monthly_price"`
	NewMonthlyPrice float64 `json:"new_monthly_price"`
	// SpendDeltaMonthly: enabled seats x price, new minus old (paid SKUs).
	SpendDeltaMonthly float64 `json:"spend_delta_monthly"`
}

// CategoryChange is the waste of one category before and after.
type CategoryChange struct {
	Category string `json:"category"`
	Cost
}

// WasteChange is one line of license_waste that appeared, went or changed.
type WasteChange struct {
	Change     string  `json:"change"` // added, removed, changed
	Category   string  `json:"category"`
	UserID     string  `json:"user_id"` // systemuserid, else Entra id; "" for idle seats
	UserName   string  `json:"user_name"`
	SKUID      string  `json:"skuid"`
	SKU        string  `json:"sku"`
	OldSeats   int64   `json:"old_seats"`
	NewSeats   int64   `json:"new_seats"`
	OldMonthly float64 `json:"old_monthly"`
	NewMonthly float64 `json:"new_monthly"`
	Reason     string  `json:"reason"` // the new line's reason, else the old one's
}

func cents(f float64) float64 { return math.Round(f*100) / 100 }

func (c *Cost) finish() {
	c.OldMonthly, c.NewMonthly = cents(c.OldMonthly), cents(c.NewMonthly)
	c.OldAnnual, c.NewAnnual = cents(c.OldAnnual), cents(c.NewAnnual)
	c.DeltaMonthly = cents(c.NewMonthly - c.OldMonthly)
	c.DeltaAnnual = cents(c.NewAnnual - c.OldAnnual)
}

func present(ctx context.Context, db *store.DB, run, table string) (bool, error) {
	n, err := db.QueryInt(ctx, "input presence", `SELECT count(*) FROM `+run+`.ingest_tables WHERE table_name = ? AND present`, table)
	return n > 0, err
}

func compareLicenses(ctx context.Context, db *store.DB) (LicenseChanges, error) {
	l := LicenseChanges{Assignments: []AssignmentChange{}, SKUs: []SKUChange{}, WasteByCategory: []CategoryChange{}, WasteLines: []WasteChange{}}
	has := map[string]bool{}
	for _, run := range []string{"old", "new"} {
		for _, t := range []string{"graph_subscribedskus", "graph_users", "prices"} {
			ok, err := present(ctx, db, run, t)
			if err != nil {
				return l, err
			}
			has[run+"."+t] = ok
		}
	}
	// subscribedSkus alone (users.json needs User.Read.All, which a tenant
	// may not grant) still gives the seats of every SKU: it is Graph data.
	graph := func(run string) bool { return has[run+".graph_subscribedskus"] }
	switch {
	case !graph("old") && !graph("new"):
		l.Note = "neither run had the Graph license data (graph/subscribedSkus.json)"
		return l, nil
	case !graph("old"):
		l.Note = "the old run had no Graph license data: licenses are not compared"
		return l, nil
	case !graph("new"):
		l.Note = "the new run had no Graph license data: licenses are not compared"
		return l, nil
	}
	l.Reviewed = true
	l.Priced = has["old.prices"] && has["new.prices"]
	users := has["old.graph_users"] && has["new.graph_users"]
	if !users {
		l.Note = "a run had no graph/users.json: license assignments are not compared, seats per SKU are"
	}
	if !l.Priced {
		if l.Note != "" {
			l.Note += "; "
		}
		l.Note += "a run had no price list: the costs are not compared"
	}
	err := db.Query(ctx, "price list currency",
		`SELECT coalesce(string_agg(DISTINCT currency, ', ' ORDER BY currency), '') FROM new.prices`,
		func(rows *sql.Rows) error { return rows.Scan(&l.Currency) })
	if err != nil {
		return l, err
	}

	// without graph/users.json in both runs the assignments are not compared
	if users {
		if l.Assignments, err = changes(ctx, db, "compare license assignments", assignmentChangesQuery, (*AssignmentChange).scan); err != nil {
			return l, err
		}
	}
	if l.SKUs, err = changes(ctx, db, "compare SKUs", skuChangesQuery, (*SKUChange).scan); err != nil {
		return l, err
	}

	totals := func(what, query string, c *Cost) error {
		return db.Query(ctx, what, query, func(rows *sql.Rows) error {
			return rows.Scan(&c.OldSeats, &c.NewSeats, &c.OldMonthly, &c.NewMonthly, &c.OldAnnual, &c.NewAnnual)
		})
	}
	if err := totals("waste totals", wasteTotalsQuery, &l.Waste); err != nil {
		return l, err
	}
	l.Waste.finish()
	if err := totals("spend totals", spendTotalsQuery, &l.Spend); err != nil {
		return l, err
	}
	l.Spend.finish()

	if l.WasteByCategory, err = changes(ctx, db, "compare waste by category", wasteCategoryChangesQuery, (*CategoryChange).scan); err != nil {
		return l, err
	}
	l.WasteLines, err = changes(ctx, db, "compare waste lines", wasteLineChangesQuery, (*WasteChange).scan)
	return l, err
}

// changes runs query and reads each row with scan; none is an empty list,
// not nil, so that diff.json says [].
func changes[T any](ctx context.Context, db *store.DB, what, query string, scan func(*T, *sql.Rows) error) ([]T, error) {
	out, err := store.Collect(ctx, db, what, query, func(rows *sql.Rows, v *T) error { return scan(v, rows) })
	if out == nil {
		out = []T{}
	}
	return out, err
}

func (a *AssignmentChange) scan(rows *sql.Rows) error {
	err := rows.Scan(&a.Change, &a.UserID, &a.SystemUserID, &a.User, &a.UserName, &a.SKUID, &a.SKU, &a.Product,
		&a.Paid, &a.MonthlyPrice)
	a.MonthlyPrice = cents(a.MonthlyPrice)
	return err
}

func (s *SKUChange) scan(rows *sql.Rows) error {
	err := rows.Scan(&s.Change, &s.SKUID, &s.SKU, &s.Product, &s.OldStatus, &s.NewStatus, &s.OldEnabled, &s.NewEnabled,
		&s.OldConsumed, &s.NewConsumed, &s.OldIdle, &s.NewIdle, &s.OldMonthlyPrice, &s.NewMonthlyPrice, &s.SpendDeltaMonthly)
	s.OldMonthlyPrice, s.NewMonthlyPrice, s.SpendDeltaMonthly = cents(s.OldMonthlyPrice), cents(s.NewMonthlyPrice), cents(s.SpendDeltaMonthly)
	return err
}

func (c *CategoryChange) scan(rows *sql.Rows) error {
	err := rows.Scan(&c.Category, &c.OldSeats, &c.NewSeats, &c.OldMonthly, &c.NewMonthly, &c.OldAnnual, &c.NewAnnual)
	c.finish()
	return err
}

func (w *WasteChange) scan(rows *sql.Rows) error {
	err := rows.Scan(&w.Change, &w.Category, &w.UserID, &w.UserName, &w.SKUID, &w.SKU, &w.OldSeats, &w.NewSeats,
		&w.OldMonthly, &w.NewMonthly, &w.Reason)
	w.OldMonthly, w.NewMonthly = cents(w.OldMonthly), cents(w.NewMonthly)
	return err
}

// The queries that read the comparison, one file each in sql/.
var (
	//go:embed sql/assignment_changes.sql
	assignmentChangesQuery string
	//go:embed sql/waste_totals.sql
	wasteTotalsQuery string
	//go:embed sql/spend_totals.sql
	spendTotalsQuery string
	//go:embed sql/sku_changes.sql
	skuChangesQuery string
	//go:embed sql/waste_category_changes.sql
	wasteCategoryChangesQuery string
	//go:embed sql/waste_line_changes.sql
	wasteLineChangesQuery string
)
