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
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/reports/tabular"
	"github.com/d365audit/d365audit/store"
)

type accessOptions struct {
	input, policy, environment, user, table, format string
}

type whoCanOptions struct {
	input, policy, environment, table, privilege, minDepth, format string
}

// modelFlags are the flags that say what the access questions are asked
// of: an export (with its policy, as run reads it) or a run.
func modelFlags(input, policy, environment *string) []cli.Flag {
	return []cli.Flag{
		inputFlag(input, "export or tenant `DIR`, a run's output directory, or its audit.duckdb"),
		policyFlag(policy, "policy `FILE` for an export (default: DIR/policy.yaml, as run)"),
		&cli.StringFlag{Name: "environment", Aliases: []string{"e"}, Usage: "of a tenant, only environment `NAME` (default: every one, with an environment column)", Destination: environment},
	}
}

// badQuestion makes a question the export cannot answer (a name it does
// not know) a usage error, exit 2.
func badQuestion(err error) error {
	var q *access.QuestionError
	if errors.As(err, &q) {
		return badInput(err)
	}
	return err
}

func newAccessCommand() *cli.Command {
	var o accessOptions
	return &cli.Command{
		Name:  "access",
		Usage: "one user's effective access: every table and privilege, at which depth, and why",
		Flags: append(modelFlags(&o.input, &o.policy, &o.environment),
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "`USER`: domainname, systemuserid or full name", Required: true, Destination: &o.user},
			tableFlag(&o.table, "only this `TABLE` (logical name)"),
			formatFlag(&o.format, tableFormats),
		),
		Action: action(func(ctx context.Context, cmd *cli.Command) error { return runAccess(ctx, o, cmd.Writer) }),
	}
}

func runAccess(ctx context.Context, o accessOptions, w io.Writer) error {
	if err := checkFormat(o.format, tableFormats); err != nil {
		return err
	}
	m, err := openAudit(ctx, o.input, o.policy, o.environment)
	if err != nil {
		return err
	}
	defer m.Close()
	var answers []userAccess
	var misses []error
	err = m.Each(ctx, func(env string) error {
		a, err := askUserAccess(ctx, m.DB, o, env)
		if err != nil {
			if isMiss(err) && m.IsTenant() {
				misses = append(misses, err)
				return nil
			}
			return err
		}
		answers = append(answers, a)
		return nil
	})
	if err != nil {
		return err
	}
	if len(answers) == 0 && len(misses) > 0 { // in no environment
		return misses[0]
	}
	if o.format != "table" {
		var rows []access.AccessRow
		for _, a := range answers {
			rows = append(rows, a.rows...)
		}
		return writeAccessRows(w, o.format, rows, false)
	}
	for i, a := range answers {
		if i > 0 {
			fmt.Fprintln(w)
		}
		a.write(w)
	}
	return nil
}

// userAccess is one user's access in one environment.
type userAccess struct {
	env    string
	user   access.User
	rows   []access.AccessRow
	fields []access.FieldAccessRow
}

// missError is a question one environment of a tenant cannot answer (no
// such user or table there), which another may.
type missError struct{ error }

func (e missError) Unwrap() error { return e.error }

func isMiss(err error) bool {
	var m missError
	return errors.As(err, &m)
}

// askUserAccess answers access in the current environment (env, "" for one
// export).
func askUserAccess(ctx context.Context, db *store.DB, o accessOptions, env string) (userAccess, error) {
	a := userAccess{env: env}
	users, err := access.FindUsers(ctx, db, o.user)
	if err != nil {
		return a, err
	}
	in := ""
	if env != "" {
		in = " in " + env
	}
	switch {
	case len(users) == 0:
		closest, err := access.SuggestUsers(ctx, db, o.user)
		if err != nil {
			return a, err
		}
		return a, missError{badInput(fmt.Errorf("no user is called %q%s (give a domainname, systemuserid or full name)%s", o.user, in, closest))}
	case len(users) > 1:
		var names []string
		for _, u := range users {
			names = append(names, u.DomainName+" ("+u.ID+")")
		}
		return a, badInput(fmt.Errorf("%q names %d users%s: %s; give the domainname or systemuserid", o.user, len(users), in, strings.Join(names, ", ")))
	}
	a.user = users[0]
	if o.table != "" {
		if _, err := access.TableRightsOf(ctx, db, o.table); err != nil {
			return a, missError{badQuestion(err)}
		}
	}
	if a.rows, err = access.UserAccess(ctx, db, a.user.ID, o.table); err != nil {
		return a, err
	}
	for i := range a.rows {
		a.rows[i].Environment = env
	}
	if a.fields, err = access.UserFieldAccess(ctx, db, a.user.ID, o.table); err != nil {
		return a, err
	}
	return a, nil
}

// write lays out one user's access for a terminal.
func (a userAccess) write(w io.Writer) {
	u := a.user
	state := "enabled"
	if u.Disabled {
		state = "disabled: holds nothing"
	}
	if a.env != "" {
		fmt.Fprintf(w, "Environment %s: ", a.env)
	}
	fmt.Fprintf(w, "%s (%s), %s, %s, access mode %s\n\n", u.FullName, u.DomainName, u.BusinessUnit, state, accessModeName(u.AccessMode))
	writeAccessTable(w, a.rows)
	if len(a.fields) > 0 {
		fmt.Fprintln(w, "\nSecured columns (field security):")
		t := newTextTable("table", "column", "read", "create", "update", "sources")
		for _, f := range a.fields {
			t.add(f.Table, f.Column, yesNo(f.Read), yesNo(f.Create), yesNo(f.Update), f.Sources)
		}
		t.write(w)
	}
}

