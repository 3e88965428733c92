-- assignmentChangesQuery: each license assignment (user, SKU) in one run
-- only: assigned or removed, with the seat's price.
SELECT CASE WHEN o.userid IS NULL THEN 'assigned' ELSE 'removed' END,
       coalesce(n.userid, o.userid), coalesce(n.systemuserid, o.systemuserid, ''),
       coalesce(n.userprincipalname, o.userprincipalname, ''), coalesce(n.fullname, n.displayname, o.fullname, o.displayname, ''),
       coalesce(n.skuid, o.skuid), coalesce(n.partnumber, o.partnumber, ''), coalesce(n.productname, o.productname, ''),
       coalesce(n.paid, o.paid, false), coalesce(n.monthly_price, o.monthly_price, 0)::DOUBLE
FROM old.license_assignments o
FULL OUTER JOIN new.license_assignments n ON n.userid = o.userid AND n.skuid = o.skuid
WHERE o.userid IS NULL OR n.userid IS NULL
ORDER BY 4, 7, 2, 6, 1
