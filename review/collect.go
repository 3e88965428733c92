package review

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
)

// RefusedError lists why collect refused the returned workbooks: every
// problem of every file, each naming the file and, for a row, its number.
// Nothing is written when collect returns one.
type RefusedError struct {
	Problems []string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%d %s in the returned workbooks; nothing written:\n  %s",
		len(e.Problems), plural(len(e.Problems), "problem", "problems"), strings.Join(e.Problems, "\n  "))
}

// Unwrap makes a refusal bad input.
func (e *RefusedError) Unwrap() error { return ErrBadInput }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Returned is one workbook given to collect.
type Returned struct {
	File     string // as given
	Name     string // base name, as the evidence shows it
	SHA256   string
	Reviewer string
	Rows     int
}

// Decision is an item's outcome.
type Decision struct {
	Item     *Item
	Decision string // Keep, Revoke or Undecided
	Comment  string
	// From is the workbook the decision came from; nil when none did.
	From *Returned
}

// Results are the campaign's decisions after collect.
type Results struct {
	Campaign  *Campaign
	Returned  []*Returned
	Decisions []Decision // in the campaign's item order
}

// Collect reads the returned workbooks of the campaign in campaignDir and
// checks every one: it belongs to this campaign, it is a reviewer's of the
// campaign (once), and every row's facts are the campaign's. It returns
// a *RefusedError listing every problem when any is found.
func Collect(campaignDir string, files []string) (*Results, error) {
	c, err := ReadCampaign(campaignDir)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]int, len(c.Items))
	for i := range c.Items {
		byID[c.Items[i].ID] = i
	}
	reviewers := map[string]bool{}
	for _, rv := range c.Reviewers {
		reviewers[rv.Reviewer] = true
	}
	res := &Results{Campaign: c, Decisions: make([]Decision, len(c.Items))}
	for i := range c.Items {
		res.Decisions[i] = Decision{Item: &c.Items[i], Decision: Undecided}
	}
	var problems []string
	byReviewer := map[string]*Returned{}
	seenSHA := map[string]string{}
	for _, path := range files {
		ret, rows, probs := readReturned(c, path)
		problems = append(problems, probs...)
		if ret == nil {
			continue
		}
		if first, dup := seenSHA[ret.SHA256]; dup {
			problems = append(problems, fmt.Sprintf("%s: the same workbook as %s, given twice", path, first))
			continue
		}
		seenSHA[ret.SHA256] = path
		if !reviewers[ret.Reviewer] {
			problems = append(problems, fmt.Sprintf("%s: reviewer %q has no workbook in campaign %s", path, ret.Reviewer, c.ID))
			continue
		}
		if other, dup := byReviewer[ret.Reviewer]; dup {
			problems = append(problems, fmt.Sprintf("%s: a second workbook of reviewer %s (the first is %s); give only the final one", path, ret.Reviewer, other.File))
			continue
		}
		byReviewer[ret.Reviewer] = ret
		res.Returned = append(res.Returned, ret)
		for _, r := range rows {
			n, ok := byID[r.id]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s row %d: item %q is not in campaign %s", path, r.row, r.id, c.ID))
				continue
			}
			it := &c.Items[n]
			if it.Reviewer != ret.Reviewer {
				problems = append(problems, fmt.Sprintf("%s row %d: item %s is %s's to review, not %s's", path, r.row, r.id, it.Reviewer, ret.Reviewer))
				continue
			}
			if p := checkRow(it, r); p != "" {
				problems = append(problems, fmt.Sprintf("%s row %d (item %s): %s", path, r.row, r.id, p))
				continue
			}
			d := &res.Decisions[n]
			if d.From != nil {
				problems = append(problems, fmt.Sprintf("%s row %d: item %s appears twice", path, r.row, r.id))
				continue
			}
			d.From = ret
			d.Decision, d.Comment = r.decision, r.comment
			if r.decision == "" {
				d.Decision = Undecided
			}
		}
	}
	if len(problems) > 0 {
		return nil, &RefusedError{Problems: problems}
	}
	sort.SliceStable(res.Returned, func(i, j int) bool { return res.Returned[i].Reviewer < res.Returned[j].Reviewer })
	return res, nil
}

