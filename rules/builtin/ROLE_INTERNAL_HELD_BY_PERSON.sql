-- id: ROLE_INTERNAL_HELD_BY_PERSON
-- title: A person holds an internal service role
-- severity: high
-- rationale: >
--   Microsoft marks the Customer Insights - Journeys service roles (Marketing Services User; Marketing,
--   Business App Access; EventManagement S2S Inbound; LinkedIn LeadGen S2SInbound; the Marketing service
--   user extensible and real-time roles; the Cxp ... Services User, Cxp Channels Application User and Cxp
--   Content Composition Services roles) "For internal use only, don't delete or modify": they exist for the
--   solution's own service users to sync data and run the app, and carry broad access that no job role
--   needs. Service Reader and Service Writer "can't be assigned" to people at all. A person (a user with no
--   applicationid, Read-Write or Read access mode, not disabled, not a policy service user) who holds one,
--   directly or through an owner or group team, has access that bypasses the app's designed roles. The
--   list is the policy's internal_roles (names, and patterns where * matches any run of characters).
-- remediation: >
--   Remove the internal role from the person (or remove the person from the team that gives it). Give
--   them the job role they need instead, e.g. Marketing Professional - Business or Marketing Manager -
--   Business for marketers. Leave the internal roles on the service users that the app requires.
-- references:
--   - https://learn.microsoft.com/dynamics365/customer-insights/journeys/admin-users-licenses-roles
--   - https://learn.microsoft.com/power-platform/admin/database-security
--   - https://learn.microsoft.com/power-platform/admin/security-roles-privileges
-- needs: [systemusers, roles]
WITH internal AS (
    -- A pattern such as "Cxp * Services User" also matches "Cxp Services User": the run of
    -- characters may be empty, and the words around it then meet at one space.
    SELECT DISTINCT h.systemuserid, h.roleid, h.role_name, h.role_businessunit, h.held_as
    FROM user_held_roles h
    JOIN persons p USING (systemuserid)
    WHERE EXISTS (SELECT 1 FROM policy_internal_roles ir
                  WHERE h.role_name_norm LIKE ir.like_pattern ESCAPE '\'
                     OR h.role_name_norm LIKE replace(ir.like_pattern, ' % ', ' %') ESCAPE '\')
),
per_role AS (
    SELECT systemuserid, roleid, role_name, role_businessunit, list_sort(list(DISTINCT held_as)) AS held_as
    FROM internal
    GROUP BY systemuserid, roleid, role_name, role_businessunit
)
SELECT 'user' AS subject_type, u.systemuserid AS subject_id, coalesce(u.fullname, u.domainname) AS subject_name,
       bu.name AS businessunit,
       'Person ' || coalesce(u.fullname, u.domainname) || ' holds the internal service ' ||
           CASE WHEN count(DISTINCT r.role_name) = 1 THEN 'role ' ELSE 'roles ' END ||
           string_agg(DISTINCT r.role_name, ', ' ORDER BY r.role_name) AS message,
       json_object('domainname', u.domainname, 'accessmode', u.accessmode,
                   'internal_roles', list({'role': r.role_name, 'roleid': r.roleid, 'businessunit': r.role_businessunit,
                                           'held_as': r.held_as} ORDER BY r.role_name, r.role_businessunit)) AS evidence,
       NULL AS detail
FROM per_role r
JOIN systemusers u USING (systemuserid)
LEFT JOIN businessunits bu ON bu.businessunitid = u.businessunitid
GROUP BY u.systemuserid, u.fullname, u.domainname, u.accessmode, bu.name
