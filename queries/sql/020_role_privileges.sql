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

CREATE OR REPLACE TABLE role_privilege_grants AS
SELECT w.roleid, rp.privilegeid, rp.privilegedepthmask
FROM role_grant_sources w
JOIN roleprivilegescollection rp ON rp.roleid = w.source_roleid
JOIN privileges p ON p.privilegeid = rp.privilegeid
WHERE rp.privilegedepthmask & 15 <> 0;
