-- privilege -> table: which table a privilege is about, and which right it gives.
-- privilegeobjecttypecodes says it when the export has it ('none' marks a
-- miscellaneous privilege); otherwise the name does: prv + right + schema name
-- (prvAppendToAccount -> account; AppendTo is matched before Append). A privilege
-- that names no table (prvBulkDelete) keeps its full name as the privilege.
CREATE OR REPLACE TABLE privilege_tables AS
WITH parsed AS (
    SELECT p.privilegeid, p.name,
           regexp_extract(p.name, '^prv(AppendTo|Append|Create|Read|Write|Delete|Assign|Share)(.+)$', 1) AS right_name,
           regexp_extract(p.name, '^prv(AppendTo|Append|Create|Read|Write|Delete|Assign|Share)(.+)$', 2) AS schema_name
    FROM privileges p
),
mapped AS (
    SELECT pr.privilegeid, lower(trim(o.objecttypecode)) AS table_name
    FROM parsed pr JOIN privilegeobjecttypecodes o USING (privilegeid)
),
by_name AS (
    SELECT pr.privilegeid,
           CASE
             WHEN pr.schema_name = '' OR lower(pr.name) IN (SELECT lower(name) FROM misc_privilege_names) THEN 'none'
             ELSE coalesce((SELECT logical_name FROM schema_name_exceptions s WHERE lower(s.schema_name) = lower(pr.schema_name)),
                           lower(pr.schema_name))
           END AS table_name
    FROM parsed pr
    WHERE pr.privilegeid NOT IN (SELECT privilegeid FROM mapped)
),
tables AS (
    SELECT * FROM mapped UNION ALL SELECT * FROM by_name
)
SELECT privilegeid, name, table_name, privilege,
       -- pt_id numbers the (table, privilege) cells in output order, so the
       -- matrix is computed and sorted on integers, not strings
       dense_rank() OVER (ORDER BY table_name = '', table_name, privilege) AS pt_id,
       -- an Administrative-mode user holds nothing on a business table; a
       -- column rather than a subquery in the matrix, which would keep
       -- DuckDB from joining the matrix's small sides first
       table_name IN (SELECT table_name FROM policy_business_tables) AS business_table
FROM (
    SELECT pr.privilegeid, pr.name,
           CASE WHEN t.table_name IN ('none', '') THEN '' ELSE t.table_name END AS table_name,
           CASE WHEN t.table_name IN ('none', '') OR pr.right_name = '' THEN pr.name ELSE lower(pr.right_name) END AS privilege
    FROM parsed pr JOIN tables t USING (privilegeid)
);
