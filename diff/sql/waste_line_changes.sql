-- wasteLineChangesQuery: each wasted seat (category, user, SKU) added,
-- removed or changed in seats or cost.
WITH o AS (SELECT category, category_order, coalesce(user_id, '') AS user_id, user_name, skuid, partnumber, sum(seats) AS seats,
                  coalesce(sum(monthly), 0) AS monthly, min(reason) AS reason
           FROM old.license_waste GROUP BY ALL),
     n AS (SELECT category, category_order, coalesce(user_id, '') AS user_id, user_name, skuid, partnumber, sum(seats) AS seats,
                  coalesce(sum(monthly), 0) AS monthly, min(reason) AS reason
           FROM new.license_waste GROUP BY ALL)
SELECT CASE WHEN o.category IS NULL THEN 'added' WHEN n.category IS NULL THEN 'removed' ELSE 'changed' END,
       coalesce(n.category, o.category), coalesce(n.user_id, o.user_id), coalesce(n.user_name, o.user_name, ''),
       coalesce(n.skuid, o.skuid), coalesce(n.partnumber, o.partnumber, ''),
       coalesce(o.seats, 0)::BIGINT, coalesce(n.seats, 0)::BIGINT, coalesce(o.monthly, 0)::DOUBLE, coalesce(n.monthly, 0)::DOUBLE,
       coalesce(n.reason, o.reason, '')
FROM o FULL OUTER JOIN n ON n.category = o.category AND n.user_id = o.user_id AND n.skuid = o.skuid
WHERE o.category IS NULL OR n.category IS NULL OR o.seats <> n.seats OR o.monthly <> n.monthly
ORDER BY coalesce(n.category_order, o.category_order), 4, 6, 3, 5
