// Package locatedtest checks errors from the readers that return
// *located.Error, for their tests.
package locatedtest

import (
	"errors"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/ingest/located"
)

// AssertError checks err is a *located.Error whose text contains every part.
func AssertError(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	var e *located.Error
	if !errors.As(err, &e) {
		t.Errorf("error %T is not an *Error: %v", err, err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}