func newWhoCanCommand() *cli.Command {
	var o whoCanOptions
	return &cli.Command{
		Name:  "who-can",
		Usage: "every user who can do PRIVILEGE on TABLE, at which depth, and how",
		Flags: append(modelFlags(&o.input, &o.policy, &o.environment),
			tableFlag(&o.table, "`TABLE` (logical name); omit for a full privilege name"),
			&cli.StringFlag{Name: "privilege", Aliases: []string{"p"}, Usage: "`PRIVILEGE`: create, read, write, delete, append, appendto, assign, share, or a full name (prvDeleteAccount, prvBulkDelete)", Required: true, Destination: &o.privilege},
			&cli.StringFlag{Name: "min-depth", Usage: "only grants at `DEPTH` or above: " + vocab.DepthNames, Destination: &o.minDepth},
			formatFlag(&o.format, tableFormats),
		),
		Action: action(func(ctx context.Context, cmd *cli.Command) error { return whoCan(ctx, o, cmd.Writer) }),
	}
}

func whoCan(ctx context.Context, o whoCanOptions, w io.Writer) error {
	if err := checkFormat(o.format, tableFormats); err != nil {
		return err
	}
	if o.minDepth != "" && vocab.DepthRank(o.minDepth) < 0 {
		return badInput(fmt.Errorf("--min-depth %q: expected one of %s", o.minDepth, vocab.DepthNames))
	}
	p := strings.TrimSpace(o.privilege)
	if !strings.HasPrefix(strings.ToLower(p), "prv") {
		if !vocab.IsTableRight(p) {
			return badInput(fmt.Errorf("--privilege %q: expected one of %s, or a full privilege name (prvDeleteAccount, prvBulkDelete)",
				o.privilege, strings.Join(vocab.TableRights, ", ")))
		}
		if o.table == "" {
			return badInput(fmt.Errorf("--table is required for a table privilege such as %q (or give the full name, prv%s...)", o.privilege, p))
		}
	}
	m, err := openAudit(ctx, o.input, o.policy, o.environment)
	if err != nil {
		return err
	}
	defer m.Close()
	var rows []access.AccessRow
	var table, privilege string
	var misses []error
	asked := 0
	err = m.Each(ctx, func(env string) error {
		t, p, err := access.ResolvePrivilege(ctx, m.DB, o.table, o.privilege)
		if err != nil {
			if m.IsTenant() && errors.As(err, new(*access.QuestionError)) {
				misses = append(misses, err) // not in this environment
				return nil
			}
			return badQuestion(err)
		}
		table, privilege = t, p
		asked++
		got, err := access.WhoCan(ctx, m.DB, t, p, o.minDepth)
		for i := range got {
			got[i].Environment = env
		}
		rows = append(rows, got...)
		return err
	})
	if err != nil {
		return err
	}
	if asked == 0 && len(misses) > 0 {
		return badQuestion(misses[0])
	}
	if o.format != "table" {
		return writeAccessRows(w, o.format, rows, true)
	}
	what := privilege + " on " + table
	if table == "" {
		what = privilege
	}
	if o.minDepth != "" {
		what += " at " + vocab.Depths[vocab.DepthRank(o.minDepth)] + " depth or above"
	}
	if m.IsTenant() {
		what += fmt.Sprintf(" (%d of the tenant's environments asked have it)", asked)
	}
	fmt.Fprintf(w, "%d %s can %s\n\n", len(rows), plural(len(rows), "user", "users"), what)
	writeWhoCanTable(w, rows, m.IsTenant())
	return nil
}

// writeWhoCanTable lays out who-can's answer: who each user is, beside the
// depth and the grants that give it.
func writeWhoCanTable(w io.Writer, rows []access.AccessRow, tenant bool) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "(nobody)")
		return
	}
	if tenant {
		t := newTextTable("environment", "user", "full name", "business unit", "depth", "sources")
		for _, r := range rows {
			t.add(r.Environment, r.User, r.FullName, r.BusinessUnit, r.Depth, r.Sources)
		}
		t.write(w)
		return
	}
	t := newTextTable("user", "full name", "business unit", "depth", "sources")
	for _, r := range rows {
		t.add(r.User, r.FullName, r.BusinessUnit, r.Depth, r.Sources)
	}
	t.write(w)
}

// writeAccessRows writes access rows for machines: csv or json.
func writeAccessRows(w io.Writer, format string, rows []access.AccessRow, who bool) error {
	if format == "json" {
		return writeJSON(w, rows)
	}
	return writeAccessCSV(w, rows, who)
}

// writeAccessCSV writes access rows; who-can's rows, which say who each
// user is, get the full name and business unit beside the user.
func writeAccessCSV(w io.Writer, rows []access.AccessRow, who bool) error {
	if len(rows) > 0 && rows[0].Environment != "" { // a tenant's answer
		if !who {
			t := newCSVTable(w, "environment", "user", "table", "privilege", "depth", "sources")
			for _, r := range rows {
				t.row(r.Environment, r.User, r.Table, r.Privilege, r.Depth, r.Sources)
			}
			return t.flush()
		}
		t := newCSVTable(w, "environment", "user", "full_name", "business_unit", "table", "privilege", "depth", "sources")
		for _, r := range rows {
			t.row(r.Environment, r.User, r.FullName, r.BusinessUnit, r.Table, r.Privilege, r.Depth, r.Sources)
		}
		return t.flush()
	}
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

func writeAccessTable(w io.Writer, rows []access.AccessRow) {
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
