-- role privileges: the privileges each role row grants, at which depth.
-- A business-unit copy of a role with no privilege rows of its own takes those
-- of its root role (parentrootroleid), as Dataverse copies a root role into
-- every child business unit (dataverse-security.md 4).
-- Only roles someone holds, and root roles (for drift against the baseline),
-- are expanded: a large tenant copies every role into hundreds of business
-- units, and most copies are held by nobody.
-- role_roots: each role's root role. A copy names its root in
-- parentrootroleid; an export may name another copy instead (A -> B -> root),
-- so the chain is followed to the role that names itself or nothing.
-- chain_length counts the steps (1 for a copy naming its root directly): a
-- chain longer than 1 is a data-quality finding (DATA_ROLE_ROOT_CHAIN). A
-- chain that ends on a role missing from the export, or that loops (which
-- validate refuses), leaves rootroleid at the last role reached.
CREATE OR REPLACE TABLE role_roots AS
WITH RECURSIVE chain(roleid, current, next, steps) AS (
    SELECT r.roleid, r.roleid, nullif(r.parentrootroleid, r.roleid), 0
    FROM roles r
    UNION ALL
    SELECT c.roleid, c.next, nullif(p.parentrootroleid, p.roleid), c.steps + 1
    FROM chain c LEFT JOIN roles p ON p.roleid = c.next
    WHERE c.next IS NOT NULL AND c.steps < 64
), roots AS (
    SELECT roleid, arg_max(coalesce(next, current), steps) AS rootroleid, max(steps) AS chain_length
    FROM chain GROUP BY roleid
)
-- source_roleid: whose privilege rows the role takes, its own or its root
-- role's; stored for every role, not only the expanded ones, for diff
SELECT roleid, rootroleid, chain_length,
       CASE WHEN roleid IN (SELECT roleid FROM roleprivilegescollection) THEN roleid ELSE rootroleid END AS source_roleid
FROM roots;

-- role_grant_sources: the grant sources of the expanded roles.
CREATE OR REPLACE TABLE role_grant_sources AS
SELECT roleid, source_roleid
FROM role_roots
WHERE chain_length = 0
   OR roleid IN (SELECT roleid FROM user_role_sources);

-- the privilege rows of each role whose rows are taken: a root role, or a
-- copy with rows of its own. Stored once per source, not per copy: a large
-- tenant holds thousands of copies of a hundred roles.
CREATE OR REPLACE TABLE source_privilege_grants AS
SELECT rp.roleid AS source_roleid, rp.privilegeid, rp.privilegedepthmask
FROM roleprivilegescollection rp
JOIN privileges p ON p.privilegeid = rp.privilegeid
WHERE rp.privilegedepthmask & 15 <> 0
  AND rp.roleid IN (SELECT source_roleid FROM role_grant_sources);

CREATE OR REPLACE VIEW role_privilege_grants AS
SELECT w.roleid, g.privilegeid, g.privilegedepthmask
FROM role_grant_sources w
JOIN source_privilege_grants g USING (source_roleid);
