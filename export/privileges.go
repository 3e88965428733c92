package export

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// privilegeRows turns pages of EntityDefinitions?$select=LogicalName,Privileges
// into the rows of privilegeobjecttypecodes: one per table and privilege
// (a privilege shared by several tables appears once per table).
type privilegeRows struct {
	rows []privilegeRow
}

type privilegeRow struct {
	PrivilegeID    string `json:"privilegeid"`
	ObjectTypeCode string `json:"objecttypecode"`
}

// addPage reads the value array of one EntityDefinitions page.
func (p *privilegeRows) addPage(values []json.RawMessage) error {
	for i, raw := range values {
		var e struct {
			LogicalName string `json:"LogicalName"`
			Privileges  []struct {
				PrivilegeID string `json:"PrivilegeId"`
			} `json:"Privileges"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("EntityDefinitions value[%d]: %w", i, err)
		}
		for _, pr := range e.Privileges {
			p.rows = append(p.rows, privilegeRow{PrivilegeID: pr.PrivilegeID, ObjectTypeCode: e.LogicalName})
		}
	}
	return nil
}

// file is the table as a plain JSON array (INPUT.md accepts arrays), one
// row per line so a reviewer can read and diff it.
func (p *privilegeRows) file() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("[")
	for i, r := range p.rows {
		line, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
		b.Write(line)
	}
	b.WriteString("\n]\n")
	return b.Bytes(), nil
}
