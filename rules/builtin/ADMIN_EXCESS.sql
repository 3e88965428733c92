-- id: ADMIN_EXCESS
-- title: Too many people hold System Administrator or System Customizer
-- severity: medium
-- rationale: >
--   System Administrator has full access to every table and all settings; System Customizer can change
--   the data model and import solutions. Microsoft says "the use of these two roles should be limited to
--   a few people". Each additional holder is another account whose compromise or mistake affects the
--   whole environment. The rule counts persons (no applicationid, Read-Write or Read access mode, not
--   disabled, not a policy service user) who hold the role, directly or through an owner or group team,
--   in any business unit copy; the role is recognised by its template id (System Administrator
--   627090ff-40a3-4053-8790-584edc5be201, System Customizer 119f245c-3cc8-4b62-b31c-d1a046ced15d) or its
--   name. It fires when the count exceeds the policy's system_administrator_max / system_customizer_max
--   (default 5). Application users, administrative-mode, disabled and Microsoft placeholder users do not count.
-- remediation: >
--   Review the listed holders with the platform owner. Remove the role from everyone who does not need
--   it every day: give them a narrower role (a copy of System Customizer without the risky privileges,
--   Environment Maker, or a job role), use just-in-time elevation (Entra PIM / self-elevation) for
--   occasional admin work, and remove them from teams that carry the role. Keep the count within the
--   policy or raise the policy threshold with a documented reason.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/database-security
--   - https://learn.microsoft.com/power-platform/admin/security-roles-privileges
--   - https://learn.microsoft.com/power-platform/admin/manage-high-privileged-admin-roles
-- needs: [systemusers, roles]
WITH kinds AS (
    SELECT * FROM (VALUES
        ('627090ff-40a3-4053-8790-584edc5be201', 'system administrator', 'System Administrator', 'system_administrator_max'),
        ('119f245c-3cc8-4b62-b31c-d1a046ced15d', 'system customizer', 'System Customizer', 'system_customizer_max')
    ) AS t(template, name_norm, label, threshold)
),
kind_roles AS (
    SELECT k.template, rn.roleid, rn.rootroleid
    FROM kinds k JOIN role_names rn ON rn.roletemplateid = k.template OR rn.name_norm = k.name_norm
),
subject AS (
    -- the root role to report on: the template's root copy, else a root copy found by name
    SELECT k.template, rn.roleid, rn.name, rn.businessunit
    FROM kinds k JOIN role_names rn ON (rn.roletemplateid = k.template OR rn.name_norm = k.name_norm) AND rn.roleid = rn.rootroleid
    QUALIFY row_number() OVER (PARTITION BY k.template
                               ORDER BY (rn.roletemplateid IS NOT DISTINCT FROM k.template) DESC, rn.in_root_businessunit DESC, rn.roleid) = 1
),
holders AS (
    SELECT kr.template, h.systemuserid,
           list_sort(list(DISTINCT h.held_as)) AS held_as,
           list_sort(list(DISTINCT h.role_name || '@' || coalesce(h.role_businessunit, '?'))) AS role_copies
    FROM kind_roles kr
    JOIN user_held_roles h ON h.roleid = kr.roleid
    JOIN persons p ON p.systemuserid = h.systemuserid
    GROUP BY kr.template, h.systemuserid
),
counted AS (
    SELECT k.template, k.label, t.value AS max_allowed, count(h.systemuserid) AS n,
           list({'user': coalesce(u.fullname, u.domainname), 'systemuserid': u.systemuserid, 'domainname': u.domainname,
                 'held_as': h.held_as, 'role_copies': h.role_copies} ORDER BY coalesce(u.fullname, u.domainname), u.systemuserid) AS holders
    FROM kinds k
    JOIN policy_thresholds t ON t.name = k.threshold
    JOIN holders h ON h.template = k.template
    JOIN systemusers u ON u.systemuserid = h.systemuserid
    GROUP BY k.template, k.label, t.value
)
SELECT 'role' AS subject_type, s.roleid AS subject_id, s.name AS subject_name, s.businessunit AS businessunit,
       c.n || ' persons hold ' || c.label || '; the policy allows ' || c.max_allowed AS message,
       json_object('role', c.label, 'persons', c.n, 'max_allowed', c.max_allowed, 'holders', c.holders) AS evidence,
       NULL AS detail
FROM counted c
JOIN subject s USING (template)
WHERE c.n > c.max_allowed
