package tenant

import (
	"context"
	"database/sql"
	"slices"

	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/store"
)

// BuildAccessSpread makes tenant_access_spread: for each person with users
// in two or more environments, the pair of environments whose effective
// access differs most, in cells (table and privilege) whose depth differs.
// It reads the environments' matrices (in the order of envs), already in
// memory for the reports, rather than the SQL views: comparing every cell
// of every pair in SQL took a minute and gigabytes where this takes
// seconds. Each pair of access profiles is compared once; people share
// them. Run it in the tenant schema after BuildCrossEnvironment.
func BuildAccessSpread(ctx context.Context, db *store.DB, envs []Environment, matrices []*access.Matrix) error {
	type userProfile struct {
		entraid string
		env     int
		profile int64
	}
	index := map[string]int{}
	for i, e := range envs {
		index[e.Name] = i
	}
	ups, err := store.Collect(ctx, db, "people in several environments", `
		SELECT entraid, environment, profileid FROM tenant_user_profiles
		WHERE entraid IN (SELECT entraid FROM tenant_user_profiles GROUP BY entraid HAVING count(DISTINCT environment) > 1)
		ORDER BY entraid, environment`,
		func(rows *sql.Rows, u *userProfile) error {
			var env string
			err := rows.Scan(&u.entraid, &env, &u.profile)
			u.env = index[env]
			return err
		})
	if err != nil {
		return err
	}
	cells := newCellCache(matrices)
	type pairKey struct {
		envA, envB   int
		profA, profB int64
	}
	memo := map[pairKey]int64{}
	var rows [][]any
	for start := 0; start < len(ups); {
		end := start
		for end < len(ups) && ups[end].entraid == ups[start].entraid {
			end++
		}
		person := ups[start:end] // in environment order
		best, bestA, bestB := int64(-1), 0, 0
		for a := range person {
			for b := a + 1; b < len(person); b++ {
				k := pairKey{person[a].env, person[b].env, person[a].profile, person[b].profile}
				n, ok := memo[k]
				if !ok {
					n = differing(cells.of(k.envA, k.profA), cells.of(k.envB, k.profB))
					memo[k] = n
				}
				if n > best {
					best, bestA, bestB = n, k.envA, k.envB
				}
			}
		}
		rows = append(rows, []any{person[0].entraid, envs[bestA].Name, envs[bestB].Name, best})
		start = end
	}
	if err := db.Exec(ctx, "create tenant_spread_pairs", `CREATE OR REPLACE TEMP TABLE tenant_spread_pairs
		(entraid VARCHAR, env_a VARCHAR, env_b VARCHAR, cells_differing BIGINT)`); err != nil {
		return err
	}
	if err := db.InsertValues(ctx, "tenant_spread_pairs", rows); err != nil {
		return err
	}
	return db.Exec(ctx, "create tenant_access_spread", `CREATE OR REPLACE TABLE tenant_access_spread AS
		SELECT s.entraid, coalesce(t.fullname, t.domainname) AS person, t.domainname, len(t.environments) AS environments,
		       s.env_a, s.env_b, s.cells_differing
		FROM tenant_spread_pairs s JOIN tenant_people t USING (entraid)
		ORDER BY s.cells_differing DESC, person, s.entraid`)
}

// cellCache holds each compared profile's cells as sorted keys: a cell's
// number across the tenant (its table and privilege) and its depth rank.
type cellCache struct {
	matrices  []*access.Matrix
	expanders []*access.Expander
	global    [][]uint32 // per environment: pt_id -> the cell's number across the tenant
	profiles  map[[2]int64][]uint64
	buf       []access.Cell
}

func newCellCache(matrices []*access.Matrix) *cellCache {
	c := &cellCache{matrices: matrices, profiles: map[[2]int64][]uint64{}}
	ids := map[access.CellInfo]uint32{}
	for _, m := range matrices {
		g := make([]uint32, len(m.Cells))
		for pt, info := range m.Cells {
			id, ok := ids[info]
			if !ok {
				id = uint32(len(ids))
				ids[info] = id
			}
			g[pt] = id
		}
		c.global = append(c.global, g)
		c.expanders = append(c.expanders, m.NewExpander())
	}
	return c
}

func (c *cellCache) of(env int, profile int64) []uint64 {
	k := [2]int64{int64(env), profile}
	if keys, ok := c.profiles[k]; ok {
		return keys
	}
	m := c.matrices[env]
	var keys []uint64
	if profile > 0 && profile < int64(len(m.Profiles)) {
		c.buf = c.expanders[env].Cells(&m.Profiles[profile], c.buf[:0])
		keys = make([]uint64, len(c.buf))
		for i, cell := range c.buf {
			keys[i] = uint64(c.global[env][cell.PT])<<8 | uint64(uint8(cell.Rank))
		}
		slices.Sort(keys)
	}
	c.profiles[k] = keys
	return keys
}

// differing counts the cells two sorted key lists disagree on: held by one
// only, or at another depth.
func differing(a, b []uint64) int64 {
	var n int64
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i]>>8, b[j]>>8
		switch {
		case ca < cb:
			n, i = n+1, i+1
		case ca > cb:
			n, j = n+1, j+1
		default:
			if a[i] != b[j] {
				n++
			}
			i, j = i+1, j+1
		}
	}
	return n + int64(len(a)-i) + int64(len(b)-j)
}
