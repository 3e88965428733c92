package ingest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/internal/synth"
	"github.com/d365audit/d365audit/store"
)

// benchRows is large enough that the per-row work dominates the fixed cost
// of a load (about twenty tables created and checked), small enough that a
// -bench run stays within seconds. scripts/bench-ingest.sh measures 1M rows
// against DuckDB's own readers.
const benchRows = 100_000

func BenchmarkLoadCSV(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "csv")
	benchmarkLoad(b, synth.Targets{CSV: dir}, dir)
}

func BenchmarkLoadJSON(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "json")
	benchmarkLoad(b, synth.Targets{JSON: dir}, dir)
}

// benchmarkLoad times ingest.Load of the export in dir into a fresh
// in-memory database; opening and closing the database are not timed.
func benchmarkLoad(b *testing.B, t synth.Targets, dir string) {
	if err := synth.Write(t, benchRows); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		db, err := store.Open(ctx, "")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := ingest.Load(ctx, db, ingest.Options{Input: dir})
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		// A load with problems measures the error path, not ingest.
		if n := res.Count(ingest.Structural); n > 0 {
			b.Fatalf("%d structural problems, first: %v", n, res.Problems[0])
		}
		for _, ts := range res.Tables {
			if ts.Name == "systemusers" && ts.Rows != benchRows {
				b.Fatalf("systemusers: loaded %d rows, want %d", ts.Rows, benchRows)
			}
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
