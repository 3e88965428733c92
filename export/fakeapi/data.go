package fakeapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// row is one record, values as encoding/json decodes them (numbers as
// json.Number, so they are served exactly as written).
type row map[string]any

// entitySets are the Dataverse tables the fake environment holds.
var entitySets = []string{"businessunits", "systemusers", "roles", "privileges", "roleprivilegescollection",
	"systemuserrolescollection", "teams", "teammemberships", "teamrolescollection", "fieldsecurityprofiles",
	"fieldpermissions", "systemuserprofilescollection", "teamprofilescollection", "organizations"}

// readTable reads NAME.json and its pages NAME.2.json, ... or NAME.csv
// from dir; a table with no file is empty.
func readTable(dir, name string) ([]row, error) {
	var rows []row
	for page := 1; ; page++ {
		file := filepath.Join(dir, name+".json")
		if page > 1 {
			file = filepath.Join(dir, fmt.Sprintf("%s.%d.json", name, page))
		}
		b, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
		var body struct {
			Value []row `json:"value"`
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		rows = append(rows, body.Value...)
	}
	if rows != nil {
		return rows, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, name+".csv"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return csvRows(b)
}

var integer = regexp.MustCompile(`^-?[0-9]+$`)

// csvRows turns a CSV export into the rows the Web API would have sent:
// integers as numbers, booleans (true/false, Yes/No) as JSON booleans, an
// empty cell as null, everything else as the string it is.
func csvRows(b []byte) ([]row, error) {
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(records) == 0 {
		return nil, err
	}
	header := records[0]
	rows := make([]row, 0, len(records)-1)
	for _, rec := range records[1:] {
		r := row{}
		for i, col := range header {
			r[col] = webAPIValue(rec[i])
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func webAPIValue(s string) any {
	switch strings.ToLower(s) {
	case "":
		return nil
	case "true", "yes":
		return true
	case "false", "no":
		return false
	}
	if integer.MatchString(s) {
		return json.Number(s)
	}
	return s
}

// entityDefinitions builds the EntityDefinitions the privilege table came
// from: per table (objecttypecode), its privileges.
func entityDefinitions(codes, privileges []row) []row {
	names := map[string]any{}
	for _, p := range privileges {
		names[strings.ToLower(fmt.Sprint(p["privilegeid"]))] = p["name"]
	}
	var defs []row
	byTable := map[string]row{}
	for _, c := range codes {
		table := fmt.Sprint(c["objecttypecode"])
		def, ok := byTable[table]
		if !ok {
			def = row{"LogicalName": table, "Privileges": []any{}}
			byTable[table] = def
			defs = append(defs, def)
		}
		id := c["privilegeid"]
		def["Privileges"] = append(def["Privileges"].([]any),
			map[string]any{"PrivilegeId": id, "Name": names[strings.ToLower(fmt.Sprint(id))]})
	}
	return defs
}

// selected is r with exactly the columns of sel, in that order, the way a
// $select is answered: a lookup asked as _x_value is served from x when the
// file spelled it so. Dataverse sends a column with no value as null
// (nulls true); Graph's answers here keep what the file had and leave out
// what it had not. No sel sends the whole row.
func selected(r row, sel []string, nulls bool) []byte {
	if sel == nil {
		b, _ := json.Marshal(r)
		return b
	}
	var b bytes.Buffer
	b.WriteByte('{')
	if etag, ok := r["@odata.etag"]; ok {
		writeField(&b, "@odata.etag", etag)
	}
	for _, col := range sel {
		v, ok := r[col]
		if !ok && strings.HasPrefix(col, "_") && strings.HasSuffix(col, "_value") {
			v, ok = r[strings.TrimSuffix(strings.TrimPrefix(col, "_"), "_value")]
		}
		if ok || nulls {
			writeField(&b, col, v)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

func writeField(b *bytes.Buffer, name string, v any) {
	if b.Len() > 1 {
		b.WriteByte(',')
	}
	k, _ := json.Marshal(name)
	val, _ := json.Marshal(v)
	b.Write(k)
	b.WriteByte(':')
	b.Write(val)
}
