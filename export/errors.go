package export

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
)

// UsageError is a problem with the options: nothing was requested and
// nothing written.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErr(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// AuthError is a token the credential could not get.
type AuthError struct {
	Scope string
	Err   error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("get an access token for %s: %v", e.Scope, e.Err)
}
func (e *AuthError) Unwrap() error { return e.Err }

// RefusedError is a table the service would not give: 401, 403 or 404.
// Its message says what to grant.
type RefusedError struct {
	Table Table
	HTTP  *HTTPError
}

func (e *RefusedError) Unwrap() error { return e.HTTP }

func (e *RefusedError) Error() string {
	h := e.HTTP
	msg := fmt.Sprintf("%s: HTTP %d %s: %s", e.Table.Name, h.Status, http.StatusText(h.Status), e.advice())
	if h.Message != "" {
		msg += fmt.Sprintf(" (the service said: %s)", h.Message)
	}
	return msg
}

// privilegeName finds the privilege a Dataverse refusal names ("Principal
// user ... is missing prvReadRole privilege ...").
var privilegeName = regexp.MustCompile(`\bprv[A-Z][A-Za-z0-9_]*`)

func (e *RefusedError) advice() string {
	t, status := e.Table, e.HTTP.Status
	switch {
	case status == http.StatusUnauthorized && t.Source == Dataverse:
		return "the environment did not accept the token. An app registration needs an application user in this " +
			"environment (Power Platform admin center > Environments > the environment > Settings > Users + " +
			"permissions > Application users) holding a read-only security role; a person must be a user of the " +
			"environment. Check --env and --tenant"
	case status == http.StatusUnauthorized:
		return "Microsoft Graph did not accept the token: check --tenant, and that the app's Graph permissions " +
			"have admin consent"
	case status == http.StatusForbidden && t.Source == Dataverse:
		if p := privilegeName.FindString(e.HTTP.Message); p != "" {
			return fmt.Sprintf("the caller's security role lacks %s; the read-only role needs %s", p, t.Needs)
		}
		return "the caller's security role needs " + t.Needs
	case status == http.StatusForbidden:
		return "the app needs " + t.Needs
	default:
		return "the service does not offer this query here (a table this environment does not have?)"
	}
}

// refusal classifies err: a RefusedError when the service refused the
// table for good, nil otherwise.
func refusal(t Table, err error) *RefusedError {
	var h *HTTPError
	if !errors.As(err, &h) {
		return nil
	}
	switch h.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return &RefusedError{Table: t, HTTP: h}
	}
	return nil
}

// IncompleteError is an export that failed. Nothing was written at the
// output directory; what was fetched is kept in Dir, marked incomplete and
// laid out so that validate and run refuse it.
type IncompleteError struct {
	Dir string // "" when nothing was kept
	Err error
}

func (e *IncompleteError) Unwrap() error { return e.Err }

func (e *IncompleteError) Error() string {
	if e.Dir == "" {
		return fmt.Sprintf("export failed: %v", e.Err)
	}
	return fmt.Sprintf("export failed: %v\nnothing was written to the output directory; what was fetched is in %s (marked incomplete: not an export)",
		e.Err, e.Dir)
}
