package audit

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/internal/progress"
)

// fakeClock is a stage clock's time, moved by the test.
type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time { return f.t }

// testClock is a stage clock on a fake time, with the heartbeat the test
// gives it (tick): no sleeps, no timing.
func testClock(log *bytes.Buffer, show *progress.Reporter) (*stageClock, *fakeClock, func(time.Time)) {
	f := &fakeClock{t: time.Date(2026, 11, 20, 5, 0, 0, 0, time.UTC)}
	ticks := make(chan time.Time)
	var w io.Writer
	if log != nil {
		w = log
	}
	// The first send returns when the display has the tick; the second,
	// the same instant again (which prints nothing new), when it has done
	// with the first.
	tick := func(t time.Time) { ticks <- t; ticks <- t }
	return newStageClockWith(w, show, f.now, ticks), f, tick
}

// TestStageClockSaysWhatIsRunning: without a terminal, a long stage is
// announced by periodic lines naming it with its own time so far; without
// a log there are no stage lines (telemetry is for --verbose); once closed,
// nothing more is printed.
func TestStageClockSaysWhatIsRunning(t *testing.T) {
	var out bytes.Buffer
	c, clock, tick := testClock(nil, progress.NewPlain(&out))
	c.begin("parquet", "workbook")
	clock.t = clock.t.Add(5 * time.Second)
	tick(clock.t) // before stillRunningEvery: no line
	clock.t = clock.t.Add(6 * time.Second)
	tick(clock.t)
	c.doneSince("parquet", clock.t.Add(-11*time.Second))
	clock.t = clock.t.Add(12 * time.Second)
	tick(clock.t)
	c.close()
	want := "d365audit: still running: parquet (11 s) + workbook (11 s)\n" +
		"d365audit: still running: workbook (23 s)\n"
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
	if got := c.ordered(); len(got) != 1 || got[0].Name != "parquet" || got[0].Seconds != 11 {
		t.Errorf("stages %+v", got)
	}
}

// With a log (--verbose), each stage's end is a line with its seconds and
// peak memory, and the still-running lines add the peak memory.
func TestStageClockVerbose(t *testing.T) {
	var out bytes.Buffer
	c, clock, tick := testClock(&out, progress.NewPlain(&out))
	c.begin("ingest")
	clock.t = clock.t.Add(10 * time.Second)
	tick(clock.t)
	clock.t = clock.t.Add(2500 * time.Millisecond)
	c.done("ingest")
	c.close()
	text := out.String()
	for _, want := range []string{"d365audit: still running: ingest (10 s); peak memory ", "d365audit: ingest      12.50 s  (peak memory "} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
}

// The still-running line counts each stage from its own beginning, not
// from the start of the run.
func TestRunningForCountsTheStagesOwnTime(t *testing.T) {
	c := newStageClock(nil, nil)
	defer c.close()
	c.start = c.start.Add(-time.Hour) // a run that began an hour ago
	c.begin("database", "pdf")
	c.began["database"] = c.began["database"].Add(-90 * time.Second)
	got := c.runningFor(c.began["pdf"].Add(12 * time.Second))
	if want := "database (102 s) + pdf (12 s)"; got != want {
		t.Errorf("runningFor = %q, want %q", got, want)
	}
}
