-- Views every rule may read: the words of RULES.md as SQL.

-- root role: a role row's parentrootroleid (itself when empty); names compare
-- case-insensitively and trimmed.
CREATE OR REPLACE VIEW role_names AS
SELECT r.roleid, r.name, lower(trim(r.name)) AS name_norm, coalesce(r.parentrootroleid, r.roleid) AS rootroleid,
       r.businessunitid, bu.name AS businessunit, r.roletemplateid, r.ismanaged,
       bu.parentbusinessunitid IS NULL AS in_root_businessunit
FROM roles r LEFT JOIN businessunits bu USING (businessunitid);

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
