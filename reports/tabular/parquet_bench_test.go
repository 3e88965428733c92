//go:build linux

package tabular_test

import (
	"context"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/reports/tabular"
	"github.com/d365audit/d365audit/store"
)

// BenchmarkAccessParquet expands a run's matrix and writes access.parquet
// (to io.Discard): the CPU the parquet lane of a run spends, reported as
// cpu-s/op (user + system time, which a busy shared machine disturbs far
// less than wall time; Linux only, for getrusage). It reads the
// audit.duckdb of a run named by D365AUDIT_PARQUET_BENCH_DB, e.g.
//
//	d365audit sample --users 10000 --out /tmp/s10k && d365audit run -i /tmp/s10k -o /tmp/o10k
//	D365AUDIT_PARQUET_BENCH_DB=/tmp/o10k/audit.duckdb go test -tags=duckdb_arrow -run '^$' -bench AccessParquet ./reports/tabular/
func BenchmarkAccessParquet(b *testing.B) {
	path := os.Getenv("D365AUDIT_PARQUET_BENCH_DB")
	if path == "" {
		b.Skip("set D365AUDIT_PARQUET_BENCH_DB to a run's audit.duckdb")
	}
	ctx := context.Background()
	db, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	m, err := access.LoadMatrix(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	before := cpuTime(b)
	n := 0
	for b.Loop() {
		if err := tabular.WriteAccessParquet(io.Discard, m); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric((cpuTime(b)-before).Seconds()/float64(n), "cpu-s/op")
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
