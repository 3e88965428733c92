package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestReviewCommands runs a campaign end to end through the command line:
// run, review, a tampered workbook refused with exit 2, then collect.
func TestReviewCommands(t *testing.T) {
	dir := t.TempDir()
	run, camp, res := filepath.Join(dir, "run"), filepath.Join(dir, "campaign"), filepath.Join(dir, "results")
	if code, _, errOut := runCLI(t, "run", "--input", "../../samples/contoso", "--out", run, "--now", "2026-11-20"); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, errOut)
	}
	reviewers := filepath.Join(dir, "reviewers.csv")
	if err := os.WriteFile(reviewers, []byte("businessunit,reviewer\ncontoso,ceo@contosopharma.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "review", "--run", run, "--out", camp, "--reviewers", reviewers, "--due", "2026-12-31")
	if code != exitOK {
		t.Fatalf("review: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "due 2026-12-31") || !strings.Contains(out, "ceo@contosopharma.com") || strings.Contains(out, "unassigned") {
		t.Errorf("review output:\n%s", out)
	}
	wb := filepath.Join(camp, "ceo@contosopharma.com.xlsx")
	f, err := excelize.OpenFile(wb)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("Review", "B2", "Someone Else"); err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(dir, "tampered.xlsx")
	if err := f.SaveAs(tampered); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, _, errOut = runCLI(t, "review", "collect", "--campaign", camp, "--out", res, tampered)
	if code != exitBadInput || !strings.Contains(errOut, tampered+" row 2") || !strings.Contains(errOut, `column "Person"`) {
		t.Errorf("tampered workbook: exit %d, stderr %s", code, errOut)
	}
	if _, err := os.Stat(res); !os.IsNotExist(err) {
		t.Errorf("a refused collect wrote %s", res)
	}
	code, out, errOut = runCLI(t, "review", "collect", "--campaign", camp, "--out", res, wb)
	if code != exitOK {
		t.Fatalf("collect: exit %d: %s", code, errOut)
	}
	for _, name := range []string{"decisions.csv", "revocations.csv", "review.pdf", "campaign.json"} {
		if _, err := os.Stat(filepath.Join(res, name)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(out, "ceo@contosopharma.com") || !strings.Contains(out, "outstanding") {
		t.Errorf("collect output:\n%s", out)
	}
	if code, _, _ := runCLI(t, "review", "--run", dir, "--out", filepath.Join(dir, "x")); code != exitBadInput {
		t.Errorf("review of a directory that is not a run: exit %d, want %d", code, exitBadInput)
	}
	if code, _, _ := runCLI(t, "review", "--run", run, "--out", filepath.Join(dir, "y"), "--by", "team"); code != exitBadInput {
		t.Errorf("--by team: exit %d, want %d", code, exitBadInput)
	}
}
