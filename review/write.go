package review

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/d365audit/d365audit/diff"
	"github.com/d365audit/d365audit/internal/filebuf"
	"github.com/d365audit/d365audit/reports/xlsx"
)

// Write writes the campaign into dir: every reviewer's workbook, then
// campaign.json. Each file is written to a temporary name and renamed, so
// it is complete or absent. A directory that already holds another
// campaign is refused: its workbooks would mix with these.
func Write(ctx context.Context, c *Campaign, dir, tmpDir string) error {
	if diff.CheckRun(dir) == nil {
		return badInput("%s is a run's output directory; write the campaign elsewhere (the run is evidence)", dir)
	}
	if old, err := ReadCampaign(dir); err == nil && (old.ID != c.ID || old.Run.Fingerprint != c.Run.Fingerprint) {
		return badInput("%s already holds campaign %s of run %s; write campaign %s of run %s elsewhere",
			dir, old.ID, short(old.Run.Fingerprint), c.ID, short(c.Run.Fingerprint))
	}
	for _, rv := range c.Reviewers {
		if rv.Items >= xlsx.SheetRowLimit {
			return badInput("reviewer %s has %d items, more than a sheet holds (%d rows): split the review with --reviewers",
				rv.Reviewer, rv.Items, xlsx.SheetRowLimit-1)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	byReviewer := map[string][]*Item{}
	for i := range c.Items {
		it := &c.Items[i]
		byReviewer[it.Reviewer] = append(byReviewer[it.Reviewer], it)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, min(4, runtime.GOMAXPROCS(0))))
	for _, rv := range c.Reviewers {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return atomicWrite(dir, rv.File, func(w io.Writer) error {
				return writeWorkbook(w, c, rv, byReviewer[rv.Reviewer], tmpDir)
			})
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return atomicWrite(dir, CampaignFile, func(w io.Writer) error { return writeJSON(w, c) })
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// atomicWrite writes name in dir through a temporary file and a rename.
func atomicWrite(dir, name string, write func(io.Writer) error) error {
	tmp := filepath.Join(dir, "."+name+".partial")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = filebuf.Write(f, func(w *bufio.Writer) error { return write(w) })
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	return nil
}
