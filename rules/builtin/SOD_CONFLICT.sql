-- id: SOD_CONFLICT
-- title: A user holds both sides of a separation-of-duties pair
-- severity: high
-- rationale: >
--   Least privilege and separation of duties: "Grant users access that allows only the levels of
--   information required to do their jobs." The organisation's policy lists pairs of duties that one
--   person must not hold together (for example creating payments and approving them); whoever holds both
--   can complete the whole transaction alone, and the control the pair stands for no longer exists. Every
--   enabled user is checked (people, non-interactive and application users alike: an integration that
--   can both create and approve is the same gap), on their effective access: all roles, direct and
--   through teams, at each side's minimum depth or above. Holders of a pair's exempt roles (System
--   Administrator) are not reported; their access is reviewed under ADMIN_EXCESS. None by default.
-- remediation: >
--   Decide with the process owner which of the two duties the user should keep. Remove the role (or the
--   team membership) that grants the other side, as shown in the evidence, or split a custom role that
--   grants both. If both are unavoidable (a small team), document a compensating control and record a
--   waiver with an owner and an expiry date.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/security-roles-privileges
--   - https://learn.microsoft.com/power-platform/admin/wp-security-cds
-- needs: [systemusers, teams, teammemberships, teamrolescollection]
WITH
-- each profile's cells on a side, held at the side's minimum depth or above:
-- the depth, every grant (all_sources), and the grants that reach the minimum
cells AS (
    SELECT g.profileid, t.pair_id, t.title, t.side, t.label, t.min_depth_rank, g.table_name AS "table", g.privilege,
           max(g.depth_rank) AS depth_rank,
           array_to_string(list_sort(list_distinct(list(g.source_text))), '; ') AS all_sources,
           array_to_string(list_sort(list_distinct(list(g.source_text) FILTER (WHERE g.depth_rank >= t.min_depth_rank))), '; ') AS sources
    FROM policy_cell_grants g
    JOIN sod_targets t ON g.table_name = t.tbl AND lower(g.privilege) = t.priv
    GROUP BY g.profileid, t.pair_id, t.title, t.side, t.label, t.min_depth_rank, g.table_name, g.privilege
    HAVING max(g.depth_rank) >= t.min_depth_rank
),
hits AS (
    SELECT up.systemuserid, c.pair_id, c.title, c.side, c.label, c.min_depth_rank, c."table", c.privilege,
           depth_name(c.depth_rank) AS depth, c.depth_rank, c.all_sources, c.sources
    FROM cells c JOIN user_profiles up USING (profileid)
),
sides AS (
    SELECT systemuserid, pair_id, side, any_value(title) AS title, any_value(label) AS label,
           min(min_depth_rank) AS min_depth_rank,
           arg_max(depth, depth_rank) AS depth,
           string_agg(DISTINCT sources, '; ' ORDER BY sources) AS sources,
           list_sort(list(DISTINCT {'table': "table", 'privilege': privilege, 'depth': depth, 'granted_by': sources,
                                    'all_sources': all_sources})) AS grants
    FROM hits GROUP BY systemuserid, pair_id, side
),
exempt AS (
    SELECT DISTINCT h.systemuserid, e.pair_id
    FROM user_held_roles h JOIN policy_sod_exempt_roles e ON e.role_name = h.role_name_norm
)
SELECT 'user' AS subject_type, u.systemuserid AS subject_id, coalesce(u.fullname, u.domainname) AS subject_name,
       bu.name AS businessunit,
       coalesce(u.fullname, u.domainname) || ' can both ' || a.label || ' and ' || b.label
         || ' (' || a.pair_id || coalesce(': ' || a.title, '') || '): '
         || a.label || ' at ' || a.depth || ' through ' || a.sources || '; '
         || b.label || ' at ' || b.depth || ' through ' || b.sources AS message,
       json_object('domainname', u.domainname, 'pair', a.pair_id, 'title', a.title,
                   'side_a', json_object('label', a.label, 'depth', a.depth,
                                         'min_depth', depth_name(a.min_depth_rank),
                                         'sources', a.sources, 'grants', a.grants),
                   'side_b', json_object('label', b.label, 'depth', b.depth,
                                         'min_depth', depth_name(b.min_depth_rank),
                                         'sources', b.sources, 'grants', b.grants),
                   'exempt_roles', coalesce((SELECT list(e.role_name ORDER BY e.role_name) FROM policy_sod_exempt_roles e
                                             WHERE e.pair_id = a.pair_id), [])) AS evidence,
       a.pair_id AS detail
FROM sides a
JOIN sides b ON b.systemuserid = a.systemuserid AND b.pair_id = a.pair_id AND b.side = 'b'
JOIN systemusers u ON u.systemuserid = a.systemuserid
LEFT JOIN businessunits bu ON bu.businessunitid = u.businessunitid
WHERE a.side = 'a'
  AND NOT EXISTS (SELECT 1 FROM exempt x WHERE x.systemuserid = a.systemuserid AND x.pair_id = a.pair_id)
