-- id: LIC_NO_ROLE
-- title: A paid Dynamics 365 / Power Apps license is assigned to a person who holds no role
-- severity: high
-- rationale: >
--   "Removing all security roles... doesn't remove the license." A person without any security role in
--   this environment can do nothing in it, yet their Dynamics 365 or Power Apps seat is still paid.
--   Licenses are bought per tenant: in a tenant run the rule fires only for a person who holds no
--   role in any of the environments where they have a user, and the evidence lists them.
-- remediation: >
--   Either give the person the role their job needs here, or remove the Dynamics 365 / Power Apps
--   license if they no longer use the environment.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/create-users
--   - https://learn.microsoft.com/power-platform/admin/assign-security-roles
-- needs: [graph_subscribedskus, graph_users]
-- scope: tenant
SELECT 'user' AS subject_type, a.systemuserid AS subject_id, coalesce(a.fullname, a.displayname) AS subject_name,
       a.businessunit AS businessunit,
       coalesce(a.fullname, a.displayname) || ' holds a paid ' || a.partnumber || ' license but no security role in '
         || coalesce(sc.scope, 'this environment') AS message,
       -- a tenant run names the environments checked (license_person_scope)
       CASE WHEN sc.environments IS NULL
            THEN json_object('sku', a.partnumber, 'product', a.productname, 'userprincipalname', a.userprincipalname,
                             'monthly_price', a.monthly_price, 'currency', a.currency)
            ELSE json_object('sku', a.partnumber, 'product', a.productname, 'userprincipalname', a.userprincipalname,
                             'monthly_price', a.monthly_price, 'currency', a.currency,
                             'environments_checked', sc.environments) END AS evidence,
       a.partnumber AS detail
FROM license_assignments a LEFT JOIN license_person_scope sc USING (systemuserid)
WHERE a.paid AND a.dynamics AND a.is_person AND NOT a.holds_role
