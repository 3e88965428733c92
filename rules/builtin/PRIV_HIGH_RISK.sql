-- id: PRIV_HIGH_RISK
-- title: A person who is not a System Administrator holds a high-risk privilege
-- severity: medium
-- rationale: >
--   Least privilege: "Grant users access that allows only the levels of information required to do their
--   jobs." Some privileges reach far beyond one user's records: impersonating another user
--   (prvActOnBehalfOfAnotherUser), bulk deletion, exporting and importing customizations, deleting audit
--   history, editing or assigning security roles (a path to escalate one's own access), editing users,
--   and deleting accounts, contacts, leads or opportunities across the whole organization. They belong
--   with the few System Administrators, whose access is reviewed on its own (ADMIN_EXCESS). A person who
--   holds one of them through any role, directly or through a team, at the listed depth or above, is
--   reported once per privilege, with the roles that grant it.
-- remediation: >
--   For each finding, check in the evidence which role grants the privilege. If the person does not need
--   it, remove that role (or the person from the team that gives it), or edit the custom role in the
--   Power Platform admin center (Settings > Users + permissions > Security roles) to drop the privilege
--   or lower its access level; copy an out-of-box role before changing it. If the access is needed,
--   document it and record a waiver with an owner and an expiry date.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/security-roles-privileges
--   - https://learn.microsoft.com/power-platform/admin/miscellaneous-privileges
--   - https://learn.microsoft.com/power-platform/admin/wp-security-cds
-- needs: [systemusers, teams, teammemberships, teamrolescollection]
WITH exempt AS (
    SELECT DISTINCT h.systemuserid
    FROM user_held_roles h JOIN policy_high_risk_exempt_roles e ON e.role_name = h.role_name_norm
),
-- each listed privilege as (table, privilege) of effective_access: a name is a
-- privilege that names no table (table '', the full name) or, when the export
-- maps it to a table, that table and right.
targets AS (
    SELECT label, name, table_name AS tbl, privilege AS priv, min_depth_rank
    FROM policy_high_risk_privileges WHERE name IS NULL
    UNION
    SELECT label, name, '' AS tbl, lower(name) AS priv, min_depth_rank
    FROM policy_high_risk_privileges WHERE name IS NOT NULL
    UNION
    SELECT p.label, p.name, pt.table_name AS tbl, lower(pt.privilege) AS priv, p.min_depth_rank
    FROM policy_high_risk_privileges p JOIN privilege_tables pt ON lower(pt.name) = lower(p.name)
    WHERE p.name IS NOT NULL
),
hits AS (
    SELECT ea.systemuserid, t.label, t.min_depth_rank, ea."table", ea.privilege, ea.depth, ea.depth_rank,
           ea.sources AS all_sources,
           -- the grants that reach the listed depth (sources lists every grant)
           (SELECT string_agg(DISTINCT g.role_name || '@' || coalesce(g.role_businessunit, g.scope_businessunitid) || ' ' || g.via, '; '
                              ORDER BY g.role_name || '@' || coalesce(g.role_businessunit, g.scope_businessunitid) || ' ' || g.via)
            FROM user_profiles up JOIN profile_grants g USING (profileid)
            WHERE up.systemuserid = ea.systemuserid AND g.table_name = ea."table" AND g.privilege = ea.privilege
              AND g.depth_rank >= t.min_depth_rank) AS sources
    FROM effective_access ea
    JOIN targets t ON ea."table" = t.tbl AND lower(ea.privilege) = t.priv AND ea.depth_rank >= t.min_depth_rank
    WHERE ea.systemuserid IN (SELECT systemuserid FROM persons)
      AND ea.systemuserid NOT IN (SELECT systemuserid FROM exempt)
),
grouped AS (
    SELECT systemuserid, label,
           arg_max(depth, depth_rank) AS depth,
           min(min_depth_rank) AS min_depth_rank,
           string_agg(DISTINCT sources, '; ' ORDER BY sources) AS sources,
           list(DISTINCT {'table': "table", 'privilege': privilege, 'depth': depth, 'granted_by': sources,
                          'all_sources': all_sources}) AS grants
    FROM hits GROUP BY systemuserid, label
)
SELECT 'user' AS subject_type, u.systemuserid AS subject_id, coalesce(u.fullname, u.domainname) AS subject_name,
       bu.name AS businessunit,
       coalesce(u.fullname, u.domainname) || ', who is not a System Administrator, holds the high-risk privilege '
         || g.label || ' at ' || g.depth || ' depth through ' || g.sources AS message,
       json_object('domainname', u.domainname, 'privilege', g.label, 'depth', g.depth,
                   'min_depth', (['team', 'basic', 'local', 'deep', 'global'])[g.min_depth_rank + 1],
                   'sources', g.sources,
                   'grants', list_sort(g.grants),
                   'exempt_roles', (SELECT list(role_name ORDER BY role_name) FROM policy_high_risk_exempt_roles)) AS evidence,
       g.label AS detail
FROM grouped g
JOIN systemusers u ON u.systemuserid = g.systemuserid
LEFT JOIN businessunits bu ON bu.businessunitid = u.businessunitid
