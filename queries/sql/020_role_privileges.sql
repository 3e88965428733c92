-- role privileges: the privileges each role row grants, at which depth.
-- A business-unit copy of a role with no privilege rows of its own takes those
-- of its root role (parentrootroleid), as Dataverse copies a root role into
-- every child business unit (dataverse-security.md 4).
CREATE OR REPLACE TABLE role_privilege_grants AS
WITH own AS (
    SELECT DISTINCT roleid FROM roleprivilegescollection
)
SELECT r.roleid, rp.privilegeid, rp.privilegedepthmask
FROM roles r
JOIN roleprivilegescollection rp
  ON rp.roleid = CASE
        WHEN r.roleid IN (SELECT roleid FROM own) THEN r.roleid
        ELSE coalesce(r.parentrootroleid, r.roleid)
     END
JOIN privileges p ON p.privilegeid = rp.privilegeid
WHERE rp.privilegedepthmask & 15 <> 0;
