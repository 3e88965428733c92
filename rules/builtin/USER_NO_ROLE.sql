-- id: USER_NO_ROLE
-- title: A person holds no security role
-- severity: high
-- rationale: >
--   "You must assign at least one security role to every user... The app doesn't allow access to
--   any user who does not have at least one security role." A person with no role, neither direct nor
--   through a team, can sign in to nothing: the account is either forgotten or waiting for a role.
-- remediation: >
--   Assign the role the person's job needs (directly or through an owner or group team), or disable
--   the user and remove the license if they no longer need the environment.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/assign-security-roles
--   - https://learn.microsoft.com/power-platform/admin/create-users
-- needs: [systemusers]
SELECT 'user' AS subject_type, u.systemuserid AS subject_id, coalesce(u.fullname, u.domainname) AS subject_name,
       bu.name AS businessunit,
       'Person ' || coalesce(u.fullname, u.domainname) || ' holds no security role, directly or through a team' AS message,
       json_object('domainname', u.domainname, 'accessmode', u.accessmode,
                   'access_teams', (SELECT list(t.name ORDER BY t.name) FROM teammemberships tm JOIN teams t USING (teamid)
                                    WHERE tm.systemuserid = u.systemuserid AND t.teamtype = 1)) AS evidence,
       NULL AS detail
FROM persons u
LEFT JOIN businessunits bu USING (businessunitid)
WHERE NOT EXISTS (SELECT 1 FROM user_role_sources s WHERE s.systemuserid = u.systemuserid)
