// Package synth writes synthetic Dataverse exports for benchmarks: one large
// systemusers table and tiny but valid versions of the other required tables,
// so that ingest.Load reports no structural problem and the time measured is
// the time of the large table. The output is deterministic (fixed seed), so
// runs on different machines and days compare the same bytes.
package synth

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// BusinessUnits is the size of the business unit pool users are spread over:
// about what a large tenant has, and enough that the reference check from
// systemusers to businessunits does real work.
const BusinessUnits = 200

// seed is fixed so every run generates the same export.
const seed = 0x0d365a0d17

// Targets says where to write: each non-empty field is a directory that
// receives a complete export in that format. Both get the same rows.
type Targets struct {
	CSV  string
	JSON string
}

// user is one systemusers row. The field order and JSON names are the
// columns of both files; isdisabled and accessmode are JSON literals, as the
// Web API writes them, so DuckDB's read_json infers BOOLEAN and BIGINT just
// as our loader converts them.
type user struct {
	SystemUserID string `json:"systemuserid"`
	DomainName   string `json:"domainname"`
	FullName     string `json:"fullname"`
	Email        string `json:"internalemailaddress"`
	BusinessUnit string `json:"businessunitid"`
	IsDisabled   bool   `json:"isdisabled"`
	AccessMode   int    `json:"accessmode"`
	AADObjectID  string `json:"azureactivedirectoryobjectid"`
	CreatedOn    string `json:"createdon"`
	Title        string `json:"title"`
}

var userColumns = []string{"systemuserid", "domainname", "fullname", "internalemailaddress", "businessunitid",
	"isdisabled", "accessmode", "azureactivedirectoryobjectid", "createdon", "title"}

func (u *user) record(rec []string) []string {
	return append(rec[:0], u.SystemUserID, u.DomainName, u.FullName, u.Email, u.BusinessUnit,
		strconv.FormatBool(u.IsDisabled), strconv.Itoa(u.AccessMode), u.AADObjectID, u.CreatedOn, u.Title)
}

