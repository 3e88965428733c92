-- access profiles: users whose grants are identical share one profile, so the
-- matrix is computed once per profile and expanded per user only on output.
-- A user's grants depend on exactly: the roles held and through what (direct or
-- which team), and the access mode class. Disabled users hold nothing.
CREATE OR REPLACE TABLE user_access_class AS
SELECT systemuserid,
       CASE WHEN isdisabled THEN 'disabled'
            WHEN accessmode = 2 THEN 'read'
            WHEN accessmode = 1 THEN 'administrative'
            ELSE 'full' END AS access_class
FROM systemusers;

CREATE OR REPLACE TABLE user_profile_keys AS
SELECT u.systemuserid,
       u.access_class || '#' || coalesce(
           (SELECT string_agg(s.roleid || ':' || coalesce(s.teamid, 'direct'), ',' ORDER BY s.roleid, coalesce(s.teamid, 'direct'))
            FROM user_role_sources s WHERE s.systemuserid = u.systemuserid), '') AS profile_key
FROM user_access_class u;

CREATE OR REPLACE TABLE access_profiles AS
SELECT dense_rank() OVER (ORDER BY profile_key) AS profileid, profile_key,
       count(*) AS users, min(systemuserid) AS representative
FROM user_profile_keys GROUP BY profile_key;

CREATE OR REPLACE TABLE user_profiles AS
SELECT k.systemuserid, p.profileid,
       -- the user's place in output order (by domainname)
       row_number() OVER (ORDER BY u.domainname, k.systemuserid) AS user_rank
FROM user_profile_keys k JOIN access_profiles p USING (profile_key) JOIN systemusers u USING (systemuserid);
