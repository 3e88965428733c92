-- id: ROLE_OOB_MODIFIED
-- title: An out-of-box security role differs from its baseline
-- severity: medium
-- rationale: >
--   Microsoft advises that "you probably shouldn't customize the out-of-box roles because your
--   customizations are likely to get overwritten after each update... create a copy" (Customer Insights -
--   Journeys: "You cannot customize the out-of-box roles... start by creating a copy of an existing role").
--   A modified out-of-box role grants every holder, in every business unit copy, access the role's name
--   does not suggest, and the next solution update can silently revert or extend it. An out-of-box role is
--   one with a roletemplateid, or a managed role present in the baseline; it is matched to the baseline on
--   roletemplateid, then on its root role id (parentrootroleid, constant for roles without a template),
--   then on its name (case-insensitive, trimmed). Only the root copy is compared (business-unit copies
--   take the root's privileges); privileges compare by name (case-insensitive) at their highest depth
--   (Basic < Local < Deep < Global). The evidence lists every privilege added, removed, or at another depth.
-- remediation: >
--   Compare the role with the listed differences. If the changes are needed, copy the out-of-box role
--   (Copy Role), apply them to the copy, assign the copy to the users and teams that hold the original,
--   and restore the out-of-box role's privileges (or reinstall / update its solution). If a change was
--   not intended, revert it. Then re-run the audit against the same baseline.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/security-roles-privileges
--   - https://learn.microsoft.com/power-platform/admin/database-security
--   - https://learn.microsoft.com/power-apps/developer/data-platform/security-roles
--   - https://learn.microsoft.com/power-apps/maker/data-platform/solution-layers
--   - https://learn.microsoft.com/dynamics365/customer-insights/journeys/admin-users-licenses-roles
-- needs: [baseline_roles]
WITH per_role AS (
    -- the matching and the diff are the model's (queries/access/sql/080_report_views.sql):
    -- role_baseline_match and role_drift, which the workbook and the PDF show too
    SELECT d.roleid,
           coalesce(list({'privilege': d.privilege, 'depth': d.actual_depth} ORDER BY d.privilege)
                    FILTER (WHERE d.change = 'added'), []) AS added,
           coalesce(list({'privilege': d.privilege, 'depth': d.baseline_depth} ORDER BY d.privilege)
                    FILTER (WHERE d.change = 'removed'), []) AS removed,
           coalesce(list({'privilege': d.privilege, 'baseline': d.baseline_depth, 'actual': d.actual_depth} ORDER BY d.privilege)
                    FILTER (WHERE d.change = 'changed'), []) AS changed,
           count(*) FILTER (WHERE d.change = 'added') AS n_added,
           count(*) FILTER (WHERE d.change = 'removed') AS n_removed,
           count(*) FILTER (WHERE d.change = 'changed') AS n_changed
    FROM role_drift d
    GROUP BY d.roleid
)
SELECT 'role' AS subject_type, m.roleid AS subject_id, r.name AS subject_name, r.businessunit AS businessunit,
       'Out-of-box role ' || r.name || ' differs from its baseline: ' ||
           p.n_added || ' privilege(s) added, ' || p.n_removed || ' removed, ' || p.n_changed || ' at another depth' AS message,
       json_object('added', p.added, 'removed', p.removed, 'changed', p.changed,
                   'roletemplateid', r.roletemplateid, 'ismanaged', r.ismanaged,
                   'baseline_role', m.baseline_name, 'baseline_roleid', m.baseline_roleid, 'baseline_source', m.baseline_source,
                   'matched_on', m.matched_on,
                   'business_unit_copies', (SELECT count(*) FROM role_names c WHERE c.rootroleid = m.roleid AND c.roleid <> m.roleid)) AS evidence,
       NULL AS detail
FROM role_baseline_match m
JOIN role_names r USING (roleid)
JOIN per_role p USING (roleid)
