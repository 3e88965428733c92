package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	script := `-- a comment;
CREATE TABLE a (x VARCHAR);
INSERT INTO a
SELECT array_to_string(['p', 'q'], '; ');
-- only a comment at the end`
	got := SplitStatements(script)
	want := []string{"-- a comment;\nCREATE TABLE a (x VARCHAR);", "INSERT INTO a\nSELECT array_to_string(['p', 'q'], '; ');"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// ExecScript runs every statement and names the one that fails.
func TestExecScript(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.ExecScript(ctx, "ok", "CREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1), (2);"); err != nil {
		t.Fatal(err)
	}
	if n, err := db.QueryInt(ctx, "count", "SELECT count(*) FROM a"); err != nil || n != 2 {
		t.Errorf("count = %d, %v; want 2", n, err)
	}
	err = db.ExecScript(ctx, "broken", "INSERT INTO a VALUES (3);\nSELECT * FROM nowhere;")
	if err == nil || !strings.Contains(err.Error(), "broken, statement 2") {
		t.Errorf("error %v does not name statement 2", err)
	}
}
