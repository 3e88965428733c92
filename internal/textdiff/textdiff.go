// Package textdiff says where a writer's text dump first departs from its
// golden file (the golden tests of reports/pdf and reports/xlsx), or where
// one list of lines first departs from another.
package textdiff

import (
	"fmt"
	"strings"
)

// First names the first line where got differs from want, both quoted so
// that white space shows; "(same lines)" when none does.
func First(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d\nwant: %q\ngot:  %q", i+1, a, b)
		}
	}
	return "(same lines)"
}
