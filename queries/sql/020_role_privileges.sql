-- role privileges: the privileges each role row grants, at which depth.
-- A business-unit copy of a role with no privilege rows of its own takes those
-- of its root role (parentrootroleid), as Dataverse copies a root role into
-- every child business unit (dataverse-security.md 4).
-- Only roles someone holds, and root roles (for drift against the baseline),
-- are expanded: a large tenant copies every role into hundreds of business
-- units, and most copies are held by nobody.
-- role_grant_sources says whose privilege rows each expanded role takes.
CREATE OR REPLACE TABLE role_grant_sources AS
WITH own AS (
    SELECT DISTINCT roleid FROM roleprivilegescollection
)
SELECT r.roleid,
       CASE WHEN o.roleid IS NOT NULL THEN r.roleid ELSE coalesce(r.parentrootroleid, r.roleid) END AS source_roleid
FROM roles r LEFT JOIN own o ON o.roleid = r.roleid
WHERE r.parentrootroleid IS NULL OR r.parentrootroleid = r.roleid
   OR r.roleid IN (SELECT roleid FROM user_role_sources);

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
