-- the effective-access matrix per profile: for each table and privilege, the
-- highest depth over every grant, and the grants themselves (dataverse-security.md
-- 2.1: privileges add up, the broadest depth wins).
-- Depth of one grant: the highest bit of its mask (8 global, 4 deep, 2 local,
-- 1 basic); a Basic grant from a team role whose isinherited is 0 reaches only
-- records the team owns: depth 'team' (2.3). isinherited missing is taken as 1,
-- the default of every role created since 2019.
--
-- Each of a profile's role sources gets a slot: its rank by text, the order
-- the sources column lists them in.

-- a profile's role sources, as "ROLE@BU direct" or "ROLE@BU team:NAME"
CREATE OR REPLACE TABLE profile_sources AS
WITH src AS (
    SELECT p.profileid, s.roleid, s.via, r.isinherited,
           r.name || '@' || coalesce(bu.name, r.businessunitid) || ' ' ||
               CASE WHEN s.via = 'direct' THEN 'direct' ELSE 'team:' || s.teamname END AS source_text,
           r.name AS role_name, bu.name AS role_businessunit, r.businessunitid AS scope_businessunitid,
           CASE WHEN s.via = 'direct' THEN 'direct' ELSE 'team:' || s.teamname END AS held_as
    FROM access_profiles p
    JOIN user_role_sources s ON s.systemuserid = p.representative
    JOIN roles r ON r.roleid = s.roleid
    LEFT JOIN businessunits bu ON bu.businessunitid = r.businessunitid
)
SELECT *, (dense_rank() OVER (PARTITION BY profileid ORDER BY source_text) - 1)::INTEGER AS slot FROM src;

-- Sources are kept as a 128-bit set; a user holding roles through more than
-- 128 distinct sources is refused loudly rather than reported wrongly.
SELECT CASE WHEN max(slot) >= 128 THEN error('a user holds roles through ' || (max(slot) + 1) ||
       ' distinct role sources; the access model supports 128') END FROM profile_sources;

-- one row per profile, cell and granting source. Everything below is a
-- view: the matrix has about 180 million cells at 100,000 users, so it is
-- never stored. access.parquet and the workbook expand it in Go
-- (queries/access/matrix.go, held to the same naive model by the property test),
-- queries that name a user's profile, a table or a privilege are filtered
-- before the aggregation; the rules read only the cells the policy names.
-- grant_depth_rank: 000_vocabulary.sql

-- whether a user of an access-mode class holds a cell at all: a disabled
-- user holds nothing, a Read-mode user only reads, an Administrative-mode
-- user holds nothing on business tables
CREATE OR REPLACE MACRO class_holds(access_class, privilege, business_table) AS
    access_class <> 'disabled'
    AND (access_class <> 'read' OR privilege = 'read')
    AND (access_class <> 'administrative' OR NOT business_table);

CREATE OR REPLACE TABLE profile_classes AS
SELECT p.profileid, c.access_class
FROM access_profiles p JOIN user_access_class c ON c.systemuserid = p.representative;

CREATE OR REPLACE VIEW profile_cell_grants AS
SELECT ps.profileid, pt.pt_id, pt.table_name, pt.privilege, ps.slot, ps.source_text,
       grant_depth_rank(g.privilegedepthmask, ps.via, ps.isinherited) AS depth_rank
FROM profile_sources ps
JOIN profile_classes c USING (profileid)
JOIN role_privilege_grants g ON g.roleid = ps.roleid
JOIN privilege_tables pt ON pt.privilegeid = g.privilegeid
WHERE class_holds(c.access_class, pt.privilege, pt.business_table);

-- each cell: the highest depth, and every source that grants it with the
-- depth its grant gives, "ROLE@BU direct (global)": the deciding grants
-- first, then the others by depth, in text order (the slot order) within
-- a depth
CREATE OR REPLACE VIEW profile_access AS
WITH per_source AS (
    SELECT profileid, pt_id, table_name, privilege, source_text, max(depth_rank) AS depth_rank
    FROM profile_cell_grants
    GROUP BY profileid, pt_id, table_name, privilege, source_text
)
SELECT profileid, table_name, privilege, pt_id,
       depth_name(max(depth_rank)) AS depth, max(depth_rank) AS depth_rank,
       string_agg(source_text || ' (' || depth_name(depth_rank) || ')', '; '
                  ORDER BY depth_rank DESC, source_text) AS sources
FROM per_source
GROUP BY profileid, pt_id, table_name, privilege;

-- the grants with their names, for rules and reports
CREATE OR REPLACE VIEW profile_grants AS
SELECT g.profileid, g.table_name, g.privilege, g.depth_rank, ps.role_name, ps.role_businessunit,
       ps.scope_businessunitid, ps.held_as AS via
FROM profile_cell_grants g
JOIN profile_sources ps ON ps.profileid = g.profileid AND ps.slot = g.slot;
