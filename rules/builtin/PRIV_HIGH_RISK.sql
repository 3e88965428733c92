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
-- each profile's listed cells held at the listed depth or above: the depth,
-- every grant (all_sources), and the grants that reach the listed depth
cells AS (
    SELECT g.profileid, t.label, t.min_depth_rank, g.table_name AS "table", g.privilege,
           max(g.depth_rank) AS depth_rank,
           array_to_string(list_sort(list_distinct(list(g.source_text))), '; ') AS all_sources,
           array_to_string(list_sort(list_distinct(list(g.source_text) FILTER (WHERE g.depth_rank >= t.min_depth_rank))), '; ') AS sources
    FROM policy_cell_grants g
    JOIN high_risk_targets t ON g.table_name = t.tbl AND lower(g.privilege) = t.priv
    GROUP BY g.profileid, t.label, t.min_depth_rank, g.table_name, g.privilege
    HAVING max(g.depth_rank) >= t.min_depth_rank
),
hits AS (
    SELECT up.systemuserid, c.label, c.min_depth_rank, c."table", c.privilege,
           depth_name(c.depth_rank) AS depth, c.depth_rank, c.all_sources, c.sources
    FROM cells c JOIN user_profiles up USING (profileid)
    WHERE up.systemuserid IN (SELECT systemuserid FROM persons)
      AND up.systemuserid NOT IN (SELECT systemuserid FROM exempt)
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
                   'min_depth', depth_name(g.min_depth_rank),
                   'sources', g.sources,
                   'grants', list_sort(g.grants),
                   'exempt_roles', (SELECT list(role_name ORDER BY role_name) FROM policy_high_risk_exempt_roles)) AS evidence,
       g.label AS detail
FROM grouped g
JOIN systemusers u ON u.systemuserid = g.systemuserid
LEFT JOIN businessunits bu ON bu.businessunitid = u.businessunitid
