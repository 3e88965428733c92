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
