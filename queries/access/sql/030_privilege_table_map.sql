-- privilege -> table: which table a privilege is about, and which right it gives.
--
-- The right comes from privileges.accessright (1 read, 2 write, 4 append,
-- 16 appendto, 32 create, 65536 delete, 262144 share, 524288 assign); 0, a
-- miscellaneous privilege or one the export did not type, falls back to the
-- name. The table comes from privilegeobjecttypecodes when the export has a
-- row for the privilege ('none' marks a miscellaneous privilege); otherwise
-- it is taken from the name, prv + right + schema name, matched without
-- regard to case (Microsoft ships prvAppendtoCategory), AppendTo before
-- Append, and translated by the built-in map of out-of-box names that are
-- not their table (prvReadOrder is Read on salesorder). A privilege that
-- names no table (prvBulkDelete) keeps its full name as the privilege.
--
-- table_source says where the table came from: objecttypecode, builtin
-- (the map), name (the name as is) or misc (no table: 'none' in
-- privilegeobjecttypecodes, or so named); validate and the
-- run's scope note count the privileges whose table was guessed.
CREATE OR REPLACE TABLE privilege_table_map AS
WITH parsed AS (
    SELECT p.privilegeid, p.name,
           CASE p.accessright WHEN 1 THEN 'read' WHEN 2 THEN 'write' WHEN 4 THEN 'append' WHEN 16 THEN 'appendto'
                WHEN 32 THEN 'create' WHEN 65536 THEN 'delete' WHEN 262144 THEN 'share' WHEN 524288 THEN 'assign'
                ELSE '' END AS data_right,
           lower(regexp_extract(p.name, '^prv(AppendTo|Append|Create|Read|Write|Delete|Assign|Share)(.+)$', 1, 'i')) AS name_right,
           regexp_extract(p.name, '^prv(AppendTo|Append|Create|Read|Write|Delete|Assign|Share)(.+)$', 2, 'i') AS schema_name
    FROM privileges p
),
typed AS (
    SELECT privilegeid, min(lower(trim(objecttypecode))) AS table_name
    FROM privilegeobjecttypecodes GROUP BY privilegeid
),
resolved AS (
    SELECT pr.privilegeid, pr.name,
           coalesce(nullif(pr.data_right, ''), pr.name_right) AS right_name,
           CASE
             WHEN ty.table_name = 'none' THEN 'misc'
             WHEN ty.table_name IS NOT NULL THEN 'objecttypecode'
             WHEN pr.schema_name = '' OR lower(pr.name) IN (SELECT lower(name) FROM misc_privilege_names) THEN 'misc'
             WHEN b.logical_name IS NOT NULL THEN 'builtin'
             ELSE 'name'
           END AS table_source,
           CASE
             WHEN ty.table_name IS NOT NULL THEN ty.table_name
             WHEN pr.schema_name = '' OR lower(pr.name) IN (SELECT lower(name) FROM misc_privilege_names) THEN 'none'
             ELSE coalesce(b.logical_name, lower(pr.schema_name))
           END AS table_name
    FROM parsed pr
    LEFT JOIN typed ty USING (privilegeid)
    LEFT JOIN privilege_name_tables b ON lower(b.name_part) = lower(pr.schema_name)
)
SELECT privilegeid, name, table_source,
       CASE WHEN table_name IN ('none', '') THEN '' ELSE table_name END AS table_name,
       CASE WHEN table_name IN ('none', '') OR right_name = '' THEN name ELSE right_name END AS privilege
FROM resolved;
