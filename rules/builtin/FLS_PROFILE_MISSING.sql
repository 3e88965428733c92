-- id: FLS_PROFILE_MISSING
-- title: A field security profile an installed app needs is missing
-- severity: medium
-- rationale: >
--   Customer Insights - Journeys creates field security profiles that protect the secrets of its
--   push-notification and SMS channels (CxpApplicationUser - Mobile app channel instance secrets,
--   CxpApplicationUser - Mobile app secrets, Marketers - Mobile app channel instance secrets, Marketers -
--   Mobile app secrets, Customer Journey Orchestration Shared SMS Channels Profile). Microsoft warns:
--   "Deleting these profiles breaks text message (SMS) and push notification flows." The app counts as
--   installed when any of its roles exists; a profile is present when one has its name (compared
--   case-insensitively, trimmed).
-- remediation: >
--   Check in Advanced Settings > Security > Field Security Profiles (or the maker portal, Security >
--   Field security profiles) that the profile is really gone and not renamed. Restore it by re-applying
--   the Customer Insights - Journeys update or repairing the installation from the Power Platform admin
--   center (Dynamics 365 apps), then re-add the members (the Cxp application users, marketers) the
--   profile had. Don't recreate it by hand under the same name: the app's solution owns it.
-- references:
--   - https://learn.microsoft.com/dynamics365/customer-insights/journeys/admin-users-licenses-roles
--   - https://learn.microsoft.com/power-platform/admin/field-level-security
-- needs: [roles, fieldsecurityprofiles]
WITH installed AS (
    SELECT app_id, app_name, detected_by FROM installed_apps
),
missing AS (
    SELECT f.profile_name, f.display_name, i.app_name, i.detected_by
    FROM policy_app_fls_profiles f JOIN installed i USING (app_id)
    WHERE NOT EXISTS (SELECT 1 FROM fieldsecurityprofiles p WHERE lower(trim(p.name)) = f.profile_name)
)
SELECT 'fieldsecurityprofile' AS subject_type, m.profile_name AS subject_id, min(m.display_name) AS subject_name,
       NULL AS businessunit,
       'Field security profile "' || min(m.display_name) || '", needed by '
         || string_agg(DISTINCT m.app_name, ', ' ORDER BY m.app_name) || ', does not exist' AS message,
       json_object('profile', min(m.display_name),
                   'apps', list(DISTINCT m.app_name ORDER BY m.app_name),
                   'installed_because_roles_exist', flatten(list(m.detected_by)).list_distinct().list_sort(),
                   'required_profiles_present', coalesce((SELECT list(DISTINCT p.name ORDER BY p.name) FROM fieldsecurityprofiles p
                                                 WHERE lower(trim(p.name)) IN (SELECT profile_name FROM policy_app_fls_profiles)), [])) AS evidence,
       NULL AS detail
FROM missing m
GROUP BY m.profile_name
