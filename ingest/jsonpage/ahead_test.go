package jsonpage

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// writePages writes n pages of rows elements each and returns their paths.
func writePages(t *testing.T, n, rows int) []string {
	t.Helper()
	var paths []string
	for p := 1; p <= n; p++ {
		var b strings.Builder
		b.WriteString(`{"value": [`)
		for i := range rows {
			if i > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, `{"id": "%d-%d", "name": "Row %d"}`, p, i, i)
		}
		b.WriteString(`]}`)
		path := filepath.Join(t.TempDir(), fmt.Sprintf("page%d.json", p))
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// The pages come in order, each with every element in order, its
// nextLink, hash and size.
func TestAheadServesPagesInOrder(t *testing.T) {
	paths := writePages(t, 5, 3*ChunkElems+17)
	a := StartAhead(paths)
	defer a.Stop()
	for p, path := range paths {
		page := a.Next(path)
		n := 0
		for chunk := range page.Chunks {
			for _, e := range chunk {
				if want := fmt.Sprintf("%d-%d", p+1, n); e.V.(map[string]any)["id"] != want || e.Loc.N != int64(n) {
					t.Fatalf("%s: element %d is %v at %s", path, n, e.V, e.Loc)
				}
				n++
			}
		}
		a.Release()
		data, _ := os.ReadFile(path)
		if n != 3*ChunkElems+17 || page.Err != nil || page.OpenErr != nil || page.Bytes != int64(len(data)) || len(page.SHA256) != 64 {
			t.Errorf("%s: %d elements, %+v", path, n, page)
		}
	}
}

// A consumer that stops in the middle of a page leaves no decoder running.
func TestAheadStopLeavesNoGoroutine(t *testing.T) {
	paths := writePages(t, 6, 4*ChunkElems)
	before := runtime.NumGoroutine()
	a := StartAhead(paths)
	p := a.Next(paths[0])
	if chunk := <-p.Chunks; len(chunk) != ChunkElems {
		t.Fatalf("first chunk: %d elements", len(chunk))
	}
	time.Sleep(50 * time.Millisecond) // let the decoders fill their chunks
	a.Stop()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after Stop, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
