package audit

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/internal/progress"
)

// TestStageClockSaysWhatIsRunning: without a terminal, a long stage is
// announced by periodic lines naming it with its own time so far; without
// a log there are no stage lines (telemetry is for --verbose); once closed,
// nothing more is printed.
func TestStageClockSaysWhatIsRunning(t *testing.T) {
	savedStill, savedTick := stillRunningEvery, tickEvery
	stillRunningEvery, tickEvery = 20*time.Millisecond, 5*time.Millisecond
	defer func() { stillRunningEvery, tickEvery = savedStill, savedTick }()
	var out bytes.Buffer
	show := progress.NewPlain(&out)
	c := newStageClock(nil, show)
	c.begin("parquet", "workbook")
	time.Sleep(100 * time.Millisecond)
	c.doneSince("parquet", time.Now())
	time.Sleep(100 * time.Millisecond)
	c.close()
	text := out.String()
	for _, want := range []string{"still running: parquet (0 s) + workbook (0 s)\n", "still running: workbook (0 s)\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"d365audit: parquet ", "peak memory"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("telemetry %q without a log:\n%s", unwanted, text)
		}
	}
	n := len(text)
	time.Sleep(50 * time.Millisecond)
	if out.Len() != n {
		t.Errorf("lines after close:\n%s", out.String()[n:])
	}
	if got := c.ordered(); len(got) != 1 || got[0].Name != "parquet" {
		t.Errorf("stages %v", got)
	}
}

// With a log (--verbose), each stage's end is a line with its seconds and
// peak memory, and the still-running lines add the peak memory.
func TestStageClockVerbose(t *testing.T) {
	savedStill, savedTick := stillRunningEvery, tickEvery
	stillRunningEvery, tickEvery = 20*time.Millisecond, 5*time.Millisecond
	defer func() { stillRunningEvery, tickEvery = savedStill, savedTick }()
	var out bytes.Buffer
	c := newStageClock(&out, progress.NewPlain(&out))
	c.begin("ingest")
	time.Sleep(60 * time.Millisecond)
	c.done("ingest")
	c.close()
	text := out.String()
	for _, want := range []string{"d365audit: ingest ", "still running: ingest (0 s); peak memory "} {
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
