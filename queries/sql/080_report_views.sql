-- report views: the per-user, per-role and per-team digests the workbook and
-- the PDF show.

-- role drift: each root out-of-box role's privileges against the baseline,
-- matched on roletemplateid, then parentrootroleid, then name. Depth of a
-- mask is its highest bit.
CREATE OR REPLACE TABLE role_baseline_match AS
WITH roots AS (
    SELECT r.* FROM roles r WHERE r.parentrootroleid IS NULL OR r.parentrootroleid = r.roleid
),
candidates AS (
    SELECT r.roleid, b.roleid AS baseline_roleid, 1 AS how FROM roots r JOIN baseline_roles b ON b.roletemplateid = r.roletemplateid
    UNION ALL
    SELECT r.roleid, b.roleid, 2 FROM roots r JOIN baseline_roles b ON b.parentrootroleid = r.roleid
    UNION ALL
    SELECT r.roleid, b.roleid, 3 FROM roots r JOIN baseline_roles b ON lower(trim(b.name)) = lower(trim(r.name))
)
SELECT roleid, arg_min(baseline_roleid, how) AS baseline_roleid, min(how) AS matched_on
FROM candidates GROUP BY roleid;

CREATE OR REPLACE TABLE role_drift AS
WITH actual AS (
    SELECT m.roleid, lower(p.name) AS key, p.name AS privilege, max(g.privilegedepthmask & 15) AS mask
    FROM role_baseline_match m
    JOIN role_privilege_grants g ON g.roleid = m.roleid
    JOIN privileges p USING (privilegeid)
    GROUP BY ALL
),
expected AS (
    SELECT m.roleid, lower(b.privilegename) AS key, b.privilegename AS privilege, max(b.privilegedepthmask & 15) AS mask
    FROM role_baseline_match m JOIN baseline_roleprivileges b ON b.roleid = m.baseline_roleid
    GROUP BY ALL
),
depth AS (
    SELECT * FROM (VALUES (1, 'basic'), (2, 'local'), (4, 'deep'), (8, 'global')) AS t(bit, name)
)
SELECT coalesce(a.roleid, e.roleid) AS roleid, coalesce(a.privilege, e.privilege) AS privilege,
       CASE WHEN e.key IS NULL THEN 'added' WHEN a.key IS NULL THEN 'removed' ELSE 'changed' END AS change,
       (SELECT name FROM depth WHERE bit = (CASE WHEN e.mask & 8 <> 0 THEN 8 WHEN e.mask & 4 <> 0 THEN 4 WHEN e.mask & 2 <> 0 THEN 2 WHEN e.mask & 1 <> 0 THEN 1 END)) AS baseline_depth,
       (SELECT name FROM depth WHERE bit = (CASE WHEN a.mask & 8 <> 0 THEN 8 WHEN a.mask & 4 <> 0 THEN 4 WHEN a.mask & 2 <> 0 THEN 2 WHEN a.mask & 1 <> 0 THEN 1 END)) AS actual_depth
FROM actual a FULL OUTER JOIN expected e ON a.roleid = e.roleid AND a.key = e.key
WHERE a.key IS NULL OR e.key IS NULL
   OR (CASE WHEN a.mask & 8 <> 0 THEN 8 WHEN a.mask & 4 <> 0 THEN 4 WHEN a.mask & 2 <> 0 THEN 2 ELSE 1 END)
   <> (CASE WHEN e.mask & 8 <> 0 THEN 8 WHEN e.mask & 4 <> 0 THEN 4 WHEN e.mask & 2 <> 0 THEN 2 ELSE 1 END);
