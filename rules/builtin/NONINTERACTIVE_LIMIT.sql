-- id: NONINTERACTIVE_LIMIT
-- title: More non-interactive users than the environment allows
-- severity: medium
-- rationale: >
--   "For each environment, you can create up to seven non-interactive user accounts." Non-interactive
--   users (access mode 4 without an applicationid) use the API only and need no license; application
--   users (applicationid set) are created as non-interactive but don't count toward the limit and are not
--   capped. An environment above the limit (the policy's noninteractive_max, default 7) is outside what
--   Microsoft supports: the surplus accounts are likely licence workarounds or forgotten integrations, and
--   new ones cannot be created. Disabled non-interactive users are counted and marked in the evidence.
-- remediation: >
--   Review the listed accounts with their owners. Delete or disable the ones no longer used, and move
--   integrations to application users (server-to-server authentication with an Entra app registration),
--   which don't count toward the limit, until at most the allowed number remain.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/create-users
--   - https://learn.microsoft.com/power-apps/developer/data-platform/build-web-applications-server-server-s2s-authentication
-- needs: [systemusers]
WITH ni AS (
    SELECT u.*, bu.name AS businessunit
    FROM systemusers u LEFT JOIN businessunits bu USING (businessunitid)
    WHERE u.accessmode = 4 AND u.applicationid IS NULL
),
agg AS (
    SELECT count(*) AS n,
           count(*) FILTER (WHERE isdisabled) AS n_disabled,
           list({'user': coalesce(fullname, domainname), 'systemuserid': systemuserid, 'domainname': domainname,
                 'businessunit': businessunit, 'isdisabled': isdisabled}
                ORDER BY coalesce(fullname, domainname), systemuserid) AS users
    FROM ni
),
env AS (
    SELECT coalesce(nullif(trim(any_value(environment)), ''), 'environment') AS name FROM audit_context
)
SELECT 'environment' AS subject_type, env.name AS subject_id, env.name AS subject_name, NULL AS businessunit,
       'Environment ' || env.name || ' has ' || a.n || ' non-interactive users (access mode 4, no application id); at most ' ||
           t.value || ' are allowed' AS message,
       json_object('noninteractive_users', a.n, 'disabled', a.n_disabled, 'max_allowed', t.value,
                   'application_users_not_counted', (SELECT count(*) FROM systemusers WHERE applicationid IS NOT NULL AND accessmode = 4),
                   'users', a.users) AS evidence,
       NULL AS detail
FROM agg a
CROSS JOIN env
JOIN policy_thresholds t ON t.name = 'noninteractive_max'
WHERE a.n > t.value
