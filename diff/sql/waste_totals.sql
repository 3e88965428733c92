-- wasteTotalsQuery: wasted seats and their monthly and annual cost, old and
-- new.
SELECT (SELECT coalesce(sum(seats), 0) FROM old.license_waste)::BIGINT, (SELECT coalesce(sum(seats), 0) FROM new.license_waste)::BIGINT,
       (SELECT coalesce(sum(monthly), 0) FROM old.license_waste)::DOUBLE, (SELECT coalesce(sum(monthly), 0) FROM new.license_waste)::DOUBLE,
       (SELECT coalesce(sum(annual), 0) FROM old.license_waste)::DOUBLE, (SELECT coalesce(sum(annual), 0) FROM new.license_waste)::DOUBLE
