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

-- the licenses of the restricted-tables page each user holds, from their
-- assigned SKUs: by part number, or for a SKU the catalogue does not know by
-- a service plan that carries the license. A license whose service plan the
-- assignment disables (assignedLicenses.disabledPlans) is not held.
CREATE OR REPLACE TABLE license_user_products AS
WITH held AS (
    SELECT DISTINCT a.systemuserid, s.skuid, s.partnumber, s.catalogued,
           upper(regexp_replace(s.partnumber, '\s', '', 'g')) AS partkey,
           lower(coalesce(l.disabledplans, '')) AS disabled
    FROM license_assignments a JOIN license_skus s USING (skuid)
    JOIN graph_assignedlicenses l ON l.userid = a.userid AND l.skuid = a.skuid
    WHERE a.systemuserid IS NOT NULL
),
sku_plans AS (
    SELECT skuid, lower(unnest(json_extract_string(serviceplans, '$[*].id'))) AS planid
    FROM graph_subscribedskus WHERE serviceplans IS NOT NULL
)
SELECT systemuserid, license, partnumber FROM (
    SELECT DISTINCT h.systemuserid, p.license, h.partnumber, h.disabled
    FROM held h JOIN license_products p ON p.skupartnumber = h.partkey
    UNION
    SELECT DISTINCT h.systemuserid, pp.license, h.partnumber, h.disabled
    FROM held h JOIN sku_plans sp ON sp.skuid = h.skuid AND NOT h.catalogued
    JOIN license_product_plans pp ON pp.planid = sp.planid
) x
WHERE NOT EXISTS (SELECT 1 FROM license_product_plans d WHERE d.license = x.license AND contains(x.disabled, d.planid));

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

-- Per person: the restricted tables their access writes to, the licenses
-- that would allow it, the ones they hold, their paid Dynamics 365 seats
-- (SKUs that are licenses of the page) and a status: 'unlicensed' (a table
-- none of their licenses allows), 'needed' (every write is covered), or
-- 'candidate': a paid Dynamics 365 seat used for no restricted-table write
-- anywhere. A candidate is to be reviewed, not waste: app access (which
-- model-driven apps a person opens) is not in the export, and a Dynamics 365
-- app may need the seat. The monthly difference is the seat's price less
-- Power Apps per user's, when the price list has both. Seats already counted
-- as waste (disabled user, no role, ...) are left out.
CREATE OR REPLACE TABLE license_person_needs AS
WITH people AS (
    SELECT systemuserid, coalesce(fullname, domainname) AS name, domainname FROM systemusers
    WHERE applicationid IS NULL AND accessmode IN (0, 2) AND NOT isdisabled
),
needs AS (
    SELECT systemuserid, list(table_name ORDER BY table_name) AS tables,
           list(table_name ORDER BY table_name) FILTER (WHERE NOT covered) AS uncovered,
           list_sort(list_distinct(flatten(list(allowed_by)))) AS allowed_by
    FROM license_restricted_needs GROUP BY systemuserid
),
held AS (
    SELECT systemuserid, list_sort(list_distinct(list(license))) AS licenses FROM license_user_products GROUP BY systemuserid
),
seats AS (
    SELECT a.systemuserid, list_sort(list_distinct(list(a.partnumber))) AS skus, sum(a.monthly_price) AS monthly,
           bool_and(a.monthly_price IS NOT NULL) AS priced
    FROM license_assignments a
    WHERE a.paid AND a.systemuserid IS NOT NULL
      AND (a.systemuserid, a.partnumber) IN (SELECT systemuserid, partnumber FROM license_user_products)
      AND (a.systemuserid, a.skuid) NOT IN (SELECT user_id, skuid FROM license_waste WHERE user_id IS NOT NULL)
    GROUP BY a.systemuserid
),
power_apps AS (
    SELECT min(monthly_price) AS monthly FROM prices
    WHERE upper(regexp_replace(sku_part_number, '\s', '', 'g')) = 'POWERAPPS_PER_USER'
)
SELECT p.systemuserid, p.name, p.domainname,
       coalesce(n.tables, []) AS tables, coalesce(n.uncovered, []) AS uncovered, coalesce(n.allowed_by, []) AS allowed_by,
       coalesce(h.licenses, []) AS licenses, coalesce(s.skus, []) AS seats,
       CASE WHEN len(coalesce(n.uncovered, [])) > 0 THEN 'unlicensed'
            WHEN n.systemuserid IS NOT NULL THEN 'needed'
            ELSE 'candidate' END AS status,
       CASE WHEN n.systemuserid IS NULL AND s.priced AND (SELECT monthly FROM power_apps) IS NOT NULL
            THEN s.monthly - (SELECT monthly FROM power_apps) END AS monthly_difference
FROM people p
LEFT JOIN needs n USING (systemuserid)
LEFT JOIN held h USING (systemuserid)
LEFT JOIN seats s USING (systemuserid)
WHERE n.systemuserid IS NOT NULL OR s.systemuserid IS NOT NULL;
