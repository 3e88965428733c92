-- The comparison of two runs' access, statement by statement: macros, then
-- the user, role-source and role-grant comparisons the access changes and
-- their causes are built from. A statement that names the run placeholder
-- (db in braces) runs once per run, with it replaced by old and new
-- (compareAccess); comments must not name it.

-- effective rank of one grant: the team depth for a Basic grant of a
-- team role that members do not inherit (queries/access/sql/050_profile_access.sql)
CREATE MACRO d_eff(mrank, inh, via) AS CASE WHEN via = 'team' AND mrank = 1 AND inh = 0 THEN 0 ELSE mrank END;

CREATE MACRO d_mode(m) AS CASE m WHEN 0 THEN 'Read-Write' WHEN 1 THEN 'Administrative' WHEN 2 THEN 'Read'
     WHEN 3 THEN 'Support User' WHEN 4 THEN 'Non-interactive' WHEN 5 THEN 'Delegated Admin' ELSE 'mode ' || m END;

-- the business units the depth of each Local or Deep row is counted from
CREATE TABLE d_scope_{db} AS
 WITH ps AS (
     SELECT pa.profileid, pa.table_name, pa.privilege,
            string_agg(DISTINCT g.scope_businessunitid, ',' ORDER BY g.scope_businessunitid) AS scope_ids,
            string_agg(DISTINCT coalesce(g.role_businessunit, g.scope_businessunitid), ', '
                       ORDER BY coalesce(g.role_businessunit, g.scope_businessunitid)) AS scope
     FROM {db}.profile_access pa
     JOIN {db}.profile_grants g ON g.profileid = pa.profileid AND g.table_name = pa.table_name
                                AND g.privilege = pa.privilege AND g.depth_rank = pa.depth_rank
     WHERE pa.depth_rank IN (2, 3)
     GROUP BY pa.profileid, pa.table_name, pa.privilege
 )
 SELECT up.systemuserid, ps.table_name, ps.privilege, ps.scope_ids, ps.scope
 FROM ps JOIN {db}.user_profiles up USING (profileid);

CREATE TABLE d_access AS
 WITH o AS (
     SELECT e.systemuserid, e."table" AS table_name, e.privilege, e.depth, e.depth_rank, e.sources, s.scope_ids, s.scope
     FROM old.effective_access e
     LEFT JOIN d_scope_old s ON s.systemuserid = e.systemuserid AND s.table_name = e."table" AND s.privilege = e.privilege
 ), n AS (
     SELECT e.systemuserid, e."table" AS table_name, e.privilege, e.depth, e.depth_rank, e.sources, s.scope_ids, s.scope
     FROM new.effective_access e
     LEFT JOIN d_scope_new s ON s.systemuserid = e.systemuserid AND s.table_name = e."table" AND s.privilege = e.privilege
 )
 SELECT coalesce(n.systemuserid, o.systemuserid) AS systemuserid, coalesce(n.table_name, o.table_name) AS table_name,
        coalesce(n.privilege, o.privilege) AS privilege,
        o.depth AS old_depth, n.depth AS new_depth, o.depth_rank AS old_rank, n.depth_rank AS new_rank,
        o.scope AS old_scope, n.scope AS new_scope, o.sources AS old_sources, n.sources AS new_sources,
        CASE WHEN o.systemuserid IS NULL THEN 'gained' WHEN n.systemuserid IS NULL THEN 'lost'
             WHEN n.depth_rank > o.depth_rank THEN 'depth_up' WHEN n.depth_rank < o.depth_rank THEN 'depth_down'
             ELSE 'scope_moved' END AS change
 FROM o FULL OUTER JOIN n ON o.systemuserid = n.systemuserid AND o.table_name = n.table_name AND o.privilege = n.privilege
 WHERE o.systemuserid IS NULL OR n.systemuserid IS NULL OR o.depth_rank <> n.depth_rank
    OR o.scope_ids IS DISTINCT FROM n.scope_ids;

CREATE TABLE d_users AS
 SELECT coalesce(n.systemuserid, o.systemuserid) AS systemuserid,
        o.systemuserid IS NOT NULL AS in_old, n.systemuserid IS NOT NULL AS in_new,
        coalesce(n.domainname, o.domainname) AS domainname, coalesce(n.fullname, o.fullname, '') AS fullname,
        o.isdisabled AS old_disabled, n.isdisabled AS new_disabled, o.accessmode AS old_mode, n.accessmode AS new_mode,
        oc.access_class AS old_class, nc.access_class AS new_class,
        o.businessunitid AS old_bu, n.businessunitid AS new_bu,
        coalesce(obu.name, o.businessunitid) AS old_bu_name, coalesce(nbu.name, n.businessunitid) AS new_bu_name
 FROM old.systemusers o
 FULL OUTER JOIN new.systemusers n ON n.systemuserid = o.systemuserid
 LEFT JOIN old.user_access_class oc ON oc.systemuserid = o.systemuserid
 LEFT JOIN new.user_access_class nc ON nc.systemuserid = n.systemuserid
 LEFT JOIN old.businessunits obu ON obu.businessunitid = o.businessunitid
 LEFT JOIN new.businessunits nbu ON nbu.businessunitid = n.businessunitid;

