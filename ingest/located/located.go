// Package located holds the error type of the ingest readers that can point
// at a place in one input file (rolexml for role files, skucatalog for the
// licensing table): one shape of message, "file:line:column: part: message",
// whichever reader found the problem.
package located

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Error is a problem with one input file, located as precisely as the
// reader can.
type Error struct {
	File string
	// Line is 0 when the problem is not tied to a place in the file (it
	// cannot be read, say).
	Line int
	// Column is the 1-based character position on Line, 0 when the problem
	// is with the whole line; it is shown only with a Line.
	Column int
	// Part names what on the line is at fault, as the message shows it
	// ahead of Msg: an XML attribute ("level") or a CSV column
	// ("column GUID"); empty if nothing narrower than the line.
	Part string
	Msg  string
	// Err is the underlying error, if any (an *xml.SyntaxError, a
	// *csv.ParseError, an *fs.PathError).
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Part != "" {
		fmt.Fprintf(&b, "%s: ", e.Part)
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// PathError reports that the file or directory at path could not be used;
// doing says what failed ("cannot open"). An *fs.PathError repeats the path
// Error already starts with, so only its operation and cause go into Msg.
func PathError(path, doing string, err error) *Error {
	cause := err.Error()
	var pe *os.PathError
	if errors.As(err, &pe) {
		cause = pe.Op + ": " + pe.Err.Error()
	}
	return &Error{File: path, Msg: doing + ": " + cause, Err: err}
}
