-- id: ROLE_REDUNDANT_DIRECT
-- title: A user holds a role directly that a team already gives them
-- severity: info
-- rationale: >
--   Hygiene. Team members "inherit the security roles applied to that team for as long as they remain a
--   member, and lose those roles as soon as they leave the team (other than roles also granted to them
--   personally or by other teams they are on)". A direct assignment of the same role (same root role, same
--   business unit copy) as an owner or group team the user belongs to is redundant today, and it defeats
--   the team as the place where access is granted and revoked: when the user leaves the team they keep
--   the role. One finding per user and directly held role (the fingerprint ends with the role id). Note:
--   for a role with isinherited 0 ("Team privileges only") a direct assignment also gives the user
--   User-level (Basic) access to their own records, which the team does not; the evidence shows isinherited.
-- remediation: >
--   Decide where the access should be managed. Usually remove the direct assignment and keep the team
--   membership; if the user needs the role regardless of the team (or the role's isinherited is 0 and
--   they need to own records), keep the direct assignment and record why.
-- references:
--   - https://learn.microsoft.com/dynamics365/customer-insights/journeys/admin-users-licenses-roles
--   - https://learn.microsoft.com/power-platform/admin/manage-teams
--   - https://learn.microsoft.com/power-platform/admin/security-roles-privileges
-- needs: [systemusers, systemuserrolescollection, teams, teammemberships, teamrolescollection]
WITH direct AS (
    SELECT * FROM user_held_roles WHERE via = 'direct'
),
via_team AS (
    SELECT * FROM user_held_roles WHERE via = 'team'
),
pairs AS (
    SELECT d.systemuserid, d.roleid, d.role_name, d.role_businessunit, d.role_businessunitid,
           list_sort(list(DISTINCT t.teamname)) AS teams,
           list_sort(list(DISTINCT t.teamid)) AS teamids
    FROM direct d
    JOIN via_team t ON t.systemuserid = d.systemuserid AND t.rootroleid = d.rootroleid
                   AND t.role_businessunitid IS NOT DISTINCT FROM d.role_businessunitid
    GROUP BY d.systemuserid, d.roleid, d.role_name, d.role_businessunit, d.role_businessunitid
)
SELECT 'user' AS subject_type, u.systemuserid AS subject_id, coalesce(u.fullname, u.domainname) AS subject_name,
       bu.name AS businessunit,
       coalesce(u.fullname, u.domainname) || ' holds ' || p.role_name || '@' || coalesce(p.role_businessunit, '?') ||
           ' directly and also through team ' || array_to_string(p.teams, ', ') AS message,
       json_object('role', p.role_name, 'roleid', p.roleid, 'role_businessunit', p.role_businessunit,
                   'isinherited', r.isinherited, 'teams', p.teams, 'teamids', p.teamids,
                   'domainname', u.domainname, 'isdisabled', u.isdisabled) AS evidence,
       p.roleid AS detail
FROM pairs p
JOIN systemusers u USING (systemuserid)
LEFT JOIN roles r ON r.roleid = p.roleid
LEFT JOIN businessunits bu ON bu.businessunitid = u.businessunitid
