package audit

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/d365audit/d365audit/internal/progress"
)

// Stage is one timed stage of a run, for the manifest and the benchmarks.
type Stage struct {
	Name      string  `json:"name"`
	Seconds   float64 `json:"seconds"`
	PeakRSSMB float64 `json:"peak_rss_mb"` // the process's peak so far, at the end of the stage
}

// stageClock times the stages of a run and logs each as it ends, so a long
// run shows progress in a terminal and in a CI log alike. With a progress
// Reporter it also shows what is running: a bar with the elapsed seconds
// on a terminal, a line every stillRunningEvery otherwise.
type stageClock struct {
	mu      sync.Mutex // the output stages end in two goroutines
	log     io.Writer
	show    *progress.Reporter // nil: stage lines only
	start   time.Time
	last    time.Time
	stages  []Stage
	running []string // stages begun and not yet done
	stop    chan struct{}
	stopped sync.WaitGroup
}

// stillRunningEvery is how often a run without a terminal says which
// stages are still running; tickEvery, how often the display is updated.
var stillRunningEvery, tickEvery = 10 * time.Second, time.Second

func newStageClock(log io.Writer, show *progress.Reporter) *stageClock {
	now := time.Now()
	c := &stageClock{log: log, show: show, start: now, last: now, stop: make(chan struct{})}
	if show != nil {
		c.stopped.Add(1)
		go c.tick()
	}
	return c
}

// tick shows the running stages until close.
func (c *stageClock) tick() {
	defer c.stopped.Done()
	var bar *progress.Task
	if c.show.Terminal() {
		bar = c.show.Task("audit", "s")
		defer bar.Done("")
	}
	second := time.NewTicker(tickEvery)
	defer second.Stop()
	lastLine := time.Now()
	for {
		select {
		case <-c.stop:
			return
		case now := <-second.C:
			c.mu.Lock()
			running := strings.Join(c.running, " + ")
			c.mu.Unlock()
			if bar != nil {
				bar.Add(1, running)
			} else if running != "" && now.Sub(lastLine) >= stillRunningEvery {
				lastLine = now
				c.show.Logf("d365audit: still running: %s (%.0f s so far, peak memory %.0f MB)",
					running, now.Sub(c.start).Seconds(), peakRSSMB())
			}
		}
	}
}

// begin marks stages as running, for the progress display.
func (c *stageClock) begin(names ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running = append(c.running, names...)
}

// close ends the progress display.
func (c *stageClock) close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.stopped.Wait()
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
	if i := slices.Index(c.running, name); i >= 0 {
		c.running = slices.Delete(c.running, i, i+1)
	}
	now := time.Now()
	s := Stage{Name: name, Seconds: round3(now.Sub(start).Seconds()), PeakRSSMB: peakRSSMB()}
	c.stages = append(c.stages, s)
	c.last = now
	line := fmt.Sprintf("d365audit: %-9s %7.2f s  (peak memory %.0f MB)", name, s.Seconds, s.PeakRSSMB)
	switch {
	case c.show != nil: // above the bar, on a terminal
		c.show.Logf("%s", line)
	case c.log != nil:
		fmt.Fprintln(c.log, line)
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
