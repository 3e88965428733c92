-- Who can write to restricted tables, and which licenses they hold: the
-- effective-access matrix (queries/access/sql/050_profile_access.sql) read on the
-- restricted tables' create, write and delete cells only, the few cells
-- first, as the rules' policy_cell_grants does.

-- one row per profile, restricted table and privilege: the broadest depth
-- and the roles that grant it. incident (Case): anyone may create, and
-- update or delete their own (Basic depth, or a team's at team depth): only
-- Local depth and above, other people's cases, needs a license.
CREATE OR REPLACE TABLE license_restricted_grants AS
WITH cells AS MATERIALIZED (
    SELECT pt.* FROM privilege_tables pt
    WHERE pt.table_name IN (SELECT logical_name FROM license_restricted_tables)
      AND pt.privilege IN ('create', 'write', 'delete')
),
grants AS MATERIALIZED (
    SELECT w.roleid, c.table_name, c.privilege, c.business_table, g.privilegedepthmask
    FROM cells c
    JOIN source_privilege_grants g ON g.privilegeid = c.privilegeid
    JOIN role_grant_sources w ON w.source_roleid = g.source_roleid
),
profile_grants AS (
    SELECT ps.profileid, gr.table_name, gr.privilege, ps.source_text,
           grant_depth_rank(gr.privilegedepthmask, ps.via, ps.isinherited) AS depth_rank
    FROM grants gr
    JOIN profile_sources ps ON ps.roleid = gr.roleid
    JOIN profile_classes c ON c.profileid = ps.profileid
    WHERE class_holds(c.access_class, gr.privilege, gr.business_table)
)
SELECT profileid, table_name, privilege, max(depth_rank) AS depth_rank,
       depth_name(max(depth_rank)) AS depth,
       list_sort(list_distinct(list(source_text))) AS sources
FROM profile_grants
WHERE NOT (table_name = 'incident' AND (privilege = 'create' OR depth_rank <= 1))
GROUP BY profileid, table_name, privilege;

-- each person's writes to restricted tables: the table, its privileges and
-- depths, the roles that grant them, the licenses that allow them, and
-- whether the person holds one of those.
CREATE OR REPLACE TABLE license_restricted_needs AS
WITH per_table AS (
    SELECT up.systemuserid, g.table_name,
           list_sort(list(g.privilege || ' ' || g.depth)) AS privileges,
           list_sort(list_distinct(flatten(list(g.sources)))) AS sources
    FROM license_restricted_grants g JOIN user_profiles up USING (profileid)
    JOIN systemusers u USING (systemuserid)
    WHERE u.applicationid IS NULL AND u.accessmode IN (0, 2) AND NOT u.isdisabled
    GROUP BY up.systemuserid, g.table_name
)
SELECT t.systemuserid, t.table_name, r.display_name, t.privileges, t.sources,
       list_sort(list_distinct(list(r.license))) AS allowed_by,
       bool_or(h.license IS NOT NULL) AS covered
FROM per_table t
JOIN (SELECT DISTINCT logical_name, display_name, license FROM license_restricted_tables) r ON r.logical_name = t.table_name
LEFT JOIN license_user_products h ON h.systemuserid = t.systemuserid AND h.license = r.license
GROUP BY t.systemuserid, t.table_name, r.display_name, t.privileges, t.sources;
