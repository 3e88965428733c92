-- effective access, one row per user, table and privilege (OUTPUT.md): the
-- profile matrix expanded to the users who share each profile. user_rank and
-- pt_id give the output order (user, table, privilege) as integers.
CREATE OR REPLACE VIEW effective_access AS
SELECT u.systemuserid, u.domainname AS "user", pa.table_name AS "table", pa.privilege, pa.depth, pa.depth_rank, pa.sources,
       up.user_rank, pa.pt_id, up.profileid
FROM user_profiles up
JOIN systemusers u USING (systemuserid)
JOIN profile_access pa USING (profileid);
