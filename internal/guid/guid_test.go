package guid

import "testing"

func TestNormalize(t *testing.T) {
	const want = "0a1b2c3d-0000-4000-8000-00000000abcd"
	for _, in := range []string{
		want, "0A1B2C3D-0000-4000-8000-00000000ABCD", "{0a1b2c3d-0000-4000-8000-00000000abcd}",
		" {0A1B2C3D-0000-4000-8000-00000000abcd}\t", "0a1b2c3d-0000-4000-8000-00000000abcd\u00a0",
	} {
		if got, ok := Normalize(in); !ok || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "not-a-guid", "0a1b2c3d00000-4000-8000-00000000abcd", "0a1b2c3d-0000-4000-8000-00000000abcg",
		"{0a1b2c3d-0000-4000-8000-00000000abcd", "0a1b2c3d-0000-4000-8000-00000000abcd0"} {
		if got, ok := Normalize(in); ok {
			t.Errorf("Normalize(%q) = %q, true; want false", in, got)
		}
	}
}
