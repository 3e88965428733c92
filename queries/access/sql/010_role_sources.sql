-- held roles: every role a user holds, and through what.
-- Direct assignments, plus the roles of every owner (0), Entra security-group (2)
-- and Microsoft 365 group (3) team the user is a member of. Access teams (1) give
-- no roles (dataverse-security.md 2.2), so their rows are left out here.
CREATE OR REPLACE TABLE user_role_sources AS
SELECT ur.systemuserid, ur.roleid, 'direct' AS via, NULL::VARCHAR AS teamid, NULL::VARCHAR AS teamname
FROM systemuserrolescollection ur
JOIN systemusers u USING (systemuserid)
JOIN roles r USING (roleid)
UNION ALL
SELECT tm.systemuserid, tr.roleid, 'team' AS via, t.teamid, t.name AS teamname
FROM teammemberships tm
JOIN teams t USING (teamid)
JOIN teamrolescollection tr USING (teamid)
JOIN systemusers u ON u.systemuserid = tm.systemuserid
JOIN roles r ON r.roleid = tr.roleid
WHERE t.teamtype IN (0, 2, 3);
