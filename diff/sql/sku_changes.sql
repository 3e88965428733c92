-- skuChangesQuery: each subscribed SKU added, removed or changed (seats,
-- status, price, subscription), with the change to the monthly spend.
SELECT CASE WHEN o.skuid IS NULL THEN 'added' WHEN n.skuid IS NULL THEN 'removed' ELSE 'changed' END,
       coalesce(n.skuid, o.skuid), coalesce(n.partnumber, o.partnumber, ''), coalesce(n.productname, o.productname, ''),
       coalesce(o.capabilitystatus, ''), coalesce(n.capabilitystatus, ''),
       coalesce(o.enabled, 0), coalesce(n.enabled, 0), coalesce(o.consumed, 0), coalesce(n.consumed, 0),
       coalesce(o.idle, 0), coalesce(n.idle, 0),
       coalesce(o.monthly_price, 0)::DOUBLE, coalesce(n.monthly_price, 0)::DOUBLE,
       (coalesce(CASE WHEN n.paid AND n.subscribed THEN n.enabled * n.monthly_price END, 0)
        - coalesce(CASE WHEN o.paid AND o.subscribed THEN o.enabled * o.monthly_price END, 0))::DOUBLE
FROM old.license_skus o
FULL OUTER JOIN new.license_skus n ON n.skuid = o.skuid
WHERE o.skuid IS NULL OR n.skuid IS NULL
   OR o.enabled IS DISTINCT FROM n.enabled OR o.consumed IS DISTINCT FROM n.consumed
   OR o.suspended IS DISTINCT FROM n.suspended OR o.capabilitystatus IS DISTINCT FROM n.capabilitystatus
   OR o.monthly_price IS DISTINCT FROM n.monthly_price OR o.subscribed IS DISTINCT FROM n.subscribed
ORDER BY 3, 2
