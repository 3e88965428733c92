-- id: LIC_INACTIVE
-- title: A paid license is assigned to a user who has not signed in for months
-- severity: medium
-- rationale: >
--   A seat whose user has not signed in for longer than the policy's threshold (default 90 days) is
--   most likely not needed: it is the first place a license cost review looks for savings. A user who
--   never signed in counts from the day the account was created.
-- remediation: >
--   Ask the user's manager whether the access is still needed; remove the license (and disable the
--   user) if not, or record a waiver with the reason and an expiry date.
-- references:
--   - https://learn.microsoft.com/graph/api/resources/signinactivity
--   - https://learn.microsoft.com/microsoft-365/admin/manage/remove-licenses-from-users
-- needs: [graph_subscribedskus, graph_users]
-- scope: tenant
-- needs_values: [graph_users.hassigninactivity]
SELECT 'user' AS subject_type, coalesce(a.systemuserid, a.userid) AS subject_id,
       coalesce(a.fullname, a.displayname) AS subject_name, a.businessunit AS businessunit,
       coalesce(a.fullname, a.displayname) || ' holds a paid ' || a.partnumber || ' license and has not signed in for '
         || a.days_since_signin || ' days (policy: ' || (SELECT inactive_days FROM license_params) || ')' AS message,
       json_object('sku', a.partnumber, 'product', a.productname, 'userprincipalname', a.userprincipalname,
                   'last_signin', strftime(a.last_signin, '%Y-%m-%d'), 'created', strftime(a.createddatetime, '%Y-%m-%d'),
                   'days_since_signin', a.days_since_signin, 'as_of', strftime((SELECT as_of FROM license_params), '%Y-%m-%d'),
                   'monthly_price', a.monthly_price, 'currency', a.currency) AS evidence,
       a.partnumber AS detail
FROM license_assignments a
WHERE a.paid AND a.hassigninactivity AND a.days_since_signin > (SELECT inactive_days FROM license_params)
