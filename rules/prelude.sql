-- Views every rule may read: the words of RULES.md as SQL.

-- root role: the end of the role's parentrootroleid chain (role_roots, itself
-- for a root role); names compare case-insensitively and trimmed.
CREATE OR REPLACE VIEW role_names AS
SELECT r.roleid, r.name, lower(trim(r.name)) AS name_norm, rr.rootroleid,
       r.businessunitid, bu.name AS businessunit, r.roletemplateid, r.ismanaged,
       bu.parentbusinessunitid IS NULL AS in_root_businessunit
FROM roles r JOIN role_roots rr USING (roleid) LEFT JOIN businessunits bu USING (businessunitid);

-- service user: an application user or a user named in the policy's list.
CREATE OR REPLACE VIEW service_users AS
SELECT u.* FROM systemusers u
WHERE u.applicationid IS NOT NULL
   OR lower(u.domainname) IN (SELECT domainname FROM policy_service_users WHERE domainname IS NOT NULL)
   OR u.systemuserid IN (SELECT systemuserid FROM policy_service_users WHERE systemuserid IS NOT NULL);

-- person: a systemuser with no applicationid, accessmode 0 (Read-Write) or 2
-- (Read), not disabled, and not a service user of the policy.
CREATE OR REPLACE VIEW persons AS
SELECT u.* FROM systemusers u
WHERE u.applicationid IS NULL AND u.accessmode IN (0, 2) AND NOT u.isdisabled
  AND u.systemuserid NOT IN (SELECT systemuserid FROM service_users);

-- held roles of a user, with the role's root, normalised name and business
-- unit, and how it is held: 'direct', or the team (owner or group teams only).
CREATE OR REPLACE VIEW user_held_roles AS
SELECT s.systemuserid, s.roleid, rn.rootroleid, rn.name AS role_name, rn.name_norm AS role_name_norm,
       rn.businessunitid AS role_businessunitid, rn.businessunit AS role_businessunit, rn.roletemplateid,
       s.via, s.teamid, s.teamname,
       CASE WHEN s.via = 'direct' THEN 'direct' ELSE 'team:' || s.teamname END AS held_as
FROM user_role_sources s JOIN role_names rn USING (roleid);

-- installed apps: an app of the policy is installed when any of its roles
-- exists, in any business unit.
CREATE OR REPLACE VIEW installed_apps AS
SELECT a.app_id, a.name AS app_name,
       (SELECT list(DISTINCT r.name ORDER BY r.name) FROM policy_app_detect_roles d
          JOIN role_names r ON r.name_norm = d.role_name WHERE d.app_id = a.app_id) AS detected_by
FROM policy_apps a
WHERE EXISTS (SELECT 1 FROM policy_app_detect_roles d JOIN role_names r ON r.name_norm = d.role_name
              WHERE d.app_id = a.app_id);

-- the systemusers that are an installed app's required service user: same
-- Entra application ID, or same fullname (case-insensitive, a leading "# "
-- ignored, as application users are named "# Name").
CREATE OR REPLACE VIEW app_service_user_matches AS
SELECT s.app_id, i.app_name, s.name AS required_name, s.display_name AS required_display_name,
       s.applicationid AS required_applicationid,
       CASE WHEN u.applicationid = s.applicationid THEN 'applicationid' ELSE 'fullname' END AS matched_on,
       u.systemuserid, u.fullname, u.domainname, u.applicationid, u.accessmode, u.isdisabled, u.businessunitid
FROM policy_app_service_users s
JOIN installed_apps i USING (app_id)
JOIN systemusers u
  ON u.applicationid = s.applicationid
  OR regexp_replace(lower(trim(coalesce(u.fullname, ''))), '^#\s*', '') = regexp_replace(s.name, '^#\s*', '');

-- the core marketing roles of the policy, named as the export spells them
-- (the policy's lower-case name where no role has it): the evidence of the
-- MKT_* rules lists them.
CREATE OR REPLACE VIEW core_marketing_role_names AS
SELECT list(DISTINCT coalesce(r.name, c.role_name) ORDER BY coalesce(r.name, c.role_name)) AS names
FROM policy_app_core_roles c
LEFT JOIN (SELECT name_norm, min(name) AS name FROM role_names GROUP BY name_norm) r ON r.name_norm = c.role_name;

-- the cells PRIV_HIGH_RISK and SOD_CONFLICT look at: each listed privilege
-- as a (table, privilege) cell of effective_access. A name is a privilege
-- that names no table (table '', the full name) or, when the export maps it
-- to a table, that table and right.
CREATE OR REPLACE VIEW high_risk_targets AS
SELECT label, name, table_name AS tbl, privilege AS priv, min_depth_rank
FROM policy_high_risk_privileges WHERE name IS NULL
UNION
SELECT label, name, '' AS tbl, lower(name) AS priv, min_depth_rank
FROM policy_high_risk_privileges WHERE name IS NOT NULL
UNION
SELECT p.label, p.name, pt.table_name AS tbl, lower(pt.privilege) AS priv, p.min_depth_rank
FROM policy_high_risk_privileges p JOIN privilege_tables pt ON lower(pt.name) = lower(p.name)
WHERE p.name IS NOT NULL;

CREATE OR REPLACE VIEW sod_targets AS
SELECT pair_id, title, side, label, table_name AS tbl, privilege AS priv, min_depth_rank
FROM policy_sod_pairs WHERE name IS NULL
UNION
SELECT pair_id, title, side, label, '' AS tbl, lower(name) AS priv, min_depth_rank
FROM policy_sod_pairs WHERE name IS NOT NULL
UNION
SELECT p.pair_id, p.title, p.side, p.label, pt.table_name AS tbl, lower(pt.privilege) AS priv, p.min_depth_rank
FROM policy_sod_pairs p JOIN privilege_tables pt ON lower(pt.name) = lower(p.name)
WHERE p.name IS NOT NULL;

-- every profile's grants on those cells: profile_cell_grants
-- (queries/access/sql/050_profile_access.sql) on a few cells. Written out, the
-- few cells first, because DuckDB would join the whole matrix before
-- filtering the view.
CREATE OR REPLACE TABLE policy_cell_grants AS
WITH cells AS MATERIALIZED (
    SELECT pt.* FROM privilege_tables pt
    JOIN (SELECT tbl, priv FROM high_risk_targets UNION SELECT tbl, priv FROM sod_targets) t
      ON pt.table_name = t.tbl AND lower(pt.privilege) = t.priv
),
grants AS MATERIALIZED (
    SELECT w.roleid, c.pt_id, c.table_name, c.privilege, c.business_table, g.privilegedepthmask
    FROM cells c
    JOIN source_privilege_grants g ON g.privilegeid = c.privilegeid
    JOIN role_grant_sources w ON w.source_roleid = g.source_roleid
)
SELECT ps.profileid, gr.pt_id, gr.table_name, gr.privilege, ps.slot, ps.source_text,
       grant_depth_rank(gr.privilegedepthmask, ps.via, ps.isinherited) AS depth_rank
FROM grants gr
JOIN profile_sources ps ON ps.roleid = gr.roleid
JOIN profile_classes c ON c.profileid = ps.profileid
WHERE class_holds(c.access_class, gr.privilege, gr.business_table);
