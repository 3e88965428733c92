-- roleAssignmentChangesQuery: (systemuserid, role label, added) for each
-- direct role assignment in one run only.
SELECT coalesce(n.systemuserid, o.systemuserid), l.label, o.systemuserid IS NULL
FROM old.systemuserrolescollection o
FULL OUTER JOIN new.systemuserrolescollection n ON n.systemuserid = o.systemuserid AND n.roleid = o.roleid
JOIN d_role_labels l ON l.roleid = coalesce(n.roleid, o.roleid)
WHERE o.systemuserid IS NULL OR n.systemuserid IS NULL
