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

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"{85BC5652-7A68-EF11-85AF-000D3A53555C}\u00a0": "85bc5652-7a68-ef11-85af-000d3a53555c", // a GUID: Normalize's form
		" {Legacy Role} ":       "legacy role", // no GUID: trimmed, lower case
		"ann.smith@contoso.com": "ann.smith@contoso.com",
		"":                      "",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}
