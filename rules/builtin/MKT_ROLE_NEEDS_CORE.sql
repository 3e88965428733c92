-- id: MKT_ROLE_NEEDS_CORE
-- title: A lead-scoring role is held without the core marketing role it must be combined with
-- severity: low
-- rationale: >
--   Microsoft's role table for Customer Insights - Journeys (Marketing) says Lead Score Modeler "must be
--   combined with a core marketing role" (Marketing Professional - Business, Marketing Manager -
--   Business, or their BU-level variants), and Lead Score Viewer "must be combined with one of the other
--   marketing and/or sales roles". Held alone, these roles don't open the app areas they are meant for:
--   the assignment is incomplete (a joiner or mover whose access was only half granted) or a leftover
--   that should have been removed. Checked for persons; roles count whether held directly or through an
--   owner or Entra-group team.
-- remediation: >
--   Decide with the user's manager whether the person still needs lead scoring. If so, assign the core
--   marketing role that fits the job (Marketing Professional - Business, or the BU-level variant in a
--   multi-business-unit organisation; for a Lead Score Viewer a sales role such as Salesperson also
--   suffices), directly or through a team. If not, remove the lead-scoring role.
-- references:
--   - https://learn.microsoft.com/dynamics365/customer-insights/journeys/admin-users-licenses-roles
--   - https://learn.microsoft.com/power-platform/admin/assign-security-roles
-- needs: [systemusers, roles, teams, teammemberships, teamrolescollection]
WITH held AS (
    SELECT h.* FROM user_held_roles h
    WHERE h.systemuserid IN (SELECT systemuserid FROM persons)
),
lead_score AS (
    SELECT h.systemuserid, l.app_id, l.kind, h.role_name,
           h.role_name || '@' || coalesce(h.role_businessunit, h.role_businessunitid) || ' ' || h.held_as AS grant_text
    FROM held h JOIN policy_app_lead_score_roles l ON l.role_name = h.role_name_norm
),
core AS (
    SELECT DISTINCT h.systemuserid, c.app_id FROM held h JOIN policy_app_core_roles c ON c.role_name = h.role_name_norm
),
sales AS (
    SELECT h.systemuserid,
           list(DISTINCT h.role_name || '@' || coalesce(h.role_businessunit, h.role_businessunitid) || ' ' || h.held_as
                ORDER BY h.role_name || '@' || coalesce(h.role_businessunit, h.role_businessunitid) || ' ' || h.held_as) AS grants
    FROM held h JOIN policy_sales_roles s ON s.role_name = h.role_name_norm
    GROUP BY h.systemuserid
),
offending AS (
    SELECT l.* FROM lead_score l
    WHERE NOT EXISTS (SELECT 1 FROM core c WHERE c.systemuserid = l.systemuserid AND c.app_id = l.app_id)
      AND (l.kind = 'modeler' OR l.systemuserid NOT IN (SELECT systemuserid FROM sales))
),
grouped AS (
    SELECT systemuserid,
           list(DISTINCT role_name ORDER BY role_name) AS roles,
           list(DISTINCT grant_text ORDER BY grant_text) AS grants,
           bool_or(kind = 'modeler') AS has_modeler,
           list(DISTINCT app_id ORDER BY app_id) AS apps
    FROM offending GROUP BY systemuserid
)
SELECT 'user' AS subject_type, u.systemuserid AS subject_id, coalesce(u.fullname, u.domainname) AS subject_name,
       bu.name AS businessunit,
       coalesce(u.fullname, u.domainname) || ' holds ' || array_to_string(g.roles, ' and ')
         || ' but no core marketing role'
         || CASE WHEN g.has_modeler THEN '' ELSE ' and no sales role' END
         || ', which the role must be combined with' AS message,
       json_object('domainname', u.domainname,
                   'lead_score_roles', g.grants,
                   'core_roles_accepted', (SELECT names FROM core_marketing_role_names),
                   'sales_roles_held', coalesce(s.grants, []),
                   'sales_role_accepted', NOT g.has_modeler,
                   'why', CASE WHEN g.has_modeler
                               THEN 'Lead Score Modeler must be combined with a core marketing role; a sales role does not suffice'
                               ELSE 'Lead Score Viewer must be combined with a core marketing role or a sales role' END) AS evidence,
       NULL AS detail
FROM grouped g
JOIN systemusers u ON u.systemuserid = g.systemuserid
LEFT JOIN businessunits bu ON bu.businessunitid = u.businessunitid
LEFT JOIN sales s ON s.systemuserid = g.systemuserid
