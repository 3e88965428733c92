package review

import (
	"fmt"
	"io"
	"time"

	"github.com/d365audit/d365audit/reports/xlsx"
	"github.com/xuri/excelize/v2"
)

// Sheet names of a reviewer's workbook.
const (
	sheetReview   = "Review"
	sheetCampaign = "Campaign"
)

// Rows of the Campaign sheet: label in column A, value in column B.
const (
	campaignRowID       = 1
	campaignRowReviewer = 2
)

// writeWorkbook writes one reviewer's workbook: the Review sheet (a row per
// item; Decision and Comment the only cells to fill, with a Keep / Revoke
// drop-down) and the Campaign sheet (what the workbook belongs to). Both
// sheets are protected without a password: the protection keeps the facts
// from being edited by mistake, and collect's row check catches the rest.
func writeWorkbook(w io.Writer, c *Campaign, rv ReviewerFile, items []*Item, tmpDir string) error {
	f := excelize.NewFile(excelize.Options{TmpDir: tmpDir})
	defer f.Close()
	xlsx.DeterministicZip(f, tmpDir)
	if err := f.SetSheetName("Sheet1", sheetReview); err != nil {
		return err
	}
	if _, err := f.NewSheet(sheetCampaign); err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F0"}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	})
	if err != nil {
		return err
	}
	fill, err := f.NewStyle(&excelize.Style{
		Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF7D6"}},
		Protection: &excelize.Protection{Locked: false},
		Border: []excelize.Border{
			{Type: "left", Color: "C8CDD4", Style: 1}, {Type: "right", Color: "C8CDD4", Style: 1},
			{Type: "top", Color: "C8CDD4", Style: 1}, {Type: "bottom", Color: "C8CDD4", Style: 1},
		},
	})
	if err != nil {
		return err
	}
	muted, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "8A9099", Size: 8}})
	if err != nil {
		return err
	}

	nFacts := len(factColumns)
	heads := make([]any, 0, nFacts+3)
	for _, col := range factColumns {
		heads = append(heads, col.head)
	}
	heads = append(heads, headDecision, headComment, headHash)
	if err := f.SetSheetRow(sheetReview, "A1", &heads); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(heads), 1)
	if err := f.SetCellStyle(sheetReview, "A1", last, head); err != nil {
		return err
	}
	for i, col := range factColumns {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheetReview, name, name, col.width); err != nil {
			return err
		}
	}
	decCol, _ := excelize.ColumnNumberToName(nFacts + 1)
	comCol, _ := excelize.ColumnNumberToName(nFacts + 2)
	hashCol, _ := excelize.ColumnNumberToName(nFacts + 3)
	for _, wd := range []struct {
		col string
		w   float64
	}{{decCol, 12}, {comCol, 40}, {hashCol, 12}} {
		if err := f.SetColWidth(sheetReview, wd.col, wd.col, wd.w); err != nil {
			return err
		}
	}
	row := make([]any, 0, nFacts+3)
	for i, it := range items {
		row = row[:0]
		for _, v := range it.facts() {
			row = append(row, v) // strings: shown as text, never evaluated
		}
		row = append(row, "", "", it.Hash)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheetReview, cell, &row); err != nil {
			return err
		}
	}
	lastRow := len(items) + 1
	if len(items) > 0 {
		if err := f.SetCellStyle(sheetReview, fmt.Sprintf("%s2", decCol), fmt.Sprintf("%s%d", comCol, lastRow), fill); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheetReview, fmt.Sprintf("%s2", hashCol), fmt.Sprintf("%s%d", hashCol, lastRow), muted); err != nil {
			return err
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", decCol, decCol, lastRow)
		if err := dv.SetDropList([]string{Keep, Revoke}); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Decision", "Choose Keep or Revoke.")
		dv.SetInput("Decision", "Keep: the person still needs this role. Revoke: remove it.")
		if err := f.AddDataValidation(sheetReview, dv); err != nil {
			return err
		}
		if err := f.AutoFilter(sheetReview, fmt.Sprintf("A1:%s%d", hashCol, lastRow), nil); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheetReview, &excelize.Panes{Freeze: true, Split: false, XSplit: 2, YSplit: 1,
		TopLeftCell: "C2", ActivePane: "bottomRight"}); err != nil {
		return err
	}

	// Printed: landscape, every column on one page wide, the header on each.
	landscape, one, zero, fit := "landscape", 1, 0, true
	if err := f.SetPageLayout(sheetReview, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return err
	}
	if err := f.SetSheetProps(sheetReview, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: sheetReview + "!$1:$1", Scope: sheetReview}); err != nil {
		return err
	}

	facts := [][2]string{
		{"Campaign", c.ID},
		{"Reviewer", rv.Reviewer},
		{"Decisions due", c.Due},
		{"Environment", c.Run.Environment},
		{"Access as of", c.Run.AsOf},
		{"Run fingerprint", c.Run.Fingerprint},
		{"Items", fmt.Sprint(len(items))},
		{"What to do", "For every row of the Review sheet, choose Keep if the person still needs the role, or Revoke if not, " +
			"in the Decision column; say why in Comment when useful. Change nothing else: the other columns are checked " +
			"against the campaign when the workbook comes back, and a workbook with changed rows is refused."},
		{"Held", "\"direct\": the role is assigned to the person. \"team NAME\": the person has it as a member of the team; " +
			"revoking it means removing the person from that team, with every role the team gives."},
	}
	for i, kv := range facts {
		if err := f.SetSheetRow(sheetCampaign, fmt.Sprintf("A%d", i+1), &[]any{kv[0], kv[1]}); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(sheetCampaign, "A", "A", 18); err != nil {
		return err
	}
	if err := f.SetColWidth(sheetCampaign, "B", "B", 100); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheetCampaign, "A1", fmt.Sprintf("A%d", len(facts)), head); err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(sheetCampaign, "B1", fmt.Sprintf("B%d", len(facts)), wrap); err != nil {
		return err
	}
	protect := &excelize.SheetProtectionOptions{
		AutoFilter: true, SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true,
	}
	for _, s := range []string{sheetReview, sheetCampaign} {
		if err := f.ProtectSheet(s, protect); err != nil {
			return err
		}
	}
	at := c.Run.GeneratedAt
	if _, err := time.Parse(time.RFC3339, at); err != nil {
		at = c.Run.AsOf + "T00:00:00Z"
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:          "Access review " + c.ID + ": " + rv.Reviewer,
		Subject:        "User access review of " + c.Run.Environment + " as of " + c.Run.AsOf + ", due " + c.Due,
		Identifier:     c.ID,
		Creator:        "d365audit " + c.Run.ToolVersion,
		LastModifiedBy: "d365audit " + c.Run.ToolVersion,
		Created:        at,
		Modified:       at,
		Language:       "en-US",
	}); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write workbook %s: %w", rv.File, err)
	}
	return nil
}
