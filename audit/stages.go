package audit

import (
	"fmt"
	"io"
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
	now := time.Now()
	s := Stage{Name: name, Seconds: round3(now.Sub(c.last).Seconds()), PeakRSSMB: peakRSSMB()}
	c.stages = append(c.stages, s)
	c.last = now
	if c.log != nil {
		fmt.Fprintf(c.log, "d365audit: %-9s %7.2f s  (peak memory %.0f MB)\n", name, s.Seconds, s.PeakRSSMB)
	}
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
