-- userChangesQuery: each user in either run (d_users), whether they were
-- added or removed, and their state, access mode and business unit before
-- and after, with a flag for each that changed.
SELECT systemuserid, coalesce(domainname, ''), fullname, in_old, in_new,
       CASE WHEN old_disabled THEN 'disabled' ELSE 'enabled' END, CASE WHEN new_disabled THEN 'disabled' ELSE 'enabled' END,
       coalesce(d_mode(old_mode), ''), coalesce(d_mode(new_mode), ''), coalesce(old_bu_name, ''), coalesce(new_bu_name, ''),
       in_old AND in_new AND old_disabled IS DISTINCT FROM new_disabled,
       in_old AND in_new AND old_mode IS DISTINCT FROM new_mode,
       in_old AND in_new AND old_bu IS DISTINCT FROM new_bu
FROM d_users
