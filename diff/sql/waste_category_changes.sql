-- wasteCategoryChangesQuery: the license waste per category in each run,
-- where seats or cost differ, in the categories' order.
WITH o AS (SELECT category, min(category_order) AS ord, sum(seats) AS seats, coalesce(sum(monthly), 0) AS monthly,
                  coalesce(sum(annual), 0) AS annual FROM old.license_waste GROUP BY category),
     n AS (SELECT category, min(category_order) AS ord, sum(seats) AS seats, coalesce(sum(monthly), 0) AS monthly,
                  coalesce(sum(annual), 0) AS annual FROM new.license_waste GROUP BY category)
SELECT coalesce(n.category, o.category), coalesce(o.seats, 0)::BIGINT, coalesce(n.seats, 0)::BIGINT,
       coalesce(o.monthly, 0)::DOUBLE, coalesce(n.monthly, 0)::DOUBLE, coalesce(o.annual, 0)::DOUBLE, coalesce(n.annual, 0)::DOUBLE
FROM o FULL OUTER JOIN n ON n.category = o.category
WHERE o.seats IS DISTINCT FROM n.seats OR o.monthly IS DISTINCT FROM n.monthly
ORDER BY coalesce(n.ord, o.ord), 1
