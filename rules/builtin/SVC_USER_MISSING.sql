-- id: SVC_USER_MISSING
-- title: An installed app's required service user is absent
-- severity: high
-- rationale: >
--   Apps such as Dynamics 365 Customer Insights - Journeys (Marketing) run through service users
--   (application users) that the app creates in the environment: D365 Marketing and the real-time
--   journeys service users (Customer Experience Platform PROD, D365 Dataverse Data, ...). Microsoft's
--   documentation is explicit: "Deleting these users breaks your deployment." The app counts as
--   installed when any of its roles exists; a required service user is present when a systemuser
--   matches its name (a leading "# " ignored) or its Entra application ID. An absent service user
--   means the features that run through it (journeys, emails, events, forms, SMS) fail.
-- remediation: >
--   Confirm the app is meant to be installed in this environment. If it is, restore the service
--   user: in the Power Platform admin center open the environment, Settings > Users + permissions >
--   Application users, and check whether the user exists but was filtered out; otherwise re-run the
--   app's setup or update (Dynamics 365 apps in the admin center, or the Customer Insights - Journeys
--   provisioning), which recreates its application users and assigns their roles. If the app is
--   being retired, uninstall it completely so that its roles no longer exist.
-- references:
--   - https://learn.microsoft.com/dynamics365/customer-insights/journeys/admin-users-licenses-roles
--   - https://learn.microsoft.com/power-platform/admin/manage-application-users
--   - https://learn.microsoft.com/power-platform/admin/system-application-users
-- needs: [systemusers, roles]
WITH installed AS (
    SELECT app_id, app_name, detected_by FROM installed_apps
),
required AS (
    SELECT s.app_id, i.app_name, i.detected_by, s.name, s.display_name, s.applicationid,
           coalesce(s.applicationid, s.name) AS subject_id
    FROM policy_app_service_users s JOIN installed i USING (app_id)
),
missing AS (
    SELECT q.* FROM required q
    WHERE NOT EXISTS (
        SELECT 1 FROM systemusers u
        WHERE u.applicationid = q.applicationid
           OR regexp_replace(lower(trim(coalesce(u.fullname, ''))), '^#\s*', '')
              = regexp_replace(q.name, '^#\s*', ''))
)
SELECT 'user' AS subject_type, subject_id, min(display_name) AS subject_name, NULL AS businessunit,
       'Service user ' || min(display_name)
         || coalesce(' (application ID ' || min(applicationid) || ')', '')
         || ', required by ' || string_agg(DISTINCT app_name, ', ' ORDER BY app_name)
         || ', is absent: no systemuser has that name or application ID' AS message,
       json_object('service_user', min(display_name), 'applicationid', min(applicationid),
                   'apps', list(DISTINCT app_name ORDER BY app_name),
                   'installed_because_roles_exist', flatten(list(detected_by)).list_distinct().list_sort(),
                   'match_rule', 'fullname (leading "# " ignored, case-insensitive) or applicationid') AS evidence,
       NULL AS detail
FROM missing
GROUP BY subject_id