var (
	givenNames = []string{"Anna", "Bjorn", "Chen", "Dana", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas",
		"Kemal", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq"}
	surnames = []string{"Andersen", "Baker", "Costa", "Dubois", "Eriksson", "Fischer", "Garcia", "Huber",
		"Ivanova", "Jansen", "Kowalski", "Lopez", "Moreau", "Nakamura", "O'Brien", "Petrov", "Rossi", "Schmidt"}
	titles = []string{"", "Sales Manager", "Account Executive", "Service Agent", "Developer", "Analyst",
		"Director, Operations", "Consultant", "Administrator", "Team Lead"}
	// accessModes is weighted like a real tenant: mostly Read-Write users,
	// some non-interactive, a few Read and Administrative.
	accessModes = []int{0, 0, 0, 0, 0, 0, 0, 4, 2, 1}
)

// Write generates an export of rows system users into each directory of t,
// creating the directories.
func Write(t Targets, rows int) error {
	if rows < 1 {
		return fmt.Errorf("synth: rows must be at least 1, got %d", rows)
	}
	g := newGen()
	bus := make([]string, BusinessUnits)
	for i := range bus {
		bus[i] = g.guid()
	}
	var first user
	var sinks []sink
	if t.CSV != "" {
		s, err := newCSVSink(t.CSV)
		if err != nil {
			return err
		}
		sinks = append(sinks, s)
	}
	if t.JSON != "" {
		s, err := newJSONSink(t.JSON)
		if err != nil {
			closeAll(sinks)
			return err
		}
		sinks = append(sinks, s)
	}
	base := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	var u user
	for i := range rows {
		g.user(&u, i, bus, base)
		if i == 0 {
			first = u // the one user the tiny role assignment names
		}
		for _, s := range sinks {
			if err := s.user(&u); err != nil {
				closeAll(sinks)
				return err
			}
		}
	}
	for _, s := range sinks {
		if err := s.close(); err != nil {
			closeAll(sinks)
			return err
		}
	}
	// Drawn once, so both formats get the same role and privilege ids.
	small := newSmallTables(bus, first, g)
	if t.CSV != "" {
		if err := small.writeCSV(t.CSV); err != nil {
			return err
		}
	}
	if t.JSON != "" {
		if err := small.writeJSON(t.JSON); err != nil {
			return err
		}
	}
	return nil
}

type gen struct{ r *rand.Rand }

func newGen() *gen { return &gen{r: rand.New(rand.NewPCG(seed, seed>>7))} }

func (g *gen) guid() string {
	hi, lo := g.r.Uint64(), g.r.Uint64()
	// Version 4, variant 10: what Dataverse and Entra ID hand out.
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

// user fills u with row i. Some full names are "Surname, Given", so the CSV
// has quoted fields with commas, as real Dataverse CSV exports do.
func (g *gen) user(u *user, i int, bus []string, base time.Time) {
	given := givenNames[g.r.IntN(len(givenNames))]
	sur := surnames[g.r.IntN(len(surnames))]
	u.SystemUserID = g.guid()
	u.DomainName = fmt.Sprintf("%s.%s%d@contoso.com", lowerASCII(given), lowerASCII(sur), i)
	if g.r.IntN(4) == 0 {
		u.FullName = sur + ", " + given
	} else {
		u.FullName = given + " " + sur
	}
	u.Email = u.DomainName
	u.BusinessUnit = bus[g.r.IntN(len(bus))]
	u.IsDisabled = g.r.IntN(10) == 0
	u.AccessMode = accessModes[g.r.IntN(len(accessModes))]
	u.AADObjectID = g.guid()
	u.CreatedOn = base.Add(time.Duration(g.r.Int64N(int64(6 * 365 * 24 * time.Hour)))).Truncate(time.Second).Format(time.RFC3339)
	u.Title = titles[g.r.IntN(len(titles))]
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// sink writes the systemusers rows of one format.
type sink interface {
	user(*user) error
	close() error
}

type csvSink struct {
	f   *os.File
	bw  *bufio.Writer
	w   *csv.Writer
	rec []string
}

func newCSVSink(dir string) (*csvSink, error) {
	f, err := create(dir, "systemusers.csv")
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	s := &csvSink{f: f, bw: bw, w: csv.NewWriter(bw)}
	if err := s.w.Write(userColumns); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func (s *csvSink) user(u *user) error {
	s.rec = u.record(s.rec)
	return s.w.Write(s.rec)
}

func (s *csvSink) close() error {
	s.w.Flush()
	if err := s.w.Error(); err != nil {
		s.f.Close()
		return err
	}
	if err := s.bw.Flush(); err != nil {
		s.f.Close()
		return err
	}
	return s.f.Close()
}

// jsonSink writes a plain JSON array, one object per line: a shape both our
// loader and DuckDB's read_json accept, so the comparison reads the same
// bytes. (A Web API body {"value": [...]} would need read_json's unnest.)
type jsonSink struct {
	f     *os.File
	bw    *bufio.Writer
	buf   []byte
	first bool
}

func newJSONSink(dir string) (*jsonSink, error) {
	f, err := create(dir, "systemusers.json")
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	bw.WriteString("[\n")
	return &jsonSink{f: f, bw: bw, first: true}, nil
}

func (s *jsonSink) user(u *user) error {
	b, err := json.Marshal(u)
	if err != nil {
		return err
	}
	if !s.first {
		s.bw.WriteString(",\n")
	}
	s.first = false
	_, err = s.bw.Write(b)
	return err
}

func (s *jsonSink) close() error {
	s.bw.WriteString("\n]\n")
	if err := s.bw.Flush(); err != nil {
		s.f.Close()
		return err
	}
	return s.f.Close()
}

func closeAll(sinks []sink) {
	for _, s := range sinks {
		s.close()
	}
}

func create(dir, name string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return os.Create(filepath.Join(dir, name))
}

// smallTables are the other required tables: one root business unit with
// BusinessUnits-1 children, one role, one privilege granted to it, and that
// role assigned to the first user. Every reference resolves, so a benchmark
// that demands a clean load can.
type smallTables struct {
	columns map[string][]string
	rows    map[string][][]string
	order   []string
}

func newSmallTables(bus []string, first user, g *gen) smallTables {
	roleID, privID := g.guid(), g.guid()
	t := smallTables{
		columns: map[string][]string{
			"businessunits":             {"businessunitid", "name", "parentbusinessunitid"},
			"roles":                     {"roleid", "name", "businessunitid"},
			"privileges":                {"privilegeid", "name", "accessright"},
			"roleprivilegescollection":  {"roleid", "privilegeid", "privilegedepthmask"},
			"systemuserrolescollection": {"systemuserid", "roleid"},
		},
		rows: map[string][][]string{
			"roles":                     {{roleID, "Salesperson", bus[0]}},
			"privileges":                {{privID, "prvReadAccount", "1"}},
			"roleprivilegescollection":  {{roleID, privID, "1"}},
			"systemuserrolescollection": {{first.SystemUserID, roleID}},
		},
		order: []string{"businessunits", "roles", "privileges", "roleprivilegescollection", "systemuserrolescollection"},
	}
	for i, id := range bus {
		parent := bus[0]
		if i == 0 {
			parent = "" // the root business unit has no parent
		}
		t.rows["businessunits"] = append(t.rows["businessunits"], []string{id, fmt.Sprintf("BU %03d", i), parent})
	}
	return t
}

func (t smallTables) writeCSV(dir string) error {
	for _, name := range t.order {
		f, err := create(dir, name+".csv")
		if err != nil {
			return err
		}
		w := csv.NewWriter(f)
		w.Write(t.columns[name])
		w.WriteAll(t.rows[name]) // flushes
		if err := w.Error(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

func (t smallTables) writeJSON(dir string) error {
	for _, name := range t.order {
		objs := make([]map[string]any, 0, len(t.rows[name]))
		for _, row := range t.rows[name] {
			obj := map[string]any{}
			for i, col := range t.columns[name] {
				switch {
				case row[i] == "":
					obj[col] = nil
				case col == "accessright" || col == "privilegedepthmask":
					n, _ := strconv.Atoi(row[i])
					obj[col] = n
				default:
					obj[col] = row[i]
				}
			}
			objs = append(objs, obj)
		}
		b, err := json.MarshalIndent(objs, "", " ")
		if err != nil {
			return err
		}
		f, err := create(dir, name+".json")
		if err != nil {
			return err
		}
		if _, err := f.Write(append(b, '\n')); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
