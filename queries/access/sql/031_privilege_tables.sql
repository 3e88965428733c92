-- the privileges the matrix is made of: privilege_table_map numbered and
-- marked with the policy's business tables.
CREATE OR REPLACE TABLE privilege_tables AS
SELECT privilegeid, name, table_name, privilege, table_source,
       -- pt_id numbers the (table, privilege) cells in output order, so the
       -- matrix is computed and sorted on integers, not strings
       dense_rank() OVER (ORDER BY table_name = '', table_name, privilege) AS pt_id,
       -- an Administrative-mode user holds nothing on a business table; a
       -- column rather than a subquery in the matrix, which would keep
       -- DuckDB from joining the matrix's small sides first
       table_name IN (SELECT table_name FROM policy_business_tables) AS business_table
FROM privilege_table_map;
