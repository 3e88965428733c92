// Package jsonpage decodes the JSON pages of an export: Dataverse Web API
// and Microsoft Graph response bodies ({"value": [...], "@odata.nextLink":
// ...}), plain arrays, and the single object PowerShell writes for a
// one-item list, element by element, into the values encoding/json decodes
// with UseNumber.
//
// It exists because encoding/json was most of a JSON load's CPU time (9.5
// of 16 CPU-seconds for a 100,000-user export): its Decoder scans every
// value twice and goes through reflection for each. Decode parses a page in
// one pass instead, and is stricter where encoding/json is silent: a
// second "value" array is an error, and a string that is not UTF-8 is
// reported with where it sits (BadUTF8) instead of being replaced by
// U+FFFD without a word. Anything the fast parser does not accept
// (malformed JSON, escapes, a body of another shape) goes to encoding/json,
// so elements and error messages are encoding/json's whichever path a page
// takes; the differential fuzz target FuzzJSONFastParser holds the two to
// the same output. Ahead decodes a table's pages on goroutines of their
// own while the loader maps the current one.
package jsonpage
