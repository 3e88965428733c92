package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/d365audit/d365audit/queries"
	"github.com/d365audit/d365audit/reports"
)

type accessOptions struct {
	input, user, table, format string
}

type whoCanOptions struct {
	input, table, privilege, minDepth, format string
}

var formatFlagUsage = "output `FORMAT`: table (for a terminal), csv or json"

func checkFormat(f string) error {
	switch f {
	case "table", "csv", "json":
		return nil
	}
	return badInput(fmt.Errorf("--format %q: expected table, csv or json", f))
}

func newAccessCommand() *cli.Command {
	var o accessOptions
	return &cli.Command{
		Name:  "access",
		Usage: "one user's effective access: every table and privilege, at which depth, and why",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: "export `DIR`, or the audit.duckdb of a run", Required: true, Destination: &o.input},
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "`USER`: domainname, systemuserid or full name", Required: true, Destination: &o.user},
			&cli.StringFlag{Name: "table", Aliases: []string{"t"}, Usage: "only this `TABLE` (logical name)", Destination: &o.table},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: formatFlagUsage, Destination: &o.format},
		},
		Action: action(func(ctx context.Context, cmd *cli.Command) error { return access(ctx, o, cmd.Writer) }),
	}
}

func access(ctx context.Context, o accessOptions, w io.Writer) error {
	if err := checkFormat(o.format); err != nil {
		return err
	}
	db, err := openAudit(ctx, o.input)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := queries.FindUsers(ctx, db, o.user)
	if err != nil {
		return err
	}
	switch {
	case len(users) == 0:
		return badInput(fmt.Errorf("no user is called %q (give a domainname, systemuserid or full name)", o.user))
	case len(users) > 1:
		var names []string
		for _, u := range users {
			names = append(names, u.DomainName+" ("+u.ID+")")
		}
		return badInput(fmt.Errorf("%q names %d users: %s; give the domainname or systemuserid", o.user, len(users), strings.Join(names, ", ")))
	}
	u := users[0]
	rows, err := queries.UserAccess(ctx, db, u.ID, o.table)
	if err != nil {
		return err
	}
	if o.format != "table" {
		return writeAccessRows(w, o.format, rows)
	}
	fields, err := queries.UserFieldAccess(ctx, db, u.ID, o.table)
	if err != nil {
		return err
	}
	state := "enabled"
	if u.Disabled {
		state = "disabled: holds nothing"
	}
	fmt.Fprintf(w, "%s (%s), %s, access mode %s\n\n", u.FullName, u.DomainName, state, accessModeName(u.AccessMode))
	writeAccessTable(w, rows)
	if len(fields) > 0 {
		fmt.Fprintln(w, "\nSecured columns (field security):")
		t := newTextTable("table", "column", "read", "create", "update", "sources")
		for _, f := range fields {
			t.add(f.Table, f.Column, yesNo(f.Read), yesNo(f.Create), yesNo(f.Update), f.Sources)
		}
		t.write(w)
	}
	return nil
}

func newWhoCanCommand() *cli.Command {
	var o whoCanOptions
	return &cli.Command{
		Name:  "who-can",
		Usage: "every user who can do PRIVILEGE on TABLE, at which depth, and how",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: "export `DIR`, or the audit.duckdb of a run", Required: true, Destination: &o.input},
			&cli.StringFlag{Name: "table", Aliases: []string{"t"}, Usage: "`TABLE` (logical name); omit for a miscellaneous privilege such as prvBulkDelete", Destination: &o.table},
			&cli.StringFlag{Name: "privilege", Aliases: []string{"p"}, Usage: "`PRIVILEGE`: create, read, write, delete, append, appendto, assign, share, or a full prv name", Required: true, Destination: &o.privilege},
			&cli.StringFlag{Name: "min-depth", Usage: "only grants at `DEPTH` or above: team, basic, local, deep, global", Destination: &o.minDepth},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: formatFlagUsage, Destination: &o.format},
		},
		Action: action(func(ctx context.Context, cmd *cli.Command) error { return whoCan(ctx, o, cmd.Writer) }),
	}
}

func whoCan(ctx context.Context, o whoCanOptions, w io.Writer) error {
	if err := checkFormat(o.format); err != nil {
		return err
	}
	if o.minDepth != "" && queries.DepthRank(o.minDepth) < 0 {
		return badInput(fmt.Errorf("--min-depth %q: expected one of %s", o.minDepth, strings.Join(queries.Depths, ", ")))
	}
	if o.table == "" && !strings.HasPrefix(strings.ToLower(o.privilege), "prv") {
		return badInput(fmt.Errorf("--table is required for a table privilege such as %q", o.privilege))
	}
	db, err := openAudit(ctx, o.input)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := queries.WhoCan(ctx, db, o.table, o.privilege, o.minDepth)
	if err != nil {
		return err
	}
	if o.format != "table" {
		return writeAccessRows(w, o.format, rows)
	}
	what := o.privilege + " on " + o.table
	if o.table == "" {
		what = o.privilege
	}
	if o.minDepth != "" {
		what += " at " + o.minDepth + " depth or above"
	}
	fmt.Fprintf(w, "%d %s can %s\n\n", len(rows), plural(len(rows), "user", "users"), what)
	writeAccessTable(w, rows)
	return nil
}

// writeAccessRows writes access rows for machines: csv or json.
func writeAccessRows(w io.Writer, format string, rows []queries.AccessRow) error {
	if format == "json" {
		return writeJSON(w, rows)
	}
	return writeAccessCSV(w, rows)
}

func writeAccessCSV(w io.Writer, rows []queries.AccessRow) error {
	t := newCSVTable(w, "user", "table", "privilege", "depth", "sources")
	for _, r := range rows {
		t.row(r.User, r.Table, r.Privilege, r.Depth, r.Sources)
	}
	return t.flush()
}

// csvTable writes CSV with cells defused against formula injection.
type csvTable struct{ cw *csv.Writer }

func newCSVTable(w io.Writer, header ...string) *csvTable {
	t := &csvTable{cw: csv.NewWriter(w)}
	t.cw.Write(header)
	return t
}

func (t *csvTable) row(cells ...string) {
	for i := range cells {
		cells[i] = reports.SafeCell(cells[i])
	}
	t.cw.Write(cells)
}

func (t *csvTable) flush() error {
	t.cw.Flush()
	return t.cw.Error()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeAccessTable(w io.Writer, rows []queries.AccessRow) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "(no access)")
		return
	}
	t := newTextTable("user", "table", "privilege", "depth", "sources")
	for _, r := range rows {
		table := r.Table
		if table == "" {
			table = "(miscellaneous)"
		}
		t.add(r.User, table, r.Privilege, r.Depth, r.Sources)
	}
	t.write(w)
}

func accessModeName(m int64) string {
	names := map[int64]string{0: "Read-Write", 1: "Administrative", 2: "Read", 3: "Support User", 4: "Non-interactive", 5: "Delegated Admin"}
	if n, ok := names[m]; ok {
		return fmt.Sprintf("%d (%s)", m, n)
	}
	return fmt.Sprint(m)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// textTable lays out columns for a terminal; the last column is not padded.
type textTable struct {
	header []string
	rows   [][]string
}

func newTextTable(header ...string) *textTable { return &textTable{header: header} }

func (t *textTable) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *textTable) write(w io.Writer) {
	widths := make([]int, len(t.header))
	for _, r := range append([][]string{t.header}, t.rows...) {
		for i, c := range r {
			if n := len([]rune(c)); n > widths[i] {
				widths[i] = n
			}
		}
	}
	for _, r := range append([][]string{t.header}, t.rows...) {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
