// Package guid normalises GUIDs the way every input writes them: Dataverse
// and Graph write lower-case, PowerShell and Excel upper-case, some exports
// braces, and one SKU id in Microsoft's published licensing table ends in
// a no-break space. The audit compares them in one form: lower case,
// without braces.
package guid

import (
	"strings"
	"unicode"
)

// Normalize returns s as a lower-case GUID without braces, and whether s is
// a GUID at all. Surrounding white space (any Unicode space) is ignored.
func Normalize(s string) (string, bool) {
	if canonical(s) { // the usual case: no copy
		return s, true
	}
	s = strings.TrimFunc(s, unicode.IsSpace)
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	if len(s) != 36 {
		return "", false
	}
	b := []byte(s)
	for i, c := range b {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", false
			}
			continue
		}
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			b[i] = c + ('a' - 'A')
		default:
			return "", false
		}
	}
	return string(b), true
}

// canonical says whether s is already a lower-case GUID without braces.
func canonical(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// Key is the form an identifier that may or may not be a GUID is compared
// in (a waiver's or a finding's subject, a user a person typed): the GUID
// as Normalize writes it, or else s without surrounding white space and
// braces, in lower case.
func Key(s string) string {
	if g, ok := Normalize(s); ok {
		return g
	}
	return strings.ToLower(strings.Trim(strings.TrimSpace(s), "{}"))
}
