-- id: LIC_DISABLED_USER
-- title: A paid license is assigned to a disabled user
-- severity: high
-- rationale: >
--   "If you want to make the license available to another user, you have to remove the license from
--   the disabled user." Disabling an account in Entra ID or in Dataverse does not free its seat: the
--   license keeps being billed until someone removes it.
-- remediation: >
--   Remove the license from the user in the Microsoft 365 admin center (or through group-based
--   licensing), or re-enable the account if the person still needs it.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/create-users
--   - https://learn.microsoft.com/microsoft-365/admin/manage/remove-licenses-from-users
-- needs: [graph_subscribedskus, graph_users]
-- scope: tenant
SELECT 'user' AS subject_type, coalesce(a.systemuserid, a.userid) AS subject_id,
       coalesce(a.fullname, a.displayname) AS subject_name, a.businessunit AS businessunit,
       coalesce(a.fullname, a.displayname) || ' holds a paid ' || a.partnumber || ' license but is disabled in '
         || CASE WHEN a.accountenabled = false AND a.isdisabled THEN 'Entra ID and Dataverse'
                 WHEN a.accountenabled = false THEN 'Entra ID' ELSE 'Dataverse' END AS message,
       json_object('sku', a.partnumber, 'product', a.productname, 'userprincipalname', a.userprincipalname,
                   'entra_account_enabled', a.accountenabled, 'dataverse_disabled', a.isdisabled,
                   'monthly_price', a.monthly_price, 'currency', a.currency) AS evidence,
       a.partnumber AS detail
FROM license_assignments a
WHERE a.paid AND (a.accountenabled = false OR a.isdisabled)
