package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/urfave/cli/v3"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/queries"
	"github.com/d365audit/d365audit/reports/tabular"
)

type accessOptions struct {
	input, policy, user, table, format string
}

type whoCanOptions struct {
	input, policy, table, privilege, minDepth, format string
}

var formatFlagUsage = "output `FORMAT`: table (for a terminal), csv or json"

// modelFlags are the flags that say what the access questions are asked
// of: an export (with its policy, as run reads it) or a run.
func modelFlags(input, policy *string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: "export `DIR`, a run's output directory, or its audit.duckdb", Required: true, Destination: input},
		&cli.StringFlag{Name: "policy", Usage: "policy `FILE` for an export (default: DIR/policy.yaml, as run)", Destination: policy},
	}
}

// badQuestion makes a question the export cannot answer (a name it does
// not know) a usage error, exit 2.
func badQuestion(err error) error {
	var q *queries.QuestionError
	if errors.As(err, &q) {
		return badInput(err)
	}
	return err
}

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
		Flags: append(modelFlags(&o.input, &o.policy),
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "`USER`: domainname, systemuserid or full name", Required: true, Destination: &o.user},
			&cli.StringFlag{Name: "table", Aliases: []string{"t"}, Usage: "only this `TABLE` (logical name)", Destination: &o.table},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: formatFlagUsage, Destination: &o.format},
		),
		Action: action(func(ctx context.Context, cmd *cli.Command) error { return access(ctx, o, cmd.Writer) }),
	}
}

func access(ctx context.Context, o accessOptions, w io.Writer) error {
	if err := checkFormat(o.format); err != nil {
		return err
	}
	db, err := openAudit(ctx, o.input, o.policy)
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
		closest, err := queries.SuggestUsers(ctx, db, o.user)
		if err != nil {
			return err
		}
		return badInput(fmt.Errorf("no user is called %q (give a domainname, systemuserid or full name)%s", o.user, closest))
	case len(users) > 1:
		var names []string
		for _, u := range users {
			names = append(names, u.DomainName+" ("+u.ID+")")
		}
		return badInput(fmt.Errorf("%q names %d users: %s; give the domainname or systemuserid", o.user, len(users), strings.Join(names, ", ")))
	}
	u := users[0]
	if o.table != "" {
		if _, err := queries.TableRightsOf(ctx, db, o.table); err != nil {
			return badQuestion(err)
		}
	}
	rows, err := queries.UserAccess(ctx, db, u.ID, o.table)
	if err != nil {
		return err
	}
	if o.format != "table" {
		return writeAccessRows(w, o.format, rows, false)
	}
	fields, err := queries.UserFieldAccess(ctx, db, u.ID, o.table)
	if err != nil {
		return err
	}
	state := "enabled"
	if u.Disabled {
		state = "disabled: holds nothing"
	}
	fmt.Fprintf(w, "%s (%s), %s, %s, access mode %s\n\n", u.FullName, u.DomainName, u.BusinessUnit, state, accessModeName(u.AccessMode))
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
		Flags: append(modelFlags(&o.input, &o.policy),
			&cli.StringFlag{Name: "table", Aliases: []string{"t"}, Usage: "`TABLE` (logical name); omit for a full privilege name", Destination: &o.table},
			&cli.StringFlag{Name: "privilege", Aliases: []string{"p"}, Usage: "`PRIVILEGE`: create, read, write, delete, append, appendto, assign, share, or a full name (prvDeleteAccount, prvBulkDelete)", Required: true, Destination: &o.privilege},
			&cli.StringFlag{Name: "min-depth", Usage: "only grants at `DEPTH` or above: " + queries.DepthNames, Destination: &o.minDepth},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: formatFlagUsage, Destination: &o.format},
		),
		Action: action(func(ctx context.Context, cmd *cli.Command) error { return whoCan(ctx, o, cmd.Writer) }),
	}
}

func whoCan(ctx context.Context, o whoCanOptions, w io.Writer) error {
	if err := checkFormat(o.format); err != nil {
		return err
	}
	if o.minDepth != "" && queries.DepthRank(o.minDepth) < 0 {
		return badInput(fmt.Errorf("--min-depth %q: expected one of %s", o.minDepth, queries.DepthNames))
	}
	p := strings.TrimSpace(o.privilege)
	if !strings.HasPrefix(strings.ToLower(p), "prv") {
		if !queries.IsTableRight(p) {
			return badInput(fmt.Errorf("--privilege %q: expected one of %s, or a full privilege name (prvDeleteAccount, prvBulkDelete)",
				o.privilege, strings.Join(queries.TableRights, ", ")))
		}
		if o.table == "" {
			return badInput(fmt.Errorf("--table is required for a table privilege such as %q (or give the full name, prv%s...)", o.privilege, p))
		}
	}
	db, err := openAudit(ctx, o.input, o.policy)
	if err != nil {
		return err
	}
	defer db.Close()
	table, privilege, err := queries.ResolvePrivilege(ctx, db, o.table, o.privilege)
	if err != nil {
		return badQuestion(err)
	}
	rows, err := queries.WhoCan(ctx, db, table, privilege, o.minDepth)
	if err != nil {
		return err
	}
	if o.format != "table" {
		return writeAccessRows(w, o.format, rows, true)
	}
	what := privilege + " on " + table
	if table == "" {
		what = privilege
	}
	if o.minDepth != "" {
		what += " at " + queries.Depths[queries.DepthRank(o.minDepth)] + " depth or above"
	}
	fmt.Fprintf(w, "%d %s can %s\n\n", len(rows), plural(len(rows), "user", "users"), what)
	writeWhoCanTable(w, rows)
	return nil
}

// writeWhoCanTable lays out who-can's answer: who each user is, beside the
// depth and the grants that give it.
func writeWhoCanTable(w io.Writer, rows []queries.AccessRow) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "(nobody)")
		return
	}
	t := newTextTable("user", "full name", "business unit", "depth", "sources")
	for _, r := range rows {
		t.add(r.User, r.FullName, r.BusinessUnit, r.Depth, r.Sources)
	}
	t.write(w)
}

// writeAccessRows writes access rows for machines: csv or json.
func writeAccessRows(w io.Writer, format string, rows []queries.AccessRow, who bool) error {
	if format == "json" {
		return writeJSON(w, rows)
	}
	return writeAccessCSV(w, rows, who)
}

// writeAccessCSV writes access rows; who-can's rows, which say who each
// user is, get the full name and business unit beside the user.
func writeAccessCSV(w io.Writer, rows []queries.AccessRow, who bool) error {
	if !who {
		t := newCSVTable(w, "user", "table", "privilege", "depth", "sources")
		for _, r := range rows {
			t.row(r.User, r.Table, r.Privilege, r.Depth, r.Sources)
		}
		return t.flush()
	}
	t := newCSVTable(w, "user", "full_name", "business_unit", "table", "privilege", "depth", "sources")
	for _, r := range rows {
		t.row(r.User, r.FullName, r.BusinessUnit, r.Table, r.Privilege, r.Depth, r.Sources)
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
		cells[i] = tabular.SafeCell(cells[i])
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
	if name, ok := ingest.AccessModes.Label(m); ok {
		return fmt.Sprintf("%d (%s)", m, name)
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
// Widths are display widths: 田中 愛子 takes nine columns, not five.
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
			if n := runewidth.StringWidth(c); n > widths[i] {
				widths[i] = n
			}
		}
	}
	for _, r := range append([][]string{t.header}, t.rows...) {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-runewidth.StringWidth(c)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
