-- id: TEAM_EMPTY_WITH_ROLES
-- title: An owner or group team holds security roles but has no members
-- severity: low
-- rationale: >
--   Hygiene. Owner teams and Microsoft Entra security-group or Microsoft 365 group teams (teamtype 0, 2,
--   3) pass their roles to every member ("All users that belong to a team inherit the security roles
--   applied to that team for as long as they remain a member"). A team with roles and no members grants
--   nothing today, but anyone later added to it (or, for a group team, anyone added to the Entra group)
--   silently receives those roles without a role review. Members are the team's membership rows that
--   name a user of the export. For Entra group teams, Dataverse stores a member only after they first
--   access the environment, so an empty group team can also mean its members have not signed in yet;
--   the evidence says which kind of team it is. Access teams (teamtype 1) give no roles and are not checked.
-- remediation: >
--   If the team is no longer used, remove its security roles and delete it (reassign any records it
--   owns first). If it is in use, check who should be in it (for a group team, check the Entra group's
--   membership) and whether it still needs each role.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/manage-teams
--   - https://learn.microsoft.com/power-platform/admin/manage-group-teams
--   - https://learn.microsoft.com/dynamics365/customer-insights/journeys/admin-users-licenses-roles
-- needs: [teams, teammemberships, teamrolescollection]
WITH team_roles AS (
    SELECT tr.teamid, rn.roleid, rn.name AS role_name, rn.businessunit AS role_businessunit
    FROM teamrolescollection tr JOIN role_names rn USING (roleid)
)
SELECT 'team' AS subject_type, t.teamid AS subject_id, t.name AS subject_name, bu.name AS businessunit,
       CASE t.teamtype WHEN 0 THEN 'Owner team ' WHEN 2 THEN 'Entra security-group team ' ELSE 'Microsoft 365 group team ' END ||
           t.name || ' has no members but holds ' || count(*) ||
           CASE WHEN count(*) = 1 THEN ' security role: ' ELSE ' security roles: ' END ||
           string_agg(r.role_name || '@' || coalesce(r.role_businessunit, '?'), ', ' ORDER BY r.role_name, r.role_businessunit) ||
           CASE WHEN t.teamtype IN (2, 3) THEN ' (group members are stored only once they access the environment)' ELSE '' END AS message,
       json_object('teamtype', t.teamtype,
                   'team_kind', CASE t.teamtype WHEN 0 THEN 'owner' WHEN 2 THEN 'Entra security group' ELSE 'Microsoft 365 group' END,
                   'azureactivedirectoryobjectid', t.azureactivedirectoryobjectid, 'membershiptype', t.membershiptype,
                   'isdefault', t.isdefault,
                   'roles', list({'role': r.role_name, 'roleid': r.roleid, 'businessunit': r.role_businessunit}
                                 ORDER BY r.role_name, r.role_businessunit)) AS evidence,
       NULL AS detail
FROM teams t
JOIN team_roles r USING (teamid)
LEFT JOIN businessunits bu ON bu.businessunitid = t.businessunitid
WHERE t.teamtype IN (0, 2, 3)
  AND NOT EXISTS (SELECT 1 FROM teammemberships tm JOIN systemusers u USING (systemuserid) WHERE tm.teamid = t.teamid)
GROUP BY t.teamid, t.name, t.teamtype, t.azureactivedirectoryobjectid, t.membershiptype, t.isdefault, bu.name