-- every role a user holds, and through what, in either run
CREATE TABLE d_sources AS
 WITH o AS (SELECT DISTINCT systemuserid, roleid, via, coalesce(teamid, '') AS teamid, teamname FROM old.user_role_sources),
      n AS (SELECT DISTINCT systemuserid, roleid, via, coalesce(teamid, '') AS teamid, teamname FROM new.user_role_sources)
 SELECT coalesce(n.systemuserid, o.systemuserid) AS systemuserid, coalesce(n.roleid, o.roleid) AS roleid,
        coalesce(n.via, o.via) AS via, coalesce(n.teamid, o.teamid) AS teamid, coalesce(n.teamname, o.teamname) AS teamname,
        CASE WHEN o.systemuserid IS NULL THEN 'added' WHEN n.systemuserid IS NULL THEN 'removed' ELSE 'kept' END AS status
 FROM o FULL OUTER JOIN n
   ON o.systemuserid = n.systemuserid AND o.roleid = n.roleid AND o.via = n.via AND o.teamid = n.teamid;

-- role labels, Name@BusinessUnit, from the new run where the role exists
CREATE TABLE d_role_labels AS
 SELECT coalesce(n.roleid, o.roleid) AS roleid, coalesce(n.name, o.name) AS name,
        coalesce(n.name, o.name) || '@' || coalesce(nbu.name, obu.name, n.businessunitid, o.businessunitid) AS label,
        coalesce(nr.rootroleid, orr.rootroleid, n.roleid, o.roleid) AS rootroleid
 FROM old.roles o
 FULL OUTER JOIN new.roles n ON n.roleid = o.roleid
 LEFT JOIN d_roots_old orr ON orr.roleid = o.roleid
 LEFT JOIN d_roots_new nr ON nr.roleid = n.roleid
 LEFT JOIN old.businessunits obu ON obu.businessunitid = o.businessunitid
 LEFT JOIN new.businessunits nbu ON nbu.businessunitid = n.businessunitid;

-- The privilege rows each role grants, in each run: its own, or, for a
-- business-unit copy without rows of its own, its root role's (as
-- queries/access/sql/020_role_privileges.sql has it). Computed here for the roles
-- someone holds in either run and every role with rows of its own, since
-- the audit database expands only the roles held in that run.
CREATE TABLE d_wanted_roles AS
 SELECT roleid FROM d_sources
 UNION SELECT roleid FROM old.roleprivilegescollection
 UNION SELECT roleid FROM new.roleprivilegescollection;

CREATE TABLE d_role_rows_{db} AS
 WITH own AS (SELECT DISTINCT roleid FROM {db}.roleprivilegescollection),
 wanted AS (
     SELECT r.roleid, CASE WHEN o.roleid IS NOT NULL THEN r.roleid ELSE rr.rootroleid END AS source_roleid
     FROM {db}.roles r JOIN d_roots_{db} rr USING (roleid) LEFT JOIN own o ON o.roleid = r.roleid
     WHERE r.roleid IN (SELECT roleid FROM d_wanted_roles)
 )
 SELECT w.roleid, rp.privilegeid, p.name, rp.privilegedepthmask
 FROM wanted w
 JOIN {db}.roleprivilegescollection rp ON rp.roleid = w.source_roleid
 JOIN {db}.privileges p ON p.privilegeid = rp.privilegeid
 WHERE rp.privilegedepthmask & 15 <> 0;

-- what each role someone holds grants, per table and privilege (compared
-- by name), in each run; mrank is the depth of the mask (1 basic .. 4 global)
CREATE TABLE d_role_grants AS
 SELECT 'old' AS run, g.roleid, pt.table_name, pt.privilege,
        max(mask_rank(g.privilegedepthmask)) AS mrank,
        string_agg(DISTINCT pt.name, ', ' ORDER BY pt.name) AS names, coalesce(max(r.isinherited), 1) AS isinherited
 FROM d_role_rows_old g JOIN old.privilege_tables pt USING (privilegeid) JOIN old.roles r USING (roleid)
 WHERE g.roleid IN (SELECT roleid FROM d_sources)
 GROUP BY g.roleid, pt.table_name, pt.privilege
 UNION ALL
 SELECT 'new', g.roleid, pt.table_name, pt.privilege,
        max(mask_rank(g.privilegedepthmask)),
        string_agg(DISTINCT pt.name, ', ' ORDER BY pt.name), coalesce(max(r.isinherited), 1)
 FROM d_role_rows_new g JOIN new.privilege_tables pt USING (privilegeid) JOIN new.roles r USING (roleid)
 WHERE g.roleid IN (SELECT roleid FROM d_sources)
 GROUP BY g.roleid, pt.table_name, pt.privilege;

