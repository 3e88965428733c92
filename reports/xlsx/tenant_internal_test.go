package xlsx

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// Environments' labels in sheet names are valid, fit with the longest
// matrix sheet and a split's number, and never repeat, even when two
// names agree in their first characters or differ only in case.
func TestEnvSheetLabels(t *testing.T) {
	envs := []string{"prod", "contoso-production-eu", "contoso-production-us", "a:b/c", "PROD"}
	got := envSheetLabels(envs)
	want := []string{"prod", "contoso-prod", "contoso-pr~3", "a_b_c", "PROD~5"}
	if !slices.Equal(got, want) {
		t.Errorf("labels %q, want %q", got, want)
	}
	for _, l := range got {
		for _, b := range matrixBases {
			if n := utf8.RuneCountInString(b + " " + l + " 12"); n > maxSheetName {
				t.Errorf("%q: %d characters", b+" "+l+" 12", n)
			}
		}
	}
}
