package ingest

import "testing"

// TestDataverseMapperTwoKeysOneColumn: when a row names one column twice
// (the Web API's _x_value and another tool's x), the value taken does not
// depend on the order Go walks the map in: the first non-null key in key
// order wins.
func TestDataverseMapperTwoKeysOneColumn(t *testing.T) {
	users, ok := TableByName("systemusers")
	if !ok {
		t.Fatal("no systemusers table")
	}
	bu := columnIndex(users)["businessunitid"]
	mapper := dataverseMapper(users)
	for _, c := range []struct {
		obj  map[string]any
		want any
	}{
		{map[string]any{"_businessunitid_value": "a", "businessunitid": "b"}, "a"},
		{map[string]any{"_businessunitid_value": nil, "businessunitid": "b"}, "b"},
		{map[string]any{"BusinessUnitId": "c", "businessunitid": "d"}, "c"},
	} {
		for range 50 { // map order is random from one walk to the next
			mapper(c.obj, func(vals []any, _ map[string]any) {
				if vals[bu] != c.want {
					t.Fatalf("%v: businessunitid %v, want %v", c.obj, vals[bu], c.want)
				}
			})
		}
	}
}
