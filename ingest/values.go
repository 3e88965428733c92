package ingest

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/d365audit/d365audit/internal/guid"
)

// convert turns a raw value as a reader found it (a CSV string, a decoded
// JSON value, a Parquet scalar) into the canonical Go value of type t:
// string, bool, int64 or time.Time. nil means NULL; an empty string is NULL
// in every format, so CSV and JSON load to the same rows. A value that does
// not fit yields a message saying why.
func convert(t Type, raw any) (any, string) {
	if raw == nil {
		return nil, ""
	}
	if s, ok := raw.(string); ok && strings.TrimSpace(s) == "" {
		return nil, ""
	}
	switch t {
	case GUID:
		return convertGUID(raw)
	case Bool:
		return convertBool(raw)
	case Int:
		return convertInt(raw)
	case Time:
		return convertTime(raw)
	case Decimal:
		return convertDecimal(raw)
	default:
		return convertString(raw)
	}
}

func convertGUID(raw any) (any, string) {
	s, ok := raw.(string)
	if !ok {
		return nil, fmt.Sprintf("expected a GUID, found %s", describe(raw))
	}
	g, ok := guid.Normalize(s)
	if !ok {
		return nil, fmt.Sprintf("not a GUID: %s", quote(s))
	}
	return g, ""
}

func convertBool(raw any) (any, string) {
	switch v := raw.(type) {
	case bool:
		return v, ""
	case map[string]any:
		// The Web API writes managed properties as {"Value": true, "CanBeChanged": ...}.
		if inner, ok := v["Value"]; ok {
			return convertBool(inner)
		}
	case json.Number:
		switch v.String() {
		case "0":
			return false, ""
		case "1":
			return true, ""
		}
	case int64:
		if v == 0 || v == 1 {
			return v == 1, ""
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "1", "yes":
			return true, ""
		case "false", "0", "no":
			return false, ""
		}
		return nil, fmt.Sprintf("not a boolean: %s (expected true/false, 1/0 or Yes/No)", quote(v))
	}
	return nil, fmt.Sprintf("not a boolean: %s", describe(raw))
}

func convertInt(raw any) (any, string) {
	var s string
	switch v := raw.(type) {
	case int64:
		return v, ""
	case json.Number:
		s = v.String()
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v), ""
		}
		return nil, fmt.Sprintf("not an integer: %v", v)
	case string:
		s = strings.TrimSpace(v)
	default:
		return nil, fmt.Sprintf("expected an integer, found %s", describe(raw))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, fmt.Sprintf("not an integer: %s", quote(s))
	}
	return n, ""
}

// timeLayouts are the ISO 8601 forms exports use: the Web API and Graph
// write RFC 3339 in UTC; CSV tools drop the zone or the time.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

func convertTime(raw any) (any, string) {
	switch v := raw.(type) {
	case time.Time:
		return v.UTC(), ""
	case string:
		s := strings.TrimSpace(v)
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), ""
			}
		}
		return nil, fmt.Sprintf("not an ISO 8601 date: %s", quote(s))
	}
	return nil, fmt.Sprintf("expected an ISO 8601 date, found %s", describe(raw))
}

// convertDecimal keeps money as its decimal text; the table's DECIMAL type
// takes it without passing through a float.
func convertDecimal(raw any) (any, string) {
	var s string
	switch v := raw.(type) {
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		s = strconv.FormatInt(v, 10)
	default:
		return nil, fmt.Sprintf("expected a number, found %s", describe(raw))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) >= 1e14 {
		return nil, fmt.Sprintf("not a decimal number: %s", quote(s))
	}
	return s, ""
}

func convertString(raw any) (any, string) {
	switch v := raw.(type) {
	case string:
		return v, ""
	case json.Number:
		return v.String(), ""
	case bool:
		return strconv.FormatBool(v), ""
	case int64:
		return strconv.FormatInt(v, 10), ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), ""
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano), ""
	}
	return nil, fmt.Sprintf("expected text, found %s", describe(raw))
}

func describe(raw any) string {
	switch v := raw.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case bool:
		return "a boolean " + strconv.FormatBool(v)
	case json.Number:
		return "the number " + v.String()
	case string:
		return quote(v)
	}
	return fmt.Sprintf("%v", raw)
}

// utf8Message is the message for a value that is not UTF-8. Exports are
// UTF-8 (INPUT.md); such bytes are an export saved in another encoding
// (Windows-1252 most often), which DuckDB refuses and encoding/json would
// replace without a word: a structural problem, located at its value.
func utf8Message(s string) string {
	return "invalid UTF-8: " + quote(s) + " (files must be UTF-8)"
}

// quote shows a value in a message, cut short so a huge cell stays readable.
func quote(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strconv.Quote(s)
}
