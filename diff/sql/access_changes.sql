-- accessChangesQuery: the access changes (d_access, built by access.sql) with
-- the user they concern and their cause, in report order.
SELECT a.systemuserid, coalesce(u.domainname, ''), coalesce(u.fullname, ''), a.table_name, a.privilege, a.change,
       coalesce(a.old_depth, ''), coalesce(a.new_depth, ''), coalesce(a.old_scope, ''), coalesce(a.new_scope, ''),
       coalesce(a.old_sources, ''), coalesce(a.new_sources, ''), coalesce(c.kind, ''), coalesce(c.detail, '')
FROM d_access a
LEFT JOIN d_users u USING (systemuserid)
LEFT JOIN d_causes c USING (systemuserid, table_name, privilege)
ORDER BY u.domainname, a.systemuserid, a.table_name, a.privilege
