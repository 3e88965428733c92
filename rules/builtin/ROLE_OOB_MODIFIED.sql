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
WITH root_roles AS (
    SELECT rn.* FROM role_names rn WHERE rn.roleid = rn.rootroleid
),
candidates AS (
    SELECT r.roleid, b.roleid AS baseline_roleid, b.name AS baseline_name, b.source AS baseline_source,
           CASE
             WHEN r.roletemplateid IS NOT NULL AND b.roletemplateid = r.roletemplateid THEN 1
             WHEN coalesce(b.parentrootroleid, b.roleid) = r.rootroleid THEN 2
             ELSE 3
           END AS match_rank
    FROM root_roles r
    JOIN baseline_roles b
      ON (r.roletemplateid IS NOT NULL AND b.roletemplateid = r.roletemplateid)
      -- a role with a template is never matched to a baseline role of another template
      OR (NOT (r.roletemplateid IS NOT NULL AND b.roletemplateid IS NOT NULL AND b.roletemplateid <> r.roletemplateid)
          AND (coalesce(b.parentrootroleid, b.roleid) = r.rootroleid OR lower(trim(b.name)) = r.name_norm))
),
matched AS (
    SELECT c.*, r.name, r.businessunit, r.roletemplateid, r.ismanaged
    FROM candidates c JOIN root_roles r USING (roleid)
    -- out-of-box: has a template, or is managed and present in the baseline
    WHERE r.roletemplateid IS NOT NULL OR coalesce(r.ismanaged, false)
    QUALIFY row_number() OVER (PARTITION BY c.roleid ORDER BY c.match_rank, c.baseline_roleid) = 1
),
actual AS (
    SELECT m.roleid, lower(trim(p.name)) AS privilege_key, min(trim(p.name)) AS privilege,
           max(CASE WHEN g.privilegedepthmask & 8 <> 0 THEN 4 WHEN g.privilegedepthmask & 4 <> 0 THEN 3
                    WHEN g.privilegedepthmask & 2 <> 0 THEN 2 WHEN g.privilegedepthmask & 1 <> 0 THEN 1 END) AS depth_rank
    FROM matched m
    JOIN role_privilege_grants g ON g.roleid = m.roleid
    JOIN privileges p ON p.privilegeid = g.privilegeid
    GROUP BY m.roleid, lower(trim(p.name))
),
baseline AS (
    SELECT m.roleid, lower(trim(bp.privilegename)) AS privilege_key, min(trim(bp.privilegename)) AS privilege,
           max(CASE WHEN bp.privilegedepthmask & 8 <> 0 THEN 4 WHEN bp.privilegedepthmask & 4 <> 0 THEN 3
                    WHEN bp.privilegedepthmask & 2 <> 0 THEN 2 WHEN bp.privilegedepthmask & 1 <> 0 THEN 1 END) AS depth_rank
    FROM matched m
    JOIN baseline_roleprivileges bp ON bp.roleid = m.baseline_roleid
    WHERE bp.privilegedepthmask & 15 <> 0
    GROUP BY m.roleid, lower(trim(bp.privilegename))
),
diff AS (
    SELECT coalesce(a.roleid, b.roleid) AS roleid, coalesce(a.privilege, b.privilege) AS privilege,
           b.depth_rank AS baseline_rank, a.depth_rank AS actual_rank
    FROM actual a
    FULL OUTER JOIN baseline b ON a.roleid = b.roleid AND a.privilege_key = b.privilege_key
    WHERE a.depth_rank IS DISTINCT FROM b.depth_rank
),
depth_names AS (
    SELECT * FROM (VALUES (1, 'basic'), (2, 'local'), (3, 'deep'), (4, 'global')) AS t(depth_rank, depth)
),
per_role AS (
    SELECT d.roleid,
           coalesce(list({'privilege': d.privilege, 'depth': an.depth} ORDER BY d.privilege)
                    FILTER (WHERE d.baseline_rank IS NULL), []) AS added,
           coalesce(list({'privilege': d.privilege, 'depth': bn.depth} ORDER BY d.privilege)
                    FILTER (WHERE d.actual_rank IS NULL), []) AS removed,
           coalesce(list({'privilege': d.privilege, 'baseline': bn.depth, 'actual': an.depth} ORDER BY d.privilege)
                    FILTER (WHERE d.baseline_rank IS NOT NULL AND d.actual_rank IS NOT NULL), []) AS changed,
           count(*) FILTER (WHERE d.baseline_rank IS NULL) AS n_added,
           count(*) FILTER (WHERE d.actual_rank IS NULL) AS n_removed,
           count(*) FILTER (WHERE d.baseline_rank IS NOT NULL AND d.actual_rank IS NOT NULL) AS n_changed
    FROM diff d
    LEFT JOIN depth_names an ON an.depth_rank = d.actual_rank
    LEFT JOIN depth_names bn ON bn.depth_rank = d.baseline_rank
    GROUP BY d.roleid
)
SELECT 'role' AS subject_type, m.roleid AS subject_id, m.name AS subject_name, m.businessunit AS businessunit,
       'Out-of-box role ' || m.name || ' differs from its baseline: ' ||
           p.n_added || ' privilege(s) added, ' || p.n_removed || ' removed, ' || p.n_changed || ' at another depth' AS message,
       json_object('added', p.added, 'removed', p.removed, 'changed', p.changed,
                   'roletemplateid', m.roletemplateid, 'ismanaged', m.ismanaged,
                   'baseline_role', m.baseline_name, 'baseline_roleid', m.baseline_roleid, 'baseline_source', m.baseline_source,
                   'matched_on', CASE m.match_rank WHEN 1 THEN 'roletemplateid' WHEN 2 THEN 'parentrootroleid' ELSE 'name' END,
                   'business_unit_copies', (SELECT count(*) FROM role_names c WHERE c.rootroleid = m.roleid AND c.roleid <> m.roleid)) AS evidence,
       NULL AS detail
FROM matched m
JOIN per_role p USING (roleid)
