-- spendTotalsQuery: the paid, subscribed seats and what they cost a month
-- and a year, old and new.
SELECT (SELECT coalesce(sum(enabled), 0) FROM old.license_skus WHERE paid AND subscribed)::BIGINT,
       (SELECT coalesce(sum(enabled), 0) FROM new.license_skus WHERE paid AND subscribed)::BIGINT,
       (SELECT coalesce(sum(enabled * monthly_price), 0) FROM old.license_skus WHERE paid AND subscribed)::DOUBLE,
       (SELECT coalesce(sum(enabled * monthly_price), 0) FROM new.license_skus WHERE paid AND subscribed)::DOUBLE,
       (SELECT coalesce(sum(enabled * monthly_price * 12), 0) FROM old.license_skus WHERE paid AND subscribed)::DOUBLE,
       (SELECT coalesce(sum(enabled * monthly_price * 12), 0) FROM new.license_skus WHERE paid AND subscribed)::DOUBLE
