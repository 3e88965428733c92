package xlsx_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/diff"
	"github.com/d365audit/d365audit/reports/xlsx"
)

const changesSheet = "Changes since last run"

// changesDiff compares two real runs, samples/contoso (November) and
// samples/contoso-2026-12 (December).
func changesDiff(t *testing.T) *diff.Diff {
	t.Helper()
	ctx := context.Background()
	dirA, dirB := t.TempDir(), t.TempDir()
	for _, r := range []struct {
		input, out string
		now        time.Time
	}{
		{"../../samples/contoso", dirA, time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)},
		{"../../samples/contoso-2026-12", dirB, time.Date(2026, 12, 20, 8, 0, 0, 0, time.UTC)},
	} {
		if _, err := audit.Run(ctx, audit.Options{Input: r.input, Out: r.out, Now: r.now}); err != nil {
			t.Fatalf("run %s: %v", r.input, err)
		}
	}
	d, err := diff.Compare(ctx, dirA, dirB)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// findRow returns the first row whose cells at the given columns equal
// the given values (a value ending in "*" is a prefix).
func findRow(rows [][]string, want map[int]string) []string {
	for _, r := range rows {
		ok := true
		for i, v := range want {
			switch {
			case i >= len(r):
				ok = false
			case strings.HasSuffix(v, "*"):
				ok = ok && strings.HasPrefix(r[i], strings.TrimSuffix(v, "*"))
			default:
				ok = ok && r[i] == v
			}
		}
		if ok {
			return r
		}
	}
	return nil
}

