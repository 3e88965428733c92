-- id: LIC_RESTRICTED_TABLE_UNLICENSED
-- title: A person can write to a restricted table without a license that allows it
-- severity: high
-- rationale: >
--   Microsoft's "Restricted tables requiring Dynamics 365 licenses": creating, updating or deleting
--   the rows of 41 Dataverse tables (Case, Goal, Work Order, Journey, Knowledge article, SLA, ...)
--   needs a Dynamics 365 license that includes them; Power Apps and Power Automate licenses only read
--   them. The effective-access matrix says exactly who can write to them: a person who can create,
--   write or delete on a restricted table but holds none of the licenses that allow it is using the
--   tenant outside its license terms. Cases (incident) are special: Power Apps users may create cases
--   and update or delete their own, so only Local depth and above on write or delete counts there.
-- remediation: >
--   Either assign the person one of the licenses the evidence lists for each table (base or attach),
--   or remove the create, write and delete privileges on those tables from the roles the evidence
--   names (copy an out-of-box role before changing it), keeping read access.
-- references:
--   - https://learn.microsoft.com/power-apps/maker/data-platform/data-platform-restricted-entities
--   - https://learn.microsoft.com/power-platform/admin/pricing-billing-skus
-- needs: [graph_subscribedskus, graph_users]
WITH uncovered AS (
    SELECT n.* FROM license_restricted_needs n
    JOIN persons p USING (systemuserid)
    -- only people whose licenses the Graph export shows
    JOIN graph_users gu ON gu.id = p.azureactivedirectoryobjectid
    WHERE NOT n.covered
),
grouped AS (
    SELECT systemuserid, list(table_name ORDER BY table_name) AS tables,
           list({'table': table_name, 'display_name': display_name, 'privileges': privileges,
                 'granted_by': sources, 'licenses_that_allow': allowed_by} ORDER BY table_name) AS grants,
           list_sort(list_distinct(flatten(list(sources)))) AS roles,
           list_sort(list_distinct(flatten(list(allowed_by)))) AS allowed_by
    FROM uncovered GROUP BY systemuserid
),
held AS (
    SELECT systemuserid, list_sort(list_distinct(list(partnumber))) AS skus
    FROM license_assignments WHERE systemuserid IS NOT NULL GROUP BY systemuserid
)
SELECT 'user' AS subject_type, u.systemuserid AS subject_id, coalesce(u.fullname, u.domainname) AS subject_name,
       bu.name AS businessunit,
       coalesce(u.fullname, u.domainname) || ' can create, update or delete on ' || len(g.tables) || ' restricted '
         || CASE WHEN len(g.tables) = 1 THEN 'table' ELSE 'tables' END || ' ('
         || array_to_string(g.tables[1:5], ', ') || CASE WHEN len(g.tables) > 5 THEN ', ...' ELSE '' END
         || ') without a Dynamics 365 license that allows it (holds: '
         || coalesce(array_to_string(h.skus, ', '), 'no license') || ')' AS message,
       json_object('domainname', u.domainname, 'tables', g.tables, 'grants', g.grants, 'roles', g.roles,
                   'licenses_that_allow', g.allowed_by, 'licenses_held', coalesce(h.skus, [])) AS evidence,
       NULL AS detail
FROM grouped g
JOIN systemusers u ON u.systemuserid = g.systemuserid
LEFT JOIN businessunits bu ON bu.businessunitid = u.businessunitid
LEFT JOIN held h ON h.systemuserid = g.systemuserid
