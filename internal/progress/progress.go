// Package progress shows how far long-running work has got: a bar per task
// on a terminal, plain log lines otherwise, so CI logs and redirected output
// stay readable.
//
//	r := progress.New(os.Stderr)         // bars only when stderr is a terminal
//	t := r.Task("systemusers", "rows")   // one unit of work, counted in rows
//	t.Add(5000, "page 1")                // 5,000 more rows; what just happened
//	t.Done("2 pages")                    // or t.Fail(err), or t.Skip(reason)
//	r.Logf("retrying in %s", d)          // a line that does not break the bars
//	r.Close()                            // ends the display; call it once, last
//
// Every method is safe for concurrent use. A task's total is not known in
// advance (a Web API table is read page by page until there is no next
// link), so a terminal shows a spinner and the running count, not a
// percentage. In plain mode a running task prints at most one line per
// Interval; its end always prints one line.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// DefaultInterval is how often, at most, a running task prints a plain line.
const DefaultInterval = 5 * time.Second

// Reporter shows the progress of a set of tasks on one writer.
type Reporter struct {
	w        io.Writer
	bars     *bars // nil in plain mode
	interval time.Duration
	now      func() time.Time

	mu    sync.Mutex // serialises plain lines and the task list
	tasks []*Task
}

// New reports to w: bars when w is a terminal (and TERM is not "dumb"),
// plain lines otherwise.
func New(w io.Writer) *Reporter {
	if isTerminal(w) {
		return newReporter(w, newBars(w, false))
	}
	return NewPlain(w)
}

// NewPlain reports to w in plain lines, whatever w is.
func NewPlain(w io.Writer) *Reporter { return newReporter(w, nil) }

func newReporter(w io.Writer, b *bars) *Reporter {
	return &Reporter{w: w, bars: b, interval: DefaultInterval, now: time.Now}
}

// Terminal is true when the Reporter draws bars.
func (r *Reporter) Terminal() bool { return r.bars != nil }

// SetInterval changes how often, at most, a running task prints a plain
// line; 0 prints every Add.
func (r *Reporter) SetInterval(d time.Duration) { r.interval = d }

// isTerminal is true for a terminal that can show bars: one with a width
// (a pseudo-terminal of a non-interactive session may have none, and bars
// cut to zero columns would show nothing at all).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || os.Getenv("TERM") == "dumb" {
		return false
	}
	width, _, err := term.GetSize(int(f.Fd()))
	return err == nil && width > 0
}

// Logf prints one line: above the bars on a terminal, as is otherwise.
func (r *Reporter) Logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...) + "\n"
	if r.bars != nil && r.bars.write(line) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	io.WriteString(r.w, line)
}

// Task starts a unit of work whose progress is counted in unit ("rows").
func (r *Reporter) Task(name, unit string) *Task {
	t := &Task{r: r, name: name, unit: unit, started: r.now()}
	if r.bars != nil {
		t.bar = r.bars.add(t)
	}
	r.mu.Lock()
	r.tasks = append(r.tasks, t)
	r.mu.Unlock()
	return t
}

// Close ends the display: a task still running is shown as stopped. The
// Reporter must not be used afterwards.
func (r *Reporter) Close() {
	r.mu.Lock()
	tasks := append([]*Task(nil), r.tasks...)
	r.mu.Unlock()
	for _, t := range tasks {
		t.end(stateStopped, "stopped")
	}
	if r.bars != nil {
		r.bars.wait()
	}
}

type state int

const (
	stateRunning state = iota
	stateDone
	stateSkipped
	stateFailed
	stateStopped
)

// Task is one unit of work of a Reporter.
type Task struct {
	r       *Reporter
	name    string
	unit    string
	started time.Time
	bar     *bar

	mu       sync.Mutex
	count    int64
	note     string
	state    state
	final    string
	lastLine time.Time
}

// Add counts n more units done; note says what just happened ("page 3").
func (t *Task) Add(n int64, note string) {
	show := false
	count, running := t.whileRunning(func() {
		t.count += n
		t.note = note
		now := t.r.now()
		show = t.bar == nil && (t.lastLine.IsZero() || now.Sub(t.lastLine) >= t.r.interval)
		if show {
			t.lastLine = now
		}
	})
	if !running {
		return
	}
	if t.bar != nil {
		t.bar.add(n)
	}
	if show {
		t.r.plainf("%s: %s, %d %s so far", t.name, note, count, t.unit)
	}
}

// Done ends the task successfully; summary is shown after the count.
func (t *Task) Done(summary string) { t.end(stateDone, summary) }

// Skip ends the task as deliberately not done, saying why.
func (t *Task) Skip(reason string) { t.end(stateSkipped, "skipped: "+reason) }

// Fail ends the task with an error.
func (t *Task) Fail(err error) { t.end(stateFailed, "failed: "+err.Error()) }

// Count is the number of units added so far.
func (t *Task) Count() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.count
}

// whileRunning applies change under the lock if the task has not ended
// (a task ends once; later calls change nothing), and returns the count
// after it and whether it ran. Printing happens outside the lock.
func (t *Task) whileRunning(change func()) (count int64, running bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != stateRunning {
		return 0, false
	}
	change()
	return t.count, true
}

func (t *Task) end(s state, final string) {
	count, running := t.whileRunning(func() { t.state, t.final = s, final })
	if !running {
		return
	}
	if t.bar != nil {
		t.bar.end(s)
		return
	}
	elapsed := t.r.now().Sub(t.started).Round(100 * time.Millisecond)
	switch s {
	case stateDone:
		t.r.plainf("%s: done, %d %s in %s (%s)", t.name, count, t.unit, elapsed, final)
	default:
		t.r.plainf("%s: %s (%d %s)", t.name, final, count, t.unit)
	}
}

// status is the text a bar shows after the task's name.
func (t *Task) status() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch t.state {
	case stateRunning:
		if t.note == "" {
			return fmt.Sprintf("%d %s", t.count, t.unit)
		}
		return fmt.Sprintf("%d %s, %s", t.count, t.unit, t.note)
	case stateDone:
		return fmt.Sprintf("done, %d %s (%s)", t.count, t.unit, t.final)
	default:
		return fmt.Sprintf("%s (%d %s)", t.final, t.count, t.unit)
	}
}

func (r *Reporter) plainf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.w, format+"\n", args...)
}