CREATE TABLE d_grant_changes AS
 WITH o AS (SELECT * FROM d_role_grants WHERE run = 'old'), n AS (SELECT * FROM d_role_grants WHERE run = 'new')
 SELECT coalesce(n.roleid, o.roleid) AS roleid, coalesce(n.table_name, o.table_name) AS table_name,
        coalesce(n.privilege, o.privilege) AS privilege, o.mrank AS old_mrank, n.mrank AS new_mrank,
        o.isinherited AS old_inh, n.isinherited AS new_inh, coalesce(n.names, o.names) AS names
 FROM o FULL OUTER JOIN n ON o.roleid = n.roleid AND o.table_name = n.table_name AND o.privilege = n.privilege
 WHERE o.mrank IS DISTINCT FROM n.mrank OR o.isinherited IS DISTINCT FROM n.isinherited;

-- the role sources gained and lost, and what they say: a swap of a direct
-- role for its copy in another business unit, or a change of the default
-- team, is what a business-unit move does (Dataverse moves both with the
-- user); a team source gained or lost with the membership is a membership
-- change, without it a change of the team's roles.
CREATE TABLE d_source_changes AS
 SELECT s.systemuserid, s.roleid, s.via, s.teamid, s.teamname, s.status, l.label,
        u.in_old AND u.in_new AND u.old_bu IS DISTINCT FROM u.new_bu AS moved, u.old_bu_name, u.new_bu_name,
        s.via = 'direct' AND EXISTS (
            SELECT 1 FROM d_sources s2 JOIN d_role_labels l2 USING (roleid)
            WHERE s2.systemuserid = s.systemuserid AND s2.via = 'direct' AND s2.status NOT IN ('kept', s.status)
              AND l2.rootroleid = l.rootroleid) AS swapped,
        s.via = 'team' AND coalesce((SELECT t.isdefault FROM new.teams t WHERE t.teamid = s.teamid),
                                    (SELECT t.isdefault FROM old.teams t WHERE t.teamid = s.teamid), false) AS default_team,
        s.via = 'team' AND CASE s.status
            WHEN 'added' THEN NOT EXISTS (SELECT 1 FROM old.teammemberships m WHERE m.teamid = s.teamid AND m.systemuserid = s.systemuserid)
            ELSE NOT EXISTS (SELECT 1 FROM new.teammemberships m WHERE m.teamid = s.teamid AND m.systemuserid = s.systemuserid)
        END AS membership_changed
 FROM d_sources s JOIN d_role_labels l USING (roleid) JOIN d_users u USING (systemuserid)
 WHERE s.status <> 'kept';

