-- id: DATA_ROLE_ROOT_CHAIN
-- title: A role copy names another copy, not its root role, as its parent root role
-- severity: low
-- rationale: >
--   Data quality. Dataverse copies every root security role into each business unit and records the root
--   in the copy's parentrootroleid. A copy whose parentrootroleid names another copy (A -> B -> root)
--   breaks that invariant: tools that read one step up take the wrong role's privileges or none. The audit
--   follows the chain to the real root, so the copy's holders get the root role's privileges (or the
--   copy's own rows, where the export has them), and reports the chain here so the auditor knows a
--   role's lineage was repaired rather than read. Usually a sign of an export stitched together from
--   several environments, a hand-edited CSV, or a role restored from another organisation's solution.
-- remediation: >
--   Re-export the roles table directly from the environment (every copy should name its root). If the
--   environment itself holds the chain, open a Microsoft support case: parentrootroleid is maintained by
--   the platform and cannot be edited.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/security-roles-privileges
--   - https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/role
-- needs: []
WITH RECURSIVE chain(roleid, step, via) AS (
    SELECT r.roleid, 1, r.parentrootroleid
    FROM roles r JOIN role_roots rr USING (roleid)
    WHERE rr.chain_length > 1
    UNION ALL
    SELECT c.roleid, c.step + 1, p.parentrootroleid
    FROM chain c JOIN roles p ON p.roleid = c.via
    WHERE p.parentrootroleid IS NOT NULL AND p.parentrootroleid <> p.roleid AND c.step < 64
),
path AS (
    SELECT c.roleid,
           list({'roleid': c.via, 'name': rn.name, 'businessunit': rn.businessunit} ORDER BY c.step) AS steps,
           string_agg(coalesce(rn.name, '?') || '@' || coalesce(rn.businessunit, '?'), ' -> ' ORDER BY c.step) AS text
    FROM chain c LEFT JOIN role_names rn ON rn.roleid = c.via
    GROUP BY c.roleid
)
SELECT 'role' AS subject_type, r.roleid AS subject_id, r.name AS subject_name, r.businessunit,
       'Role ' || r.name || '@' || coalesce(r.businessunit, '?') || ' names the copy ' ||
           coalesce(p1.name, '?') || '@' || coalesce(p1.businessunit, '?') ||
           ' as its parent root role, not the root; the chain ' || r.name || '@' || coalesce(r.businessunit, '?') ||
           ' -> ' || pa.text || ' was followed to the root ' || coalesce(root.name, '?') || '@' || coalesce(root.businessunit, '?') ||
           ' (' || rr.chain_length || ' steps)' AS message,
       json_object('parentrootroleid', src.parentrootroleid, 'rootroleid', rr.rootroleid,
                   'chain_length', rr.chain_length, 'chain', pa.steps,
                   'file', src._file, 'row', src._row) AS evidence,
       NULL AS detail
FROM role_names r
JOIN role_roots rr USING (roleid)
JOIN roles src ON src.roleid = r.roleid
JOIN path pa ON pa.roleid = r.roleid
LEFT JOIN role_names p1 ON p1.roleid = src.parentrootroleid
LEFT JOIN role_names root ON root.roleid = rr.rootroleid
