package progress

import (
	"io"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// bars is the terminal display: one mpb spinner bar per task.
type bars struct {
	p *mpb.Progress
}

// newBars draws on w. forceRefresh redraws even when w is no terminal
// (mpb otherwise only draws on one); tests use it to see the frames.
func newBars(w io.Writer, forceRefresh bool) *bars {
	opts := []mpb.ContainerOption{mpb.WithOutput(w)}
	if forceRefresh {
		opts = append(opts, mpb.WithAutoRefresh())
	}
	return &bars{p: mpb.New(opts...)}
}

type bar struct {
	b *mpb.Bar
}

func (bs *bars) add(t *Task) *bar {
	b := bs.p.New(0, mpb.SpinnerStyle(),
		mpb.BarWidth(2), mpb.BarFillerClearOnComplete(),
		mpb.PrependDecorators(decor.Name(t.name, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return t.status() })),
	)
	return &bar{b: b}
}

// write prints a line above the bars; false when the display has ended.
func (bs *bars) write(line string) bool {
	_, err := bs.p.Write([]byte(line))
	return err == nil
}

func (bs *bars) wait() { bs.p.Wait() }

func (b *bar) add(n int64) { b.b.IncrInt64(n) }

// end completes the bar (a done or skipped task) or aborts it (a failed or
// stopped one), leaving its last line on the screen either way.
func (b *bar) end(s state) {
	if s == stateDone || s == stateSkipped {
		b.b.SetTotal(-1, true)
		return
	}
	b.b.Abort(false)
}
