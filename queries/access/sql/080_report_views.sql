-- report views: the per-user, per-role and per-team digests the workbook and
-- the PDF show.

-- role drift: each out-of-box root role against its baseline. Out-of-box: the
-- role has a roletemplateid, or is managed and present in the baseline. It is
-- matched to a baseline role on roletemplateid, then on its root role id
-- (constant for roles without a template), then on its name (case-insensitive,
-- trimmed); a role with a template never matches a baseline role of another
-- template. Only root roles are compared: business-unit copies take the root's
-- privileges. ROLE_OOB_MODIFIED, the Roles and Role changes sheets and the
-- PDF all read these two tables.
CREATE OR REPLACE TABLE role_baseline_match AS
WITH roots AS (
    SELECT r.*, lower(trim(r.name)) AS name_norm FROM roles r
    WHERE r.parentrootroleid IS NULL OR r.parentrootroleid = r.roleid
),
candidates AS (
    SELECT r.roleid, b.roleid AS baseline_roleid, b.name AS baseline_name, b.source AS baseline_source,
           CASE WHEN r.roletemplateid IS NOT NULL AND b.roletemplateid = r.roletemplateid THEN 1
                WHEN coalesce(b.parentrootroleid, b.roleid) = r.roleid THEN 2
                ELSE 3 END AS match_rank
    FROM roots r
    JOIN baseline_roles b
      ON (r.roletemplateid IS NOT NULL AND b.roletemplateid = r.roletemplateid)
      OR (NOT (r.roletemplateid IS NOT NULL AND b.roletemplateid IS NOT NULL AND b.roletemplateid <> r.roletemplateid)
          AND (coalesce(b.parentrootroleid, b.roleid) = r.roleid OR lower(trim(b.name)) = r.name_norm))
    WHERE r.roletemplateid IS NOT NULL OR coalesce(r.ismanaged, false)
)
SELECT roleid, baseline_roleid, baseline_name, baseline_source, match_rank,
       ['roletemplateid', 'parentrootroleid', 'name'][match_rank] AS matched_on
FROM candidates
QUALIFY row_number() OVER (PARTITION BY roleid ORDER BY match_rank, baseline_roleid) = 1;

-- one row per privilege of a matched role that was added, removed, or is at
-- another depth than in the baseline (depth: the highest bit of the mask)
CREATE OR REPLACE TABLE role_drift AS
WITH actual AS (
    SELECT m.roleid, lower(trim(p.name)) AS key, min(trim(p.name)) AS privilege,
           max(mask_rank(g.privilegedepthmask)) AS depth_rank
    FROM role_baseline_match m
    JOIN role_privilege_grants g ON g.roleid = m.roleid
    JOIN privileges p ON p.privilegeid = g.privilegeid
    GROUP BY m.roleid, lower(trim(p.name))
),
expected AS (
    SELECT m.roleid, lower(trim(b.privilegename)) AS key, min(trim(b.privilegename)) AS privilege,
           max(mask_rank(b.privilegedepthmask)) AS depth_rank
    FROM role_baseline_match m JOIN baseline_roleprivileges b ON b.roleid = m.baseline_roleid
    WHERE b.privilegedepthmask & 15 <> 0
    GROUP BY m.roleid, lower(trim(b.privilegename))
)
SELECT coalesce(a.roleid, e.roleid) AS roleid, coalesce(a.privilege, e.privilege) AS privilege,
       CASE WHEN e.key IS NULL THEN 'added' WHEN a.key IS NULL THEN 'removed' ELSE 'changed' END AS change,
       depth_name(e.depth_rank) AS baseline_depth,
       depth_name(a.depth_rank) AS actual_depth
FROM actual a FULL OUTER JOIN expected e ON a.roleid = e.roleid AND a.key = e.key
WHERE a.depth_rank IS DISTINCT FROM e.depth_rank;
