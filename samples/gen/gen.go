// Package gen generates a realistic Dataverse / Dynamics 365 export of any
// size: the files `d365audit` reads (INPUT.md), in the Web API JSON shape or
// as CSV, with the Microsoft Graph license files, a price list, a policy and
// a baseline of the out-of-box roles beside them.
//
// The tenant looks like a large Contoso Pharma: a business-unit tree four
// levels deep (root, regions, countries, departments); about 800 tables and
// 6,500 privileges; the out-of-box roles with their real template ids and
// 30 to 60 custom roles, all created in the root business unit and copied
// into every other one; users whose role counts and teams whose sizes follow
// skewed distributions; Entra group teams, service and application users;
// Graph users with licenses, some of them wasted. The same Options always
// give the same bytes: everything random comes from PCG streams seeded with
// Options.Seed, and nothing depends on map order or the clock.
//
// With Options.Environments > 1 it writes a whole tenant instead: Graph
// once and one export per environment, the same people in several of them
// (environments.go).
package gen

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
)

// Options says what to generate.
type Options struct {
	// Users is the number of Dataverse users (systemusers rows): persons,
	// administrators, service and application users. At least MinUsers.
	Users int
	// Seed selects the tenant; the same seed gives the same files.
	Seed int64
	// Format is "json" (Web API response bodies, the default) or "csv".
	// The Graph files are JSON either way.
	Format string
	// PageSize is the number of rows per Web API page (JSON only): a larger
	// table is split into NAME.json, NAME.2.json, ... Default 5000, the
	// Web API's own page size.
	PageSize int
	// Environments is the number of Dataverse environments. 0 or 1 writes
	// one export into the output directory; more write a tenant: graph/
	// once and environments/NAME/ (see environments.go). Users is then the
	// number of the tenant's users, who all have an account in prod.
	Environments int
	// Compact shrinks the tenant for checked-in fixtures: a catalogue of
	// about 200 tables instead of 800, custom roles as much smaller, and
	// business units of two regions of one country each.
	Compact bool
}

// MinUsers is the smallest tenant: the fixed service, application and
// placeholder users alone are 22. MaxUsers keeps the tenant, which is built
// in memory before it is written, to a few GB.
const (
	MinUsers = 50
	MaxUsers = 2_000_000
)

// DefaultPageSize is the Web API's default page size.
const DefaultPageSize = 5000

// graphPageSize is Microsoft Graph's largest page of users.
const graphPageSize = 999

// ErrNotEmpty is returned when the output directory already holds files:
// the generator never overwrites anything.
var ErrNotEmpty = errors.New("output directory is not empty")

// Stats tells what was written.
type Stats struct {
	Environments    int // 0 for a single export
	Users           int // systemusers rows
	BusinessUnits   int
	Tables          int // tables in the privilege catalogue
	Privileges      int
	Roles           int // root roles; each is copied into every business unit
	RoleRows        int // roles rows: root roles and their copies
	RolePrivileges  int // roleprivilegescollection rows
	UserRoles       int // systemuserrolescollection rows
	Teams           int
	TeamMemberships int
	GraphUsers      int
	Files           int
	Bytes           int64
	// KeyPerson, in a tenant, is a person whose paid license is wasted in
	// one environment but not tenant-wide.
	KeyPerson KeyPerson
}

// KeyPerson names a person with a paid license who holds no role in
// NoRoleIn but one in RoleIn, and in no other environment.
type KeyPerson struct {
	UPN, EntraID     string
	NoRoleIn, RoleIn string
}

func (o *Options) normalize() error {
	if o.Users < MinUsers {
		return fmt.Errorf("users: %d is too few; at least %d", o.Users, MinUsers)
	}
	if o.Users > MaxUsers {
		return fmt.Errorf("users: %d is too many; at most %d", o.Users, MaxUsers)
	}
	switch o.Format {
	case "":
		o.Format = "json"
	case "json", "csv":
	default:
		return fmt.Errorf("format %q: expected json or csv", o.Format)
	}
	if o.Environments < 0 || o.Environments > MaxEnvironments {
		return fmt.Errorf("environments: %d; expected 1 to %d", o.Environments, MaxEnvironments)
	}
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	return nil
}

