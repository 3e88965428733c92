package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/d365audit/d365audit/rules"
)

// The fingerprint is sha256sum's manifest, sorted by file, hashed: it does
// not depend on the order of the inputs.
func TestInputFingerprint(t *testing.T) {
	a := Input{File: "b.json", SHA256: "bb"}
	b := Input{File: "a.csv", SHA256: "aa"}
	sum := sha256.Sum256([]byte("aa  a.csv\nbb  b.json\n"))
	want := hex.EncodeToString(sum[:])
	if got := InputFingerprint([]Input{a, b}); got != want {
		t.Errorf("InputFingerprint = %s, want %s", got, want)
	}
	if InputFingerprint([]Input{b, a}) != want {
		t.Error("the fingerprint depends on the order of the inputs")
	}
	if InputFingerprint([]Input{{File: "x"}}) == "" {
		t.Error("an input without a digest breaks the fingerprint")
	}
}

// Expired waivers and those in force are counted apart; a waiver in force
// that matches nothing still counts as in force.
func TestWaiverCounts(t *testing.T) {
	r := &Report{Waivers: []rules.WaiverStatus{{Expired: true}, {Matched: []string{"f"}}, {}, {Expired: true}}}
	if inForce, expired := r.WaiverCounts(); inForce != 2 || expired != 2 {
		t.Errorf("WaiverCounts = %d in force, %d expired; want 2, 2", inForce, expired)
	}
}
