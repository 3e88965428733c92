package progress

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the bars' drawing goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestPlainLinesAreThrottledAndEndsAlwaysPrint(t *testing.T) {
	var out bytes.Buffer
	r := New(&out) // a buffer is no terminal: plain mode
	if r.bars != nil {
		t.Fatal("a bytes.Buffer got terminal bars")
	}
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r.now = func() time.Time { return clock }
	users := r.Task("systemusers", "rows")
	users.Add(5000, "page 1")
	clock = clock.Add(time.Second)
	users.Add(5000, "page 2") // within the interval: no line
	clock = clock.Add(5 * time.Second)
	users.Add(10, "page 3")
	users.Done("3 pages")
	r.Task("teams", "rows").Skip("403 Forbidden")
	r.Task("roles", "rows").Fail(errors.New("HTTP 500"))
	r.Logf("retry %d", 2)
	left := r.Task("privileges", "rows")
	left.Add(7, "page 1")
	r.Close()
	left.Done("late") // after Close: ignored

	want := "systemusers: page 1, 5000 rows so far\n" +
		"systemusers: page 3, 10010 rows so far\n" +
		"systemusers: done, 10010 rows in 6s (3 pages)\n" +
		"teams: skipped: 403 Forbidden (0 rows)\n" +
		"roles: failed: HTTP 500 (0 rows)\n" +
		"retry 2\n" +
		"privileges: page 1, 7 rows so far\n" +
		"privileges: stopped (7 rows)\n"
	if out.String() != want {
		t.Errorf("plain output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestBarsShowEachTasksFinalState(t *testing.T) {
	var out syncBuffer
	r := newReporter(&out, newBars(&out, true))
	a := r.Task("systemusers", "rows")
	b := r.Task("teams", "rows")
	a.Add(120, "page 1")
	a.Add(30, "page 2")
	r.Logf("a line above the bars")
	a.Done("2 pages")
	b.Fail(errors.New("403"))
	r.Close()
	got := out.String()
	for _, want := range []string{"systemusers", "done, 150 rows (2 pages)", "teams", "failed: 403 (0 rows)", "a line above the bars"} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, got)
		}
	}
	if a.Count() != 150 {
		t.Errorf("count %d", a.Count())
	}
}
