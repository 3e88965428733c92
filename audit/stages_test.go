package audit

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/internal/progress"
)

// TestStageClockSaysWhatIsRunning: without a terminal, a long stage is
// announced by periodic lines naming it, and its end by the stage line;
// once closed, nothing more is printed.
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
	for _, want := range []string{"still running: parquet + workbook", "d365audit: parquet ", "still running: workbook ("} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
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
