package ingest

import (
	"fmt"
	"sort"
	"strings"
)

// Kind says how bad a problem is.
type Kind int

const (
	// Structural problems make the export unusable: nothing is written.
	Structural Kind = iota
	// Dangling references are kept as data-quality facts for the
	// DATA_DANGLING_REFERENCE rule.
	Dangling
	// Notice is worth telling (an unrecognised file) but changes nothing.
	Notice
)

func (k Kind) String() string {
	return [...]string{"error", "dangling reference", "notice"}[k]
}

// Problem is one thing wrong with the input, located as precisely as the
// format allows.
type Problem struct {
	Kind     Kind
	File     string // relative to the input directory
	Location string // "line 12" (CSV), "$.value[3]" (JSON), "row 7" (Parquet); empty for the whole file
	Column   string
	Message  string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Location != "" {
		b.WriteString(": ")
		b.WriteString(p.Location)
	}
	if p.Column != "" {
		if p.Location != "" && strings.HasPrefix(p.Location, "$") {
			b.WriteString(".")
		} else {
			b.WriteString(", column ")
		}
		b.WriteString(p.Column)
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	return b.String()
}

// Problems collects the problems of one load. Every reader reports into it
// and goes on, so validate can show every problem at once.
type Problems struct {
	list []Problem
	// limit per file and column keeps a file with a million bad rows from
	// flooding the report; the overflow is counted, not dropped silently.
	perColumn map[string]int
	overflow  map[string]int
}

const maxProblemsPerColumn = 20

func (ps *Problems) add(p Problem) {
	if ps.perColumn == nil {
		ps.perColumn = map[string]int{}
		ps.overflow = map[string]int{}
	}
	key := p.File + "\x00" + p.Column + "\x00" + p.Kind.String()
	if ps.perColumn[key] >= maxProblemsPerColumn {
		ps.overflow[key]++
		return
	}
	ps.perColumn[key]++
	ps.list = append(ps.list, p)
}

func (ps *Problems) addf(kind Kind, file, loc, col, format string, args ...any) {
	ps.add(Problem{Kind: kind, File: file, Location: loc, Column: col, Message: fmt.Sprintf(format, args...)})
}

// List returns the problems, sorted by file, then in reading order, with one
// summary line per file and column whose problems were capped.
func (ps *Problems) List() []Problem {
	out := append([]Problem(nil), ps.list...)
	keys := make([]string, 0, len(ps.overflow))
	for k := range ps.overflow {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts := strings.SplitN(k, "\x00", 3)
		kind := Structural
		for _, k := range []Kind{Dangling, Notice} {
			if parts[2] == k.String() {
				kind = k
			}
		}
		out = append(out, Problem{Kind: kind, File: parts[0], Column: parts[1],
			Message: fmt.Sprintf("%d more problems like the above not shown", ps.overflow[k])})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

// Count returns how many problems of kind were found, including capped ones.
func (ps *Problems) Count(kind Kind) int {
	n := 0
	for _, p := range ps.list {
		if p.Kind == kind {
			n++
		}
	}
	for k, c := range ps.overflow {
		if strings.HasSuffix(k, "\x00"+kind.String()) {
			n += c
		}
	}
	return n
}
