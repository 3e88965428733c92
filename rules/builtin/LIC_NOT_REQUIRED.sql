-- id: LIC_NOT_REQUIRED
-- title: A paid license is assigned to a user who needs none
-- severity: medium
-- rationale: >
--   Administrative (access mode 1) and non-interactive (4) users "don't require a license", and
--   application users (server-to-server) have "no license fee". A paid seat on such a user is spent
--   for nothing.
-- remediation: >
--   Remove the license from the administrative, non-interactive or application user; keep the
--   access mode.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/create-users
--   - https://learn.microsoft.com/power-apps/developer/data-platform/build-web-applications-server-server-s2s-authentication
-- needs: [graph_subscribedskus, graph_users]
-- scope: tenant
SELECT 'user' AS subject_type, a.systemuserid AS subject_id, coalesce(a.fullname, a.displayname) AS subject_name,
       a.businessunit AS businessunit,
       coalesce(a.fullname, a.displayname) || ' holds a paid ' || a.partnumber || ' license but, as '
         || CASE WHEN a.applicationid IS NOT NULL THEN 'an application user'
                 WHEN a.accessmode = 1 THEN 'an Administrative-mode user' ELSE 'a non-interactive user' END
         || ', needs none' AS message,
       json_object('sku', a.partnumber, 'product', a.productname, 'accessmode', a.accessmode,
                   'applicationid', a.applicationid, 'monthly_price', a.monthly_price, 'currency', a.currency) AS evidence,
       a.partnumber AS detail
FROM license_assignments a
WHERE a.paid AND a.systemuserid IS NOT NULL AND (a.accessmode IN (1, 4) OR a.applicationid IS NOT NULL)
