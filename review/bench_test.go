package review_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/review"
	"github.com/d365audit/d365audit/samples/gen"
)

// BenchmarkCampaign makes and writes the campaign of a generated tenant
// (samples/gen): reading the run, a workbook per manager, campaign.json.
// The export and its audit run are made once, outside the timing. Target:
// 10,000 users in under 30 s. D365AUDIT_REVIEW_BENCH_USERS runs another
// size:
//
//	go test -tags=duckdb_arrow -run '^$' -bench BenchmarkCampaign -benchtime 1x ./review/
func BenchmarkCampaign(b *testing.B) {
	users := 10_000
	if s := os.Getenv("D365AUDIT_REVIEW_BENCH_USERS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		users = n
	}
	dir := b.TempDir()
	export := filepath.Join(dir, "export")
	if _, err := gen.Write(export, gen.Options{Users: users, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	if _, err := audit.Run(context.Background(), audit.Options{Input: export, Out: run, Now: auditDay, ToolVersion: "bench"}); err != nil {
		b.Fatal(err)
	}
	for _, by := range []string{review.ByManager, review.ByBusinessUnit} {
		b.Run(fmt.Sprintf("users=%d/by=%s", users, by), func(b *testing.B) {
			var c *review.Campaign
			var build, write time.Duration
			i := 0
			for b.Loop() {
				i++
				out := filepath.Join(dir, fmt.Sprintf("campaign-%s-%d", by, i))
				var err error
				start := time.Now()
				c, err = review.Build(context.Background(), review.Options{Run: run, By: by})
				if err != nil {
					b.Fatal(err)
				}
				built := time.Now()
				if err := review.Write(context.Background(), c, out, dir); err != nil {
					b.Fatal(err)
				}
				build += built.Sub(start)
				write += time.Since(built)
			}
			b.ReportMetric(build.Seconds()/float64(i), "s-build/op")
			b.ReportMetric(write.Seconds()/float64(i), "s-write/op")
			b.ReportMetric(float64(len(c.Items)), "items")
			b.ReportMetric(float64(len(c.Reviewers)), "workbooks")
		})
	}
}
