package tabular

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/store"
)

// accessTestMatrix: 40 users in four profiles, one disabled and one in Read
// mode; a team role whose members do not inherit it; a miscellaneous
// privilege; two sources granting one cell.
func accessTestMatrix() *access.Matrix {
	b := access.NewMatrixBuilder()
	accRead, accWrite := b.Cell("account", "read"), b.Cell("account", "write")
	conRead := b.Cell("contact", "read")
	bulk := b.Cell("", "prvBulkDelete")
	b.Role("sales", "Salesperson", map[int32]int8{accRead: 2, accWrite: 1, conRead: 1})
	b.Role("mgr", "Sales Manager", map[int32]int8{accRead: 8, bulk: 8})
	b.Role("team", "Team Reader", map[int32]int8{conRead: 1})
	sales := access.MatrixSource{RoleID: "sales", Text: "Salesperson@Sales direct"}
	profiles := []int64{
		b.Profile("full", sales, access.MatrixSource{RoleID: "mgr", Text: "Sales Manager@Root team:Managers"}),
		b.Profile("full", sales, access.MatrixSource{RoleID: "team", Text: "Team Reader@Sales team:Readers", TeamNoInherit: true}),
		b.Profile("read", sales),
		b.Profile("disabled", sales),
	}
	for i := 0; i < 40; i++ {
		b.User(fmt.Sprintf("u%02d", i), fmt.Sprintf("user%02d@contoso.example", 39-i), profiles[i%4])
	}
	return b.Matrix()
}

// TestWriteAccessParquet: the file holds exactly the matrix's rows in
// order (user, then table and privilege), across several row groups, and
// two writes give the same bytes.
func TestWriteAccessParquet(t *testing.T) {
	saved := accessRowGroupRows
	accessRowGroupRows = 7 // a row group every few users
	defer func() { accessRowGroupRows = saved }()
	m := accessTestMatrix()
	var want []string
	err := m.EachUser(func(u *access.MatrixUser, p *access.Profile, cells []access.Cell) error {
		for _, c := range cells {
			want = append(want, fmt.Sprintf("%s|%s|%s|%s|%s", u.DomainName, m.Cells[c.PT].Table, m.Cells[c.PT].Privilege,
				vocab.Depths[c.Rank], m.SourcesText(p, c.PT)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var first, second bytes.Buffer
	if err := WriteAccessParquet(&first, m); err != nil {
		t.Fatal(err)
	}
	if err := WriteAccessParquet(&second, m); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Error("two writes of one matrix differ")
	}
	path := filepath.Join(t.TempDir(), "access.parquet")
	if err := os.WriteFile(path, first.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got []string
	err = db.Query(ctx, "read access.parquet", `SELECT concat_ws('|', "user", "table", privilege, depth, sources) FROM read_parquet(?)`,
		func(rows *sql.Rows) error {
			var s string
			got = append(got, s)
			return rows.Scan(&got[len(got)-1])
		}, path)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := db.QueryInt(ctx, "row groups", `SELECT count(DISTINCT row_group_id) FROM parquet_metadata(?)`, path)
	if err != nil {
		t.Fatal(err)
	}
	if groups < 3 {
		t.Errorf("%d row groups; the test means to cross several", groups)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("access.parquet rows:\n%v\nwant:\n%v", got, want)
	}
	// spot checks of the semantics the rows carry: user NN is user 39-NN,
	// in profile (39-NN) % 4
	for _, row := range []string{
		"user03@contoso.example|account|read|global|Sales Manager@Root team:Managers (global); Salesperson@Sales direct (local)",
		"user03@contoso.example||prvBulkDelete|global|Sales Manager@Root team:Managers (global)",
		"user02@contoso.example|contact|read|basic|Salesperson@Sales direct (basic); Team Reader@Sales team:Readers (team)",
		"user01@contoso.example|account|read|local|Salesperson@Sales direct (local)",
	} {
		if !slices.Contains(got, row) {
			t.Errorf("no row %q", row)
		}
	}
	for _, r := range got {
		if strings.HasPrefix(r, "user00@") || strings.HasPrefix(r, "user36@") {
			t.Errorf("a disabled user holds %q", r)
		}
		if strings.HasPrefix(r, "user01@") && !strings.Contains(r, "|read|") {
			t.Errorf("a Read-mode user holds %q", r)
		}
	}
}
