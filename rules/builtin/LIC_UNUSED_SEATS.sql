-- id: LIC_UNUSED_SEATS
-- title: A subscription has paid seats that nobody uses
-- severity: medium
-- rationale: >
--   "If you have more user licenses than you are using, contact support to reduce the number of
--   licenses." Seats that are enabled but not assigned are paid every month for nothing. Locked-out
--   units (a cancelled subscription) are not seats to cut, and tenant-level SKUs (Graph appliesTo
--   "Company": database, file and log capacity, Power Pages capacity) are capacity, never seats.
-- remediation: >
--   Reduce the subscription's quantity at the next renewal (or now, where the agreement allows), or
--   assign the seats to the people waiting for them.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/signup-question-and-answer
--   - https://learn.microsoft.com/microsoft-365/commerce/licenses/buy-licenses
-- needs: [graph_subscribedskus]
-- scope: tenant
SELECT 'sku' AS subject_type, s.skuid AS subject_id, s.partnumber AS subject_name, '' AS businessunit,
       s.partnumber || ' has ' || s.idle || ' idle of '
         || CASE WHEN s.lockedout > 0 THEN s.available || ' available seats (' || s.enabled || ' enabled, ' || s.lockedout || ' locked out)'
                 ELSE s.enabled || ' enabled seats' END
         || CASE WHEN s.monthly_price IS NOT NULL
                 THEN ': ' || s.currency || ' ' || printf('%.2f', s.monthly_price * s.idle) || ' a month, '
                      || printf('%.2f', s.monthly_price * s.idle * 12) || ' a year'
                 ELSE ' (no price in the price list: cost not computed)' END AS message,
       json_object('product', s.productname, 'enabled', s.enabled, 'locked_out', s.lockedout, 'available', s.available,
                   'consumed', s.consumed, 'idle', s.idle,
                   'monthly_price', s.monthly_price, 'currency', s.currency,
                   'idle_monthly', s.monthly_price * s.idle, 'idle_annual', s.monthly_price * s.idle * 12) AS evidence,
       NULL AS detail
FROM license_skus s
WHERE s.subscribed AND s.paid AND NOT s.capacity AND s.idle > 0
