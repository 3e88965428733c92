package audit

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Stage is one timed stage of a run, for the manifest and the benchmarks.
type Stage struct {
	Name      string  `json:"name"`
	Seconds   float64 `json:"seconds"`
	PeakRSSMB float64 `json:"peak_rss_mb"` // the process's peak so far, at the end of the stage
}

// stageClock times the stages of a run and logs each as it ends, so a long
// run shows progress in a terminal and in a CI log alike.
type stageClock struct {
	mu     sync.Mutex // the output stages end in two goroutines
	log    io.Writer
	start  time.Time
	last   time.Time
	stages []Stage
}

func newStageClock(log io.Writer) *stageClock {
	now := time.Now()
	return &stageClock{log: log, start: now, last: now}
}

// done closes the stage that began when the previous one ended.
func (c *stageClock) done(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record(name, c.last)
}

// doneSince closes a stage that began at start: one of the output stages,
// which run side by side, so their times overlap and add up to more than
// the run's.
func (c *stageClock) doneSince(name string, start time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record(name, start)
}

func (c *stageClock) record(name string, start time.Time) {
	now := time.Now()
	s := Stage{Name: name, Seconds: round3(now.Sub(start).Seconds()), PeakRSSMB: peakRSSMB()}
	c.stages = append(c.stages, s)
	c.last = now
	if c.log != nil {
		fmt.Fprintf(c.log, "d365audit: %-9s %7.2f s  (peak memory %.0f MB)\n", name, s.Seconds, s.PeakRSSMB)
	}
}

// stageOrder is the order stages are listed in the manifest: the output
// stages end in an order that varies from run to run.
var stageOrder = []string{"ingest", "access", "rules", "findings", "parquet", "database", "diff", "pdf", "workbook"}

// ordered returns the stages in stageOrder.
func (c *stageClock) ordered() []Stage {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := slices.Clone(c.stages)
	slices.SortStableFunc(out, func(a, b Stage) int {
		return slices.Index(stageOrder, a.Name) - slices.Index(stageOrder, b.Name)
	})
	return out
}

func (c *stageClock) total() Stage {
	return Stage{Name: "total", Seconds: round3(time.Since(c.start).Seconds()), PeakRSSMB: peakRSSMB()}
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// peakRSSMB is the process's peak resident set size (Linux reports KiB).
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
