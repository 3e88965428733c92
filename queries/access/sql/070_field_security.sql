-- field security: which secured columns each user can read, create and update.
-- Profiles combine as a union, like roles; they come directly or through any
-- team the user is a member of. Holders of System Administrator hold the System
-- Administrator profile, which allows every secured column (dataverse-security.md
-- 6). A column is secured when any profile has a permission on it. Disabled
-- users hold nothing; Read and Administrative access modes bound it (below).
CREATE OR REPLACE TABLE secured_columns AS
SELECT DISTINCT entityname, attributelogicalname FROM fieldpermissions;

CREATE OR REPLACE TABLE user_field_profiles AS
SELECT systemuserid, fieldsecurityprofileid, 'direct' AS via
FROM systemuserprofilescollection
UNION ALL
SELECT tm.systemuserid, tp.fieldsecurityprofileid, 'team:' || t.name
FROM teammemberships tm JOIN teams t USING (teamid) JOIN teamprofilescollection tp USING (teamid)
UNION ALL
SELECT DISTINCT s.systemuserid, '572329c1-a042-4e22-be47-367c6374ea45', 'role:System Administrator'
FROM user_role_sources s JOIN roles r USING (roleid)
WHERE r.roletemplateid = '627090ff-40a3-4053-8790-584edc5be201';

CREATE OR REPLACE TABLE user_field_access AS
WITH grants AS (
    SELECT ufp.systemuserid, fp.entityname, fp.attributelogicalname,
           fp.canread = 4 AS canread, fp.cancreate = 4 AS cancreate, fp.canupdate = 4 AS canupdate,
           coalesce(p.name, ufp.fieldsecurityprofileid) || ' ' || ufp.via AS source
    FROM user_field_profiles ufp
    JOIN fieldpermissions fp USING (fieldsecurityprofileid)
    LEFT JOIN fieldsecurityprofiles p USING (fieldsecurityprofileid)
    UNION ALL
    SELECT ufp.systemuserid, sc.entityname, sc.attributelogicalname, true, true, true,
           'System Administrator ' || ufp.via
    FROM user_field_profiles ufp CROSS JOIN secured_columns sc
    WHERE ufp.fieldsecurityprofileid = '572329c1-a042-4e22-be47-367c6374ea45'
)
SELECT g.systemuserid, u.domainname AS "user", g.entityname AS "table", g.attributelogicalname AS "column",
       bool_or(coalesce(g.canread, false)) AS canread,
       bool_or(coalesce(g.cancreate, false) AND c.access_class <> 'read') AS cancreate,
       bool_or(coalesce(g.canupdate, false) AND c.access_class <> 'read') AS canupdate,
       string_agg(DISTINCT g.source, '; ' ORDER BY g.source) AS sources
FROM grants g JOIN systemusers u USING (systemuserid) JOIN user_access_class c USING (systemuserid)
-- The access mode bounds field security as it bounds table access: Read mode
-- can only read, Administrative mode reaches no business table.
WHERE c.access_class <> 'disabled'
  AND (c.access_class <> 'administrative' OR g.entityname NOT IN (SELECT table_name FROM policy_business_tables))
GROUP BY g.systemuserid, u.domainname, g.entityname, g.attributelogicalname
HAVING bool_or(coalesce(g.canread, false)) OR bool_or(coalesce(g.cancreate, false) AND c.access_class <> 'read')
    OR bool_or(coalesce(g.canupdate, false) AND c.access_class <> 'read');
