package located

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

func TestErrorText(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "a.csv", Msg: "empty"}, "a.csv: empty"},
		{Error{File: "a.csv", Line: 2, Msg: "short row"}, "a.csv:2: short row"},
		{Error{File: "a.csv", Line: 2, Column: 18, Part: "column GUID", Msg: "not a GUID"}, "a.csv:2:18: column GUID: not a GUID"},
		// A column without a line says nothing on its own.
		{Error{File: "a.csv", Column: 18, Msg: "bad"}, "a.csv: bad"},
		{Error{File: "r.xml", Line: 11, Part: "level", Msg: "unknown level"}, "r.xml:11: level: unknown level"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v: Error() = %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestPathError(t *testing.T) {
	_, err := os.Open("no/such/file")
	e := PathError("no/such/file", "cannot open", err)
	// The path is said once, by File, not again by the *fs.PathError.
	var pe *fs.PathError
	errors.As(err, &pe)
	if want := "no/such/file: cannot open: open: " + pe.Err.Error(); e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if !errors.Is(e, fs.ErrNotExist) {
		t.Errorf("%v does not unwrap to fs.ErrNotExist", e)
	}
}
