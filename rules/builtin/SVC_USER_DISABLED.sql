-- id: SVC_USER_DISABLED
-- title: A required service user is disabled
-- severity: high
-- rationale: >
--   An installed app runs through its service users; Customer Insights - Journeys (Marketing) "will
--   stop working correctly if you remove the user or any of these required roles", and for its
--   real-time service users "deleting these users breaks your deployment". A disabled service user
--   cannot authenticate, so the app area it serves (journeys, segmentation, personalization, SMS, ...)
--   fails just as if it had been deleted, while the user still looks present. The service user is
--   matched on its name (a leading "# " ignored) or Entra application ID; when an enabled match exists
--   too, the disabled one is a leftover and is not reported.
-- remediation: >
--   In the Power Platform admin center open the environment, Settings > Users + permissions >
--   Application users, select the service user and Activate it (for a user account, re-enable it in
--   Microsoft Entra ID and make sure it is in the environment's security group). Find out who or what
--   disabled it, and check that it still holds its required roles.
-- references:
--   - https://learn.microsoft.com/dynamics365/customer-insights/journeys/admin-users-licenses-roles
--   - https://learn.microsoft.com/power-platform/admin/manage-application-users
--   - https://learn.microsoft.com/power-platform/admin/system-application-users
-- needs: [systemusers, roles]
WITH matched AS (
    SELECT * FROM app_service_user_matches
),
disabled AS (
    SELECT m.* FROM matched m
    WHERE m.isdisabled
      AND NOT EXISTS (SELECT 1 FROM matched e WHERE e.app_id = m.app_id AND e.required_name = m.required_name
                      AND NOT e.isdisabled)
),
grouped AS (
    SELECT systemuserid, any_value(fullname) AS fullname, any_value(domainname) AS domainname,
           any_value(applicationid) AS applicationid, any_value(accessmode) AS accessmode,
           any_value(businessunitid) AS businessunitid,
           list(DISTINCT app_name ORDER BY app_name) AS apps,
           list(DISTINCT required_name ORDER BY required_name) AS required_names,
           list(DISTINCT matched_on ORDER BY matched_on) AS matched_on
    FROM disabled
    GROUP BY systemuserid
)
SELECT 'user' AS subject_type, g.systemuserid AS subject_id, coalesce(g.fullname, g.domainname) AS subject_name,
       bu.name AS businessunit,
       'Required service user ' || coalesce(g.fullname, g.domainname)
         || coalesce(' (application ID ' || g.applicationid || ')', '') || ' is disabled, so '
         || array_to_string(g.apps, ', ') || ' cannot use it' AS message,
       json_object('apps', g.apps, 'required_service_user', g.required_names, 'matched_on', g.matched_on,
                   'domainname', g.domainname, 'applicationid', g.applicationid, 'accessmode', g.accessmode,
                   'isdisabled', true,
                   'held_roles', coalesce((SELECT list(DISTINCT h.role_name || '@' || coalesce(h.role_businessunit, h.role_businessunitid) || ' ' || h.held_as
                                                   ORDER BY h.role_name || '@' || coalesce(h.role_businessunit, h.role_businessunitid) || ' ' || h.held_as)
                                           FROM user_held_roles h WHERE h.systemuserid = g.systemuserid), [])) AS evidence,
       NULL AS detail
FROM grouped g
LEFT JOIN businessunits bu ON bu.businessunitid = g.businessunitid
