package textdiff

import "testing"

func TestFirst(t *testing.T) {
	for _, tc := range []struct{ want, got, diff string }{
		{"a\nb\n", "a\nb\n", "(same lines)"},
		{"a\nb\n", "a\nc\n", "line 2\nwant: \"b\"\ngot:  \"c\""},
		{"a\n", "a\nmore\n", "line 2\nwant: \"\"\ngot:  \"more\""},
		{"a \n", "a\n", "line 1\nwant: \"a \"\ngot:  \"a\""},
	} {
		if d := First(tc.want, tc.got); d != tc.diff {
			t.Errorf("First(%q, %q) = %q, want %q", tc.want, tc.got, d, tc.diff)
		}
	}
}
