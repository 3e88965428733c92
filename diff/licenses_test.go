package diff_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A tenant that exported subscribedSkus.json without users.json (only
// Organization.Read.All granted) still has Graph license data: the diff
// compares seats per SKU and says why it leaves the assignments out.
func TestLicensesWithoutUsersAreStillCompared(t *testing.T) {
	t.Parallel()
	noUsers := func(moreSeats bool) func(dir string) {
		return func(dir string) {
			matches, _ := filepath.Glob(filepath.Join(dir, "graph", "users*.json"))
			for _, m := range matches {
				if err := os.Remove(m); err != nil {
					t.Fatal(err)
				}
			}
			if !moreSeats {
				return
			}
			p := filepath.Join(dir, "graph", "subscribedSkus.json")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			s := strings.Replace(string(b), `"enabled": 2,`, `"enabled": 9,`, 1)
			if s == string(b) {
				t.Fatalf("%s has no \"enabled\": 2", p)
			}
			if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	d := compare(t, variant(t, noUsers(false)), variant(t, noUsers(true)))
	l := d.Licenses
	if !l.Reviewed || !strings.Contains(l.Note, "no graph/users.json") || strings.Contains(l.Note, "no Graph license data") {
		t.Fatalf("licenses reviewed=%v note=%q", l.Reviewed, l.Note)
	}
	if len(l.Assignments) != 0 || len(l.SKUs) != 1 || l.SKUs[0].OldEnabled != 2 || l.SKUs[0].NewEnabled != 9 {
		t.Errorf("assignments %+v, SKU changes %+v; want one SKU from 2 to 9 enabled", l.Assignments, l.SKUs)
	}
}
