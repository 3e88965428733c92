-- The tenant's restricted-table needs: each environment's
-- license_restricted_needs (tenant_restricted_needs, one row per environment,
-- person and table, made by queries.BuildTenantLicenses) merged per person
-- and table. The roles that grant a write are named with their environment.
CREATE OR REPLACE TABLE license_restricted_needs AS
SELECT n.entraid AS systemuserid, n.table_name, any_value(n.display_name) AS display_name,
       list_sort(list_distinct(flatten(list(n.privileges)))) AS privileges,
       list_sort(list_distinct(flatten(list(list_transform(n.sources, s -> n.environment || ': ' || s))))) AS sources,
       list_sort(list_distinct(flatten(list(n.allowed_by)))) AS allowed_by,
       bool_and(n.covered) AS covered
FROM tenant_restricted_needs n
GROUP BY n.entraid, n.table_name;
