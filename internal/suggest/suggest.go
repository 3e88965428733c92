// Package suggest finds the names closest to one a person typed, for "did
// you mean" in errors: a misspelt table in who-can or in a policy must be an
// error that points at the right name, never an empty answer.
package suggest

import (
	"sort"
	"strings"
)

// Closest returns up to n candidates nearest to word (case-insensitive edit
// distance), nearest first, ties in alphabetical order. Candidates further
// than a quarter of the word's length (1 to 3 edits) are not suggestions; a
// candidate that contains the word (or is contained in it) always is.
func Closest(word string, candidates []string, n int) []string {
	w := strings.ToLower(strings.TrimSpace(word))
	if w == "" || n <= 0 {
		return nil
	}
	limit := min(max(len([]rune(w))/4, 1), 3)
	type scored struct {
		name string
		dist int
	}
	var hits []scored
	seen := map[string]bool{}
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if c == "" || seen[lc] {
			continue
		}
		seen[lc] = true
		d := distance(w, lc)
		if d > limit && !(len(w) >= 3 && (strings.Contains(lc, w) || strings.Contains(w, lc) && len(lc) >= 3)) {
			continue
		}
		hits = append(hits, scored{c, d})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].dist != hits[j].dist {
			return hits[i].dist < hits[j].dist
		}
		return hits[i].name < hits[j].name
	})
	out := make([]string, 0, n)
	for i := 0; i < len(hits) && i < n; i++ {
		out = append(out, hits[i].name)
	}
	return out
}

// DidYouMean is "; did you mean a, b or c?" for the closest candidates, or
// "" when none is close.
func DidYouMean(word string, candidates []string) string {
	return Phrase(Closest(word, candidates, 3))
}

// Phrase is "; did you mean a, b or c?" for suggestions already found, or
// "" for none.
func Phrase(c []string) string {
	switch len(c) {
	case 0:
		return ""
	case 1:
		return "; did you mean " + c[0] + "?"
	}
	return "; did you mean " + strings.Join(c[:len(c)-1], ", ") + " or " + c[len(c)-1] + "?"
}

// distance is the Levenshtein distance between a and b, over runes, with
// an adjacent swap counting as one edit (paymnet for payment).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
