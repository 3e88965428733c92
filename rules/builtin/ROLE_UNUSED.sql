-- id: ROLE_UNUSED
-- title: A custom security role is held by nobody
-- severity: info
-- rationale: >
--   Hygiene. A custom role (unmanaged, no roletemplateid) that no user holds in any business unit copy,
--   neither directly nor through an owner or Entra group team, grants nothing today but stays assignable:
--   it can be handed out later without review, and its privileges are rarely kept in step with the
--   model. Roles are copied into every business unit, so the rule looks at the root role and all its
--   copies. Roles assigned only to access teams (which give no roles) or to teams without members
--   count as unheld; the evidence lists those teams. Managed and template roles are left out: they come
--   with solutions.
-- remediation: >
--   Confirm with the role's owner that it is no longer needed, then delete the root role (its business
--   unit copies go with it), or document why it is kept (for example a role prepared for a rollout) as a waiver.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/security-roles-privileges
--   - https://learn.microsoft.com/power-platform/admin/database-security
-- needs: [roles]
-- needs_values: [roles.ismanaged]
WITH custom_roots AS (
    SELECT rn.*, r.modifiedon
    FROM role_names rn JOIN roles r USING (roleid)
    WHERE rn.roleid = rn.rootroleid AND rn.roletemplateid IS NULL AND NOT coalesce(rn.ismanaged, false)
),
held_roots AS (
    SELECT DISTINCT rn.rootroleid FROM user_role_sources s JOIN role_names rn USING (roleid)
)
SELECT 'role' AS subject_type, c.roleid AS subject_id, c.name AS subject_name, c.businessunit AS businessunit,
       'Custom role ' || c.name || ' is held by nobody, in any business unit, directly or through a team' AS message,
       json_object('business_unit_copies', (SELECT count(*) FROM role_names x WHERE x.rootroleid = c.roleid),
                   'privileges', (SELECT count(*) FROM role_privilege_grants g WHERE g.roleid = c.roleid),
                   'modifiedon', c.modifiedon,
                   'assigned_to_teams_that_give_no_one_the_role',
                   coalesce((SELECT list_sort(list(DISTINCT t.name || ' (' || CASE WHEN t.teamtype = 1 THEN 'access team' ELSE 'no members' END || ')'))
                             FROM teamrolescollection tr JOIN role_names x ON x.roleid = tr.roleid JOIN teams t ON t.teamid = tr.teamid
                             WHERE x.rootroleid = c.roleid), [])) AS evidence,
       NULL AS detail
FROM custom_roots c
WHERE c.roleid NOT IN (SELECT rootroleid FROM held_roots)