// returnedRow is one item row as a workbook gives it back.
type returnedRow struct {
	row               int
	id                string
	facts             []string
	decision, comment string
	hash              string
}

// readReturned reads one returned workbook. A nil *Returned means the
// file could not be taken at all; the problems say why.
func readReturned(c *Campaign, path string) (*Returned, []returnedRow, []string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, []string{fmt.Sprintf("%s: %v", path, err)}
	}
	sum := sha256.Sum256(b)
	ret := &Returned{File: path, Name: filepath.Base(path), SHA256: hex.EncodeToString(sum[:])}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		return nil, nil, []string{fmt.Sprintf("%s: not an .xlsx workbook (%v); the reviewer should save it as Excel 2007-365 .xlsx", path, err)}
	}
	defer f.Close()
	id, err1 := f.GetCellValue(sheetCampaign, fmt.Sprintf("B%d", campaignRowID))
	label, _ := f.GetCellValue(sheetCampaign, fmt.Sprintf("A%d", campaignRowID))
	if err1 != nil || label != "Campaign" || id == "" {
		return nil, nil, []string{fmt.Sprintf("%s: not a workbook of an access review campaign (no Campaign sheet)", path)}
	}
	if id != c.ID {
		return nil, nil, []string{fmt.Sprintf("%s: a workbook of campaign %s, not of campaign %s", path, id, c.ID)}
	}
	ret.Reviewer, _ = f.GetCellValue(sheetCampaign, fmt.Sprintf("B%d", campaignRowReviewer))
	rows, err := f.GetRows(sheetReview)
	if err != nil {
		return nil, nil, []string{fmt.Sprintf("%s: no %s sheet", path, sheetReview)}
	}
	heads := make([]string, 0, len(factColumns)+3)
	for _, col := range factColumns {
		heads = append(heads, col.head)
	}
	heads = append(heads, headDecision, headComment, headHash)
	if len(rows) == 0 || !sameStrings(pad(rows[0], len(heads))[:len(heads)], heads) {
		return nil, nil, []string{fmt.Sprintf("%s row 1: the %s sheet's columns were changed", path, sheetReview)}
	}
	var out []returnedRow
	var problems []string
	nFacts := len(factColumns)
	for i, raw := range rows[1:] {
		if blank(raw) {
			continue
		}
		cells := pad(raw, len(heads))
		if extra := strings.Join(cells[len(heads):], ""); strings.TrimSpace(extra) != "" {
			problems = append(problems, fmt.Sprintf("%s row %d: text beyond the %s column", path, i+2, headHash))
			continue
		}
		r := returnedRow{row: i + 2, id: cells[0], facts: cells[:nFacts], comment: strings.TrimSpace(cells[nFacts+1]), hash: cells[nFacts+2]}
		switch d := strings.TrimSpace(cells[nFacts]); {
		case d == "":
		case strings.EqualFold(d, Keep):
			r.decision = Keep
		case strings.EqualFold(d, Revoke):
			r.decision = Revoke
		default:
			problems = append(problems, fmt.Sprintf("%s row %d (item %s): decision %q is neither Keep nor Revoke", path, i+2, r.id, d))
			continue
		}
		out = append(out, r)
		ret.Rows++
	}
	return ret, out, problems
}

// checkRow says how a returned row differs from its item, or "".
func checkRow(it *Item, r returnedRow) string {
	want := it.facts()
	for k, v := range want {
		if r.facts[k] != v {
			return fmt.Sprintf("column %q was changed to %q; the campaign has %q", factColumns[k].head, r.facts[k], v)
		}
	}
	if r.hash != it.Hash {
		return fmt.Sprintf("column %q was changed to %q; the campaign has %q", headHash, r.hash, it.Hash)
	}
	return ""
}

func pad(row []string, n int) []string {
	for len(row) < n {
		row = append(row, "")
	}
	return row
}

func blank(row []string) bool {
	for _, s := range row {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
