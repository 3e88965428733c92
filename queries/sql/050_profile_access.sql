-- the effective-access matrix per profile: for each table and privilege, the
-- highest depth over every grant, and the grants themselves (dataverse-security.md
-- 2.1: privileges add up, the broadest depth wins).
-- Depth of one grant: the highest bit of its mask (8 global, 4 deep, 2 local,
-- 1 basic); a Basic grant from a team role whose isinherited is 0 reaches only
-- records the team owns: depth 'team' (2.3). isinherited missing is taken as 1,
-- the default of every role created since 2019.
CREATE OR REPLACE TABLE profile_grants AS
SELECT p.profileid, pt.table_name, pt.privilege,
       CASE WHEN g.privilegedepthmask & 8 <> 0 THEN 4
            WHEN g.privilegedepthmask & 4 <> 0 THEN 3
            WHEN g.privilegedepthmask & 2 <> 0 THEN 2
            WHEN s.via = 'team' AND coalesce(r.isinherited, 1) = 0 THEN 0
            ELSE 1 END AS depth_rank,
       r.name AS role_name, bu.name AS role_businessunit, r.businessunitid AS scope_businessunitid,
       CASE WHEN s.via = 'direct' THEN 'direct' ELSE 'team:' || s.teamname END AS via
FROM access_profiles p
JOIN user_access_class c ON c.systemuserid = p.representative
JOIN user_role_sources s ON s.systemuserid = p.representative
JOIN roles r ON r.roleid = s.roleid
LEFT JOIN businessunits bu ON bu.businessunitid = r.businessunitid
JOIN role_privilege_grants g ON g.roleid = s.roleid
JOIN privilege_tables pt ON pt.privilegeid = g.privilegeid
WHERE c.access_class <> 'disabled'
  AND (c.access_class <> 'read' OR pt.privilege = 'read')
  AND (c.access_class <> 'administrative' OR pt.table_name NOT IN (SELECT table_name FROM policy_business_tables));

CREATE OR REPLACE TABLE profile_access AS
SELECT profileid, table_name, privilege,
       (['team', 'basic', 'local', 'deep', 'global'])[max(depth_rank) + 1] AS depth,
       max(depth_rank) AS depth_rank,
       -- list functions, not string_agg(DISTINCT ... ORDER BY ...): the same
       -- result, an order of magnitude faster on millions of grants
       array_to_string(list_sort(list_distinct(list(role_name || '@' || coalesce(role_businessunit, scope_businessunitid) || ' ' || via))), '; ') AS sources
FROM profile_grants
GROUP BY profileid, table_name, privilege;
