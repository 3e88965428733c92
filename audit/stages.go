package audit

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/d365audit/d365audit/internal/peakmem"
	"github.com/d365audit/d365audit/internal/progress"
)

// Stage is one timed stage of a run, for the manifest and the benchmarks.
type Stage struct {
	Name      string  `json:"name"`
	Seconds   float64 `json:"seconds"`
	PeakRSSMB float64 `json:"peak_rss_mb,omitempty"` // the process's peak so far, at the end of the stage; absent where the OS does not say
}

// stageClock times the stages of a run and, with a log, prints each as it
// ends with its seconds and the peak memory (telemetry: the benchmarks read
// it). With a progress Reporter it also shows what is running: a bar with
// the elapsed seconds on a terminal, a line every stillRunningEvery
// otherwise, with each running stage's own time so far.
type stageClock struct {
	mu      sync.Mutex         // the output stages end in two goroutines
	log     io.Writer          // nil: no stage lines
	show    *progress.Reporter // nil: stage lines only
	start   time.Time
	last    time.Time
	stages  []Stage
	running []string             // stages begun and not yet done
	began   map[string]time.Time // when each running stage began
	stop    chan struct{}
	stopped sync.WaitGroup
	// now and ticks are the clock and the display's heartbeat: time.Now and
	// a ticker of tickEvery in a run, a fake in the tests.
	now   func() time.Time
	ticks <-chan time.Time
}

// stillRunningEvery is how often a run without a terminal says which
// stages are still running; tickEvery, how often the display is updated.
const stillRunningEvery, tickEvery = 10 * time.Second, time.Second

func newStageClock(log io.Writer, show *progress.Reporter) *stageClock {
	return newStageClockWith(log, show, time.Now, nil)
}

// newStageClockWith is newStageClock with a clock and, if ticks is not nil,
// the heartbeat the display is updated on.
func newStageClockWith(log io.Writer, show *progress.Reporter, clock func() time.Time, ticks <-chan time.Time) *stageClock {
	now := clock()
	c := &stageClock{log: log, show: show, start: now, last: now, began: map[string]time.Time{}, stop: make(chan struct{}),
		now: clock, ticks: ticks}
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
	ticks := c.ticks
	if ticks == nil {
		second := time.NewTicker(tickEvery)
		defer second.Stop()
		ticks = second.C
	}
	lastLine := c.start // not the goroutine's own start: the clock may have moved
	for {
		select {
		case <-c.stop:
			return
		case now := <-ticks:
			running := c.runningFor(now)
			if bar != nil {
				bar.Add(1, running)
			} else if running != "" && now.Sub(lastLine) >= stillRunningEvery {
				lastLine = now
				line := "d365audit: still running: " + running
				if c.log != nil {
					line += fmt.Sprintf("; peak memory %s", memoryMB(peakmem.MB()))
				}
				c.show.Logf("%s", line)
			}
		}
	}
}

// runningFor lists the running stages, each with its own time so far:
// "parquet (12 s) + workbook (12 s)".
func (c *stageClock) runningFor(now time.Time) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	parts := make([]string, len(c.running))
	for i, name := range c.running {
		parts[i] = fmt.Sprintf("%s (%.0f s)", name, now.Sub(c.began[name]).Seconds())
	}
	return strings.Join(parts, " + ")
}

// begin marks stages as running, for the progress display.
func (c *stageClock) begin(names ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for _, name := range names {
		c.began[name] = now
	}
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
	delete(c.began, name)
	now := c.now()
	s := Stage{Name: name, Seconds: round3(now.Sub(start).Seconds()), PeakRSSMB: peakmem.MB()}
	c.stages = append(c.stages, s)
	c.last = now
	if c.log == nil {
		return
	}
	line := fmt.Sprintf("d365audit: %-9s %7.2f s  (peak memory %s)", name, s.Seconds, memoryMB(s.PeakRSSMB))
	if c.show != nil { // above the bar, on a terminal
		c.show.Logf("%s", line)
		return
	}
	fmt.Fprintln(c.log, line)
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
	return Stage{Name: "total", Seconds: round3(c.now().Sub(c.start).Seconds()), PeakRSSMB: peakmem.MB()}
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// memoryMB shows a peak memory figure; 0 is one this OS did not give.
func memoryMB(mb float64) string {
	if mb <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0f MB", mb)
}
