-- id: USER_DISABLED_HOLDS_ROLES
-- title: A disabled user still holds security roles directly
-- severity: low
-- rationale: >
--   Disabling a user does not remove their security roles: disabled users keep their roles, can own
--   records and receive shares, and assigning new roles to them is only possible with the OrgDB setting
--   allowRoleAssignmentOnDisabledUsers. When the account is enabled again (a new license, re-added to
--   the environment's security group) every directly assigned role comes back with it, without anyone
--   reviewing it. An auditor wants leavers' and dormant accounts stripped of access, not merely switched off.
--   Only direct assignments are reported: team roles end with the team membership and are reviewed there.
-- remediation: >
--   Review each listed role. If the account belongs to a leaver or a retired integration, remove its
--   direct role assignments (Power Platform admin center > Environment > Settings > Users > Manage
--   security roles) and remove it from its teams; if it is disabled on purpose and must come back with
--   the same access, record that decision as a waiver with an owner and an expiry date.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/create-users
--   - https://learn.microsoft.com/power-platform/admin/assign-security-roles
--   - https://learn.microsoft.com/power-platform/admin/security-roles-privileges
-- needs: [systemusers, systemuserrolescollection]
WITH direct AS (
    SELECT u.systemuserid, rn.roleid, rn.name AS role_name, rn.businessunit AS role_businessunit
    FROM systemusers u
    JOIN systemuserrolescollection ur USING (systemuserid)
    JOIN role_names rn ON rn.roleid = ur.roleid
    WHERE u.isdisabled
)
SELECT 'user' AS subject_type, u.systemuserid AS subject_id, coalesce(u.fullname, u.domainname) AS subject_name,
       bu.name AS businessunit,
       'Disabled user ' || coalesce(u.fullname, u.domainname) || ' still holds ' || count(*) ||
           CASE WHEN count(*) = 1 THEN ' security role' ELSE ' security roles' END || ' directly: ' ||
           string_agg(d.role_name || '@' || coalesce(d.role_businessunit, '?'), ', ' ORDER BY d.role_name, d.role_businessunit) AS message,
       json_object('domainname', u.domainname, 'accessmode', u.accessmode, 'applicationid', u.applicationid,
                   'isdisabled', u.isdisabled,
                   'direct_roles', list({'role': d.role_name, 'roleid': d.roleid, 'businessunit': d.role_businessunit}
                                        ORDER BY d.role_name, d.role_businessunit)) AS evidence,
       NULL AS detail
FROM systemusers u
JOIN direct d USING (systemuserid)
LEFT JOIN businessunits bu ON bu.businessunitid = u.businessunitid
GROUP BY u.systemuserid, u.fullname, u.domainname, u.accessmode, u.applicationid, u.isdisabled, bu.name
