-- rolesQuery: the privilege rows of the roles with rows of their own
-- (d_role_rows_old and d_role_rows_new, built by compareAccess) compared;
-- a copy without rows of its own grants what its root does, and changes
-- with it.
WITH ro AS (
    SELECT r.roleid, r.name, rr.rootroleid, coalesce(bu.name, r.businessunitid) AS bu,
           coalesce(r.isinherited, 1) AS isinherited
    FROM old.roles r JOIN d_roots_old rr USING (roleid) LEFT JOIN old.businessunits bu USING (businessunitid)
), rn AS (
    SELECT r.roleid, r.name, rr.rootroleid, coalesce(bu.name, r.businessunitid) AS bu,
           coalesce(r.isinherited, 1) AS isinherited
    FROM new.roles r JOIN d_roots_new rr USING (roleid) LEFT JOIN new.businessunits bu USING (businessunitid)
), go AS (
    SELECT roleid, lower(name) AS key, min(name) AS privilege, mask_rank(bit_or(privilegedepthmask & 15)) AS r
    FROM d_role_rows_old GROUP BY roleid, lower(name)
), gn AS (
    SELECT roleid, lower(name) AS key, min(name) AS privilege, mask_rank(bit_or(privilegedepthmask & 15)) AS r
    FROM d_role_rows_new GROUP BY roleid, lower(name)
), ch AS (
    SELECT coalesce(n.roleid, o.roleid) AS roleid, coalesce(n.key, o.key) AS key, coalesce(n.privilege, o.privilege) AS privilege,
           o.r AS old_r, n.r AS new_r
    FROM go o FULL OUTER JOIN gn n ON n.roleid = o.roleid AND n.key = o.key
    WHERE o.r IS DISTINCT FROM n.r
), both_runs AS (
    SELECT n.*, o.name AS old_name, o.isinherited AS old_inherited FROM rn n JOIN ro o USING (roleid)
), holders_new AS (
    SELECT r.rootroleid, r.roleid, s.systemuserid FROM new.user_role_sources s JOIN rn r USING (roleid)
), holders_old AS (
    SELECT r.rootroleid, r.roleid, s.systemuserid FROM old.user_role_sources s JOIN ro r USING (roleid)
), changes AS (
    -- privileges of roles in both runs; a copy only where it differs from its root's change
    SELECT b.roleid, b.name, b.bu, b.roleid = b.rootroleid AS root,
           CASE WHEN c.old_r IS NULL THEN 'privilege_added' WHEN c.new_r IS NULL THEN 'privilege_removed'
                WHEN c.new_r > c.old_r THEN 'depth_up' ELSE 'depth_down' END AS change,
           c.privilege, coalesce(depth_name(c.old_r), '') AS old_depth, coalesce(depth_name(c.new_r), '') AS new_depth, '' AS detail,
           CASE WHEN b.roleid = b.rootroleid
                THEN (SELECT count(DISTINCT h.systemuserid) FROM holders_new h WHERE h.rootroleid = b.roleid)
                ELSE (SELECT count(DISTINCT h.systemuserid) FROM holders_new h WHERE h.roleid = b.roleid) END AS holders,
           1 AS ord
    FROM ch c JOIN both_runs b USING (roleid)
    WHERE b.roleid = b.rootroleid
       OR NOT EXISTS (SELECT 1 FROM ch r WHERE r.roleid = b.rootroleid AND r.key = c.key
                        AND r.old_r IS NOT DISTINCT FROM c.old_r AND r.new_r IS NOT DISTINCT FROM c.new_r)
    UNION ALL
    SELECT b.roleid, b.name, b.bu, true, 'renamed', '', '', '', 'was ' || b.old_name,
           (SELECT count(DISTINCT h.systemuserid) FROM holders_new h WHERE h.rootroleid = b.roleid), 0
    FROM both_runs b WHERE b.roleid = b.rootroleid AND b.name <> b.old_name
    UNION ALL
    SELECT b.roleid, b.name, b.bu, true, 'inheritance', '', '', '',
           CASE WHEN b.isinherited = 0 THEN 'team members no longer inherit its privileges (Basic grants reach only the team''s records)'
                ELSE 'team members now inherit its privileges' END,
           (SELECT count(DISTINCT h.systemuserid) FROM holders_new h WHERE h.rootroleid = b.roleid), 0
    FROM both_runs b WHERE b.roleid = b.rootroleid AND b.isinherited <> b.old_inherited
    UNION ALL
    SELECT n.roleid, n.name, n.bu, true, 'role_added', '', '', '',
           (SELECT count(*) FROM gn g WHERE g.roleid = n.roleid) || ' privileges',
           (SELECT count(DISTINCT h.systemuserid) FROM holders_new h WHERE h.rootroleid = n.roleid), 0
    FROM rn n WHERE n.roleid = n.rootroleid AND n.roleid NOT IN (SELECT roleid FROM ro)
    UNION ALL
    SELECT o.roleid, o.name, o.bu, true, 'role_removed', '', '', '',
           (SELECT count(*) FROM go g WHERE g.roleid = o.roleid) || ' privileges',
           (SELECT count(DISTINCT h.systemuserid) FROM holders_old h WHERE h.rootroleid = o.roleid), 0
    FROM ro o WHERE o.roleid = o.rootroleid AND o.roleid NOT IN (SELECT roleid FROM rn)
)
SELECT roleid, name, bu, root, change, privilege, old_depth, new_depth, detail, holders
FROM changes
ORDER BY name, NOT root, bu, roleid, ord, change, lower(privilege), privilege
