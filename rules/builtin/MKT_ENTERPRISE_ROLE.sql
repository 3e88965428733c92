-- id: MKT_ENTERPRISE_ROLE
-- title: An enterprise-marketing role is held instead of a Customer Insights - Journeys role
-- severity: info
-- rationale: >
--   The out-of-box roles Marketing Professional and Marketing Manager (no "- Business" suffix) belong to
--   the enterprise marketing feature of the model-driven apps; Microsoft states they "are used in
--   enterprise marketing and not related to the" Customer Insights - Journeys (Marketing) product. A
--   person who holds one of them and none of the "- Business" roles (Marketing Professional - Business,
--   Marketing Manager - Business, or their BU-level variants) while the Marketing app is installed was
--   most likely given the wrong role: they lack access to the app, or hold enterprise-marketing access
--   nobody intended. Roles count whether held directly or through an owner or Entra-group team.
-- remediation: >
--   Confirm with the user's manager what the person does. For Customer Insights - Journeys work, assign
--   Marketing Professional - Business (or Marketing Manager - Business, or a BU-level variant) and remove
--   the enterprise role unless the enterprise marketing feature (campaigns, marketing lists in Sales) is
--   really needed.
-- references:
--   - https://learn.microsoft.com/dynamics365/customer-insights/journeys/admin-users-licenses-roles
--   - https://learn.microsoft.com/power-platform/admin/security-roles-privileges
-- needs: [systemusers, roles, teams, teammemberships, teamrolescollection]
WITH installed AS (
    SELECT app_id, app_name, detected_by FROM installed_apps
),
held AS (
    SELECT h.* FROM user_held_roles h
    WHERE h.systemuserid IN (SELECT systemuserid FROM persons)
),
enterprise AS (
    SELECT h.systemuserid, e.app_id, i.app_name, h.role_name,
           h.role_name || '@' || coalesce(h.role_businessunit, h.role_businessunitid) || ' ' || h.held_as AS grant_text
    FROM held h
    JOIN policy_app_enterprise_roles e ON e.role_name = h.role_name_norm
    JOIN installed i ON i.app_id = e.app_id
),
offending AS (
    SELECT x.* FROM enterprise x
    WHERE NOT EXISTS (SELECT 1 FROM held h JOIN policy_app_core_roles c ON c.role_name = h.role_name_norm
                      WHERE h.systemuserid = x.systemuserid AND c.app_id = x.app_id)
),
grouped AS (
    SELECT systemuserid,
           list(DISTINCT role_name ORDER BY role_name) AS roles,
           list(DISTINCT grant_text ORDER BY grant_text) AS grants,
           list(DISTINCT app_name ORDER BY app_name) AS apps
    FROM offending GROUP BY systemuserid
)
SELECT 'user' AS subject_type, u.systemuserid AS subject_id, coalesce(u.fullname, u.domainname) AS subject_name,
       bu.name AS businessunit,
       coalesce(u.fullname, u.domainname) || ' holds the enterprise-marketing role ' || array_to_string(g.roles, ' and ')
         || ' but no "- Business" role of ' || array_to_string(g.apps, ', ') || ', which is installed' AS message,
       json_object('domainname', u.domainname,
                   'enterprise_roles', g.grants,
                   'apps_installed', g.apps,
                   'business_roles_expected', (SELECT names FROM core_marketing_role_names)) AS evidence,
       NULL AS detail
FROM grouped g
JOIN systemusers u ON u.systemuserid = g.systemuserid
LEFT JOIN businessunits bu ON bu.businessunitid = u.businessunitid