// Write generates the tenant described by opts into dir, which must not
// exist or be empty.
func Write(dir string, opts Options) (Stats, error) {
	if err := opts.normalize(); err != nil {
		return Stats{}, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return Stats{}, fmt.Errorf("%s: %w", dir, ErrNotEmpty)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Stats{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Stats{}, err
	}
	if opts.Environments > 1 {
		return writeTenant(dir, opts)
	}
	t := build(opts)
	w := &writer{t: t, out: &output{dir: dir}}
	if err := w.writeAll(); err != nil {
		return Stats{}, err
	}
	st := t.stats()
	st.Files, st.Bytes = w.out.files, w.out.bytes
	return st, nil
}

// rng is one named stream of randomness. Each part of the tenant draws from
// its own stream, so that, for one seed, the privilege catalogue and the
// roles do not change with the number of users.
type rng struct{ *rand.Rand }

func newRNG(seed int64, stream string) *rng {
	h := fnv.New64a()
	h.Write([]byte(stream))
	return &rng{rand.New(rand.NewPCG(uint64(seed), h.Sum64()))}
}

const hexDigits = "0123456789abcdef"

// guid returns a random (version 4) GUID, lower-case: Entra object ids,
// request ids, intersect-table ids.
func (r *rng) guid() string {
	var b [16]byte
	hi, lo := r.Uint64(), r.Uint64()
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatGUID(b)
}

// dvGUID returns a GUID shaped like the sequential ids Dataverse gives its
// rows (xxxxxxxx-xxxx-eb11-8xxx-000d3axxxxxx).
func (r *rng) dvGUID() string {
	var b [16]byte
	hi, lo := r.Uint64(), r.Uint64()
	for i := 0; i < 6; i++ {
		b[i] = byte(hi >> (56 - 8*i))
	}
	b[6] = 0xeb + byte(r.IntN(5)) // eb11 .. ef11: the year the row was created
	b[7] = 0x11
	b[8] = byte(lo>>56)&0x3f | 0x80
	b[9] = byte(lo >> 48)
	b[10], b[11], b[12] = 0x00, 0x0d, 0x3a
	b[13], b[14], b[15] = byte(lo>>40), byte(lo>>32), byte(lo>>24)
	return formatGUID(b)
}

func formatGUID(b [16]byte) string {
	var s [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hexDigits[c>>4], hexDigits[c&0xf]
		j += 2
	}
	return string(s[:])
}

// chance is true with probability p.
func (r *rng) chance(p float64) bool { return r.Float64() < p }

// between returns an int in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// pareto draws from a Pareto distribution with minimum xm and shape alpha,
// capped at max: team sizes, where a few teams are huge.
func (r *rng) pareto(xm, alpha float64, max int) int {
	u := 1 - r.Float64() // (0, 1]
	v := xm / math.Pow(u, 1/alpha)
	if v > float64(max) {
		return max
	}
	return int(v)
}

// logUniform returns an int in [lo, hi] whose logarithm is uniform: small
// values are as likely per octave as large ones.
func (r *rng) logUniform(lo, hi int) int {
	v := math.Exp(math.Log(float64(lo)) + r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo))))
	return int(math.Round(v))
}

// weighted is a cumulative weight table to draw indexes from.
type weighted struct {
	cum []float64
}

func newWeighted(w []float64) *weighted {
	cum := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		cum[i] = s
	}
	return &weighted{cum: cum}
}

func (w *weighted) draw(r *rng) int {
	x := r.Float64() * w.cum[len(w.cum)-1]
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// shuffled returns 0..n-1 in a random order.
func (r *rng) shuffled(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	r.Shuffle(n, func(i, j int) { p[i], p[j] = p[j], p[i] })
	return p
}