func TestWorkbookChangesSheet(t *testing.T) {
	changes := changesDiff(t)
	rep := loadReport(t, "../../samples/contoso-2026-12", time.Date(2026, 12, 20, 8, 0, 0, 0, time.UTC))

	// Without Changes: no such sheet, no mention on the Summary.
	_, plain := writeWorkbook(t, rep, xlsx.Options{TmpDir: t.TempDir()})
	if slices.Contains(plain.GetSheetList(), changesSheet) {
		t.Errorf("a report without Changes has the sheet %s", changesSheet)
	}
	if s := summaryText(t, plain); strings.Contains(s, "Changes since") {
		t.Errorf("the Summary of a report without Changes mentions them:\n%s", s)
	}

	rep.Changes = changes
	rep.Changes.Warnings = append(rep.Changes.Warnings, "=HYPERLINK(\"http://x\",\"y\")")
	data, f := writeWorkbook(t, rep, xlsx.Options{TmpDir: t.TempDir()})
	noFormulas(t, data)
	sheets := f.GetSheetList()
	if len(sheets) < 3 || sheets[0] != "Summary" || sheets[1] != changesSheet || sheets[2] != "Findings" {
		t.Fatalf("sheets = %q, want Summary, %s, Findings, ...", sheets, changesSheet)
	}
	rows, err := f.GetRows(changesSheet)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what string
		want map[int]string
	}{
		{"the previous run", map[int]string{0: "Previous run", 3: "2026-11-20"}},
		{"this run", map[int]string{0: "This run", 3: "2026-12-20"}},
		{"the warning, as text", map[int]string{0: "Warning: =HYPERLINK(\"http://x\",\"y\")"}},
		{"the count of new findings", map[int]string{0: "New findings", 1: "4"}},
		{"the access changes", map[int]string{0: "Access changes", 1: "118"}},
		{"new SOD_CONFLICT for Jan Novák", map[int]string{0: "SOD_CONFLICT", 1: "high", 2: "Jan Novák", 3: "Jan Novák can both create payments*"}},
		{"resolved USER_NO_ROLE for Noah Fischer", map[int]string{0: "USER_NO_ROLE", 2: "Noah Fischer"}},
		{"Emma Wilson's access lost, user disabled", map[int]string{0: "emma.wilson@contosopharma.com", 1: "Emma Wilson",
			2: "account", 3: "read", 4: "lost", 5: "◕ deep", 6: "none", 9: "user state", 10: "user disabled"}},
		{"Jan Novák's depth up through Finance Approvers", map[int]string{0: "jan.novak@contosopharma.com", 2: "contoso_payment",
			3: "write", 4: "depth up", 5: "◔ basic", 6: "● global", 9: "team membership", 10: "joined team Finance Approvers*"}},
		{"the role change", map[int]string{0: "Contoso Team Sales Access", 2: "root", 3: "prvReadOpportunity", 4: "depth up"}},
		{"Thomas Becker's license removed", map[int]string{0: "thomas.becker@contosopharma.com", 2: "DYN365_ENTERPRISE_SALES",
			4: "removed", 6: "105.00"}},
		{"the SKU change", map[int]string{0: "DYN365_ENTERPRISE_SALES", 2: "changed", 5: "19", 6: "18"}},
		{"the waste delta", map[int]string{0: "Total waste", 1: "12", 2: "12", 3: "1,037.00", 4: "968.00", 5: "-69.00", 8: "-828.00"}},
		{"the waste of disabled users", map[int]string{0: "disabled user", 1: "3", 2: "4", 5: "36.00"}},
		{"the spend", map[int]string{0: "Spend (enabled paid seats)", 5: "-105.00"}},
	} {
		if findRow(rows, c.want) == nil {
			t.Errorf("%s: no row %v on %s", c.what, c.want, changesSheet)
		}
	}
	for _, title := range []string{"New findings (4)", "Resolved findings (3)", "Still open, waiver or severity changed (0)",
		"Waivers expired since the previous run (0)", "Access changes (118 for 5 users)", "Role changes (1)",
		"License assignments added or removed (1)", "SKU changes (1)", "License waste by category"} {
		if findRow(rows, map[int]string{0: title}) == nil {
			t.Errorf("no section %q", title)
		}
	}
	if r := findRow(rows, map[int]string{0: "…*"}); r != nil {
		t.Errorf("a sheet of full size cut the access changes: %q", r)
	}

	summary := summaryText(t, f)
	fact := "Changes since last run | Changes since the run of 2026-11-20: 4 new / 3 resolved findings, 118 access changes " +
		"for 5 users; license waste USD -69.00 a month / -828.00 a year (sheet Changes since last run)"
	if !strings.Contains(summary, fact) {
		t.Errorf("the Summary lacks %q:\n%s", fact, summary)
	}
	if !strings.Contains(summary, changesSheet+" | what changed since the previous run") {
		t.Errorf("the Summary's sheet guide lacks %s:\n%s", changesSheet, summary)
	}
	sumRows, _ := f.GetRows("Summary")
	linked := false
	for i, r := range sumRows {
		if len(r) > 1 && strings.HasPrefix(r[1], "Changes since the run of") {
			if ok, target, err := f.GetCellHyperLink("Summary", fmt.Sprintf("B%d", i+1)); err != nil || !ok ||
				target != "'"+changesSheet+"'!A1" {
				t.Errorf("the Summary's changes line links to %q (%v, %v)", target, ok, err)
			}
			linked = true
		}
	}

	if !linked {
		t.Error("no changes line on the Summary")
	}

	// A small sheet: the access changes are cut, and say how many more.
	const limit = 120
	_, small := writeWorkbook(t, rep, xlsx.Options{TmpDir: t.TempDir(), MaxSheetRows: limit})
	rows, err = small.GetRows(changesSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) > limit {
		t.Errorf("%d rows on %s, more than the %d it may hold", len(rows), changesSheet, limit)
	}
	more := findRow(rows, map[int]string{0: "… *"})
	if more == nil || !strings.HasSuffix(more[0], " more, see diff.json") {
		t.Fatalf("no row says how many access changes were cut: %q", more)
	}
	var shown int
	for _, r := range rows {
		if len(r) > 9 && strings.HasSuffix(r[0], "@contosopharma.com") && r[9] != "" {
			shown++
		}
	}
	if want := fmt.Sprintf("… %d more, see diff.json", 118-shown); more[0] != want {
		t.Errorf("%q, want %q (%d shown)", more[0], want, shown)
	}
	if findRow(rows, map[int]string{0: "Total waste", 5: "-69.00"}) == nil {
		t.Error("the cut sheet lost the sections after the access changes")
	}
}