-- Every cause that explains a change, with its priority. A role, team or
-- role-privilege change explains access gained or broadened when the
-- grant it added is at the new depth, access lost or narrowed when the
-- grant it removed was at the old depth; a
-- business-unit move explains the scope moves, the swapped role copies
-- and default teams, and, last, what nothing more specific explains.
CREATE TABLE d_cause_candidates AS
 SELECT a.systemuserid, a.table_name, a.privilege, 0 AS priority,
        CASE WHEN u.in_new THEN 'user_added' ELSE 'user_removed' END AS kind,
        CASE WHEN u.in_new THEN 'user is new in this export' ELSE 'user is no longer in the export' END AS detail
 FROM d_access a JOIN d_users u USING (systemuserid)
 WHERE NOT (u.in_old AND u.in_new)
 UNION ALL
 SELECT a.systemuserid, a.table_name, a.privilege, 1, 'user_state',
        concat_ws('; ',
            CASE WHEN u.old_disabled IS DISTINCT FROM u.new_disabled THEN
                 CASE WHEN u.new_disabled THEN 'user disabled' ELSE 'user enabled' END END,
            CASE WHEN u.old_mode IS DISTINCT FROM u.new_mode THEN
                 'access mode ' || d_mode(u.old_mode) || ' -> ' || d_mode(u.new_mode) END)
 FROM d_access a JOIN d_users u USING (systemuserid)
 WHERE u.in_old AND u.in_new AND (u.old_disabled IS DISTINCT FROM u.new_disabled OR u.old_class IS DISTINCT FROM u.new_class)
 UNION ALL
 SELECT a.systemuserid, a.table_name, a.privilege, CASE WHEN a.change = 'scope_moved' THEN 2 ELSE 7 END, 'business_unit',
        'moved from business unit ' || u.old_bu_name || ' to ' || u.new_bu_name
 FROM d_access a JOIN d_users u USING (systemuserid)
 WHERE u.in_old AND u.in_new AND u.old_bu IS DISTINCT FROM u.new_bu
 UNION ALL
 SELECT a.systemuserid, a.table_name, a.privilege,
        CASE WHEN s.moved AND (s.swapped OR s.default_team) THEN 2 WHEN s.via = 'direct' THEN 3
             WHEN s.membership_changed THEN 4 ELSE 5 END AS priority,
        CASE WHEN s.moved AND (s.swapped OR s.default_team) THEN 'business_unit' WHEN s.via = 'direct' THEN 'direct_role'
             WHEN s.membership_changed THEN 'team_membership' ELSE 'team_roles' END AS kind,
        CASE WHEN s.moved AND (s.swapped OR s.default_team) THEN 'moved from business unit ' || s.old_bu_name || ' to ' || s.new_bu_name
             WHEN s.via = 'direct' AND s.status = 'added' THEN 'role ' || s.label || ' assigned directly'
             WHEN s.via = 'direct' THEN 'direct role ' || s.label || ' removed'
             WHEN s.membership_changed AND s.status = 'added' THEN 'joined team ' || s.teamname || ' (role ' || s.label || ')'
             WHEN s.membership_changed THEN 'left team ' || s.teamname || ' (role ' || s.label || ')'
             WHEN s.status = 'added' THEN 'team ' || s.teamname || ' was given role ' || s.label
             ELSE 'role ' || s.label || ' was taken from team ' || s.teamname END AS detail
 FROM d_access a
 JOIN d_source_changes s ON s.systemuserid = a.systemuserid
 JOIN d_role_grants g ON g.run = CASE s.status WHEN 'added' THEN 'new' ELSE 'old' END
                     AND g.roleid = s.roleid AND g.table_name = a.table_name AND g.privilege = a.privilege
 WHERE CASE s.status
           WHEN 'added' THEN a.change IN ('gained', 'depth_up', 'scope_moved') AND d_eff(g.mrank, g.isinherited, s.via) = a.new_rank
           ELSE a.change IN ('lost', 'depth_down', 'scope_moved') AND d_eff(g.mrank, g.isinherited, s.via) = a.old_rank
       END
 UNION ALL
 SELECT a.systemuserid, a.table_name, a.privilege, 6, 'role_privileges',
        'role ' || l.label || ': ' || c.names || ' ' || coalesce(depth_name(d_eff(c.old_mrank, c.old_inh, s.via)), 'none')
            || ' -> ' || coalesce(depth_name(d_eff(c.new_mrank, c.new_inh, s.via)), 'none')
 FROM d_access a
 JOIN d_sources s ON s.systemuserid = a.systemuserid AND s.status = 'kept'
 JOIN d_grant_changes c ON c.roleid = s.roleid AND c.table_name = a.table_name AND c.privilege = a.privilege
 JOIN d_role_labels l ON l.roleid = s.roleid
 WHERE (a.change IN ('gained', 'depth_up', 'scope_moved') AND d_eff(c.new_mrank, c.new_inh, s.via) = a.new_rank
        AND coalesce(d_eff(c.new_mrank, c.new_inh, s.via), -1) > coalesce(d_eff(c.old_mrank, c.old_inh, s.via), -1))
    OR (a.change IN ('lost', 'depth_down', 'scope_moved') AND d_eff(c.old_mrank, c.old_inh, s.via) = a.old_rank
        AND coalesce(d_eff(c.old_mrank, c.old_inh, s.via), -1) > coalesce(d_eff(c.new_mrank, c.new_inh, s.via), -1))
 UNION ALL
 SELECT a.systemuserid, a.table_name, a.privilege, 8, 'other',
        'the policy''s business tables changed: Administrative-mode users hold nothing on them'
 FROM d_access a JOIN d_users u USING (systemuserid)
 WHERE 'administrative' IN (u.old_class, u.new_class)
   AND ((a.table_name IN (SELECT table_name FROM old.policy_business_tables))
        <> (a.table_name IN (SELECT table_name FROM new.policy_business_tables)));

CREATE TABLE d_causes AS
 WITH best AS (SELECT systemuserid, table_name, privilege, min(priority) AS priority FROM d_cause_candidates GROUP BY ALL)
 SELECT c.systemuserid, c.table_name, c.privilege, min(c.kind) AS kind,
        string_agg(DISTINCT c.detail, '; ' ORDER BY c.detail) AS detail
 FROM d_cause_candidates c JOIN best b USING (systemuserid, table_name, privilege, priority)
 GROUP BY c.systemuserid, c.table_name, c.privilege;
