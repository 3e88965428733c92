-- id: SVC_USER_ROLE_MISSING
-- title: A required service user lacks one of its required security roles
-- severity: high
-- rationale: >
--   Microsoft documents the roles each app service user must hold. For Customer Insights - Journeys
--   (Marketing) the D365 Marketing user "must have the following security roles" (EventManagement
--   S2SInbound, LinkedIn LeadGen S2SInbound, Marketing Services User, Marketing, Business App Access,
--   Marketing Service user extensible role, Marketing service user real-time role), and "Marketing will
--   stop working correctly if you remove the user or any of these required roles"; the
--   "# Dynamics Marketing Dataverse Datasource" user needs Service Reader to resolve dynamic content.
--   A role counts as held when the service user holds any business-unit copy of it, directly or through
--   an owner or Entra-group team. One finding per missing role.
-- remediation: >
--   In the Power Platform admin center open the environment, Settings > Users + permissions >
--   Application users (or Users for a named service user), select the service user, Edit security
--   roles, and add the missing role from the service user's business unit. Don't change its other
--   roles. If the role itself no longer exists in the environment, re-apply the app's update or repair
--   its installation, which restores its roles.
-- references:
--   - https://learn.microsoft.com/dynamics365/customer-insights/journeys/admin-users-licenses-roles
--   - https://learn.microsoft.com/power-platform/admin/manage-application-users
--   - https://learn.microsoft.com/power-platform/admin/assign-security-roles
-- needs: [systemusers, roles, teams, teammemberships, teamrolescollection]
WITH matched AS (
    SELECT * FROM app_service_user_matches
),
-- when one required service user matches several systemusers, an enabled
-- one is the service user; disabled leftovers are not checked.
chosen AS (
    SELECT m.* FROM matched m
    WHERE NOT m.isdisabled
       OR NOT EXISTS (SELECT 1 FROM matched e WHERE e.app_id = m.app_id AND e.required_name = m.required_name
                      AND NOT e.isdisabled)
),
missing AS (
    SELECT c.*, rr.role_name
    FROM chosen c
    JOIN policy_app_service_user_roles rr ON rr.app_id = c.app_id AND rr.service_user_name = c.required_name
    WHERE NOT EXISTS (SELECT 1 FROM user_held_roles h
                      WHERE h.systemuserid = c.systemuserid AND h.role_name_norm = rr.role_name)
),
grouped AS (
    SELECT systemuserid, role_name, any_value(fullname) AS fullname, any_value(domainname) AS domainname,
           any_value(applicationid) AS applicationid, bool_or(isdisabled) AS isdisabled,
           any_value(businessunitid) AS businessunitid,
           list(DISTINCT app_name ORDER BY app_name) AS apps,
           list(DISTINCT required_name ORDER BY required_name) AS required_names
    FROM missing
    GROUP BY systemuserid, role_name
),
role_display AS (
    SELECT name_norm, min(name) AS name FROM role_names GROUP BY name_norm
),
held AS (
    SELECT systemuserid,
           list(DISTINCT role_name || '@' || coalesce(role_businessunit, role_businessunitid) || ' ' || held_as
                ORDER BY role_name || '@' || coalesce(role_businessunit, role_businessunitid) || ' ' || held_as) AS roles
    FROM user_held_roles GROUP BY systemuserid
)
SELECT 'user' AS subject_type, g.systemuserid AS subject_id, coalesce(g.fullname, g.domainname) AS subject_name,
       bu.name AS businessunit,
       'Service user ' || coalesce(g.fullname, g.domainname) || ' lacks the required role '
         || coalesce(rd.name, g.role_name)
         || CASE WHEN rd.name IS NULL THEN ' (the role does not exist in the environment)' ELSE '' END
         || ', so ' || array_to_string(g.apps, ', ') || ' will not work correctly' AS message,
       json_object(
           'missing_role', coalesce(rd.name, g.role_name),
           'role_exists_in_environment', rd.name IS NOT NULL,
           'apps', g.apps,
           'required_service_user', g.required_names,
           'domainname', g.domainname, 'applicationid', g.applicationid, 'isdisabled', g.isdisabled,
           'required_roles', (SELECT list(DISTINCT coalesce(d.name, rr.role_name) ORDER BY coalesce(d.name, rr.role_name))
                              FROM policy_app_service_user_roles rr LEFT JOIN role_display d ON d.name_norm = rr.role_name
                              WHERE list_contains(g.required_names, rr.service_user_name)),
           'held_roles', coalesce(h.roles, [])
       ) AS evidence,
       g.role_name AS detail
FROM grouped g
LEFT JOIN role_display rd ON rd.name_norm = g.role_name
LEFT JOIN held h ON h.systemuserid = g.systemuserid
LEFT JOIN businessunits bu ON bu.businessunitid = g.businessunitid
