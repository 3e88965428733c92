-- id: DATA_DANGLING_REFERENCE
-- title: An export row names a user, team, role or privilege the export does not contain
-- severity: medium
-- rationale: >
--   Data quality: the audit says what it could not trust. A membership, assignment or privilege row whose
--   user, team, role, field security profile or privilege is not in the export (a record deleted between
--   the entity-set downloads, a privilege of an uninstalled solution, a partial or filtered export) cannot
--   be evaluated: effective access, role and licence findings leave that row out. Each dangling row gives
--   one finding, so the auditor can see exactly which input row was ignored. The subject is the missing
--   record: subject type user, team, role or fieldsecurityprofile for those tables, sku for a Graph
--   licence SKU, and environment for anything else (a missing privilege, business unit or Graph user),
--   with the missing value as subject id. The fingerprint ends with table.column@file:row. References in
--   the baseline are not the export and are not reported.
-- remediation: >
--   Re-run the export so that every entity set is taken at the same time and completely (no filters, no
--   paging cut short). If the row is genuinely orphaned in Dataverse (for example the privilege of a
--   removed solution still attached to a custom role), clean it up: remove the privilege from the role,
--   the member from the team, or the assignment; open a support case if the platform does not let you.
-- references:
--   - https://learn.microsoft.com/power-platform/admin/security-roles-privileges
--   - https://learn.microsoft.com/power-platform/admin/manage-teams
--   - https://learn.microsoft.com/power-apps/developer/data-platform/security-roles
-- needs: []
WITH d AS (
    SELECT * FROM dq_dangling_references WHERE table_name NOT LIKE 'baseline\_%' ESCAPE '\'
),
-- what the dangling row is about, in words (the records it names that do exist),
-- and the business unit it belongs to
ctx AS (
    SELECT d._file, d._row, d.table_name,
           concat_ws(', ', 'team ' || t.name, 'user ' || coalesce(u.fullname, u.domainname)) AS context,
           tb.name AS businessunit, s.extra
    FROM d JOIN teammemberships s ON s._file = d._file AND s._row = d._row AND d.table_name = 'teammemberships'
    LEFT JOIN teams t ON t.teamid = s.teamid LEFT JOIN systemusers u ON u.systemuserid = s.systemuserid
    LEFT JOIN businessunits tb ON tb.businessunitid = t.businessunitid
    UNION ALL
    SELECT d._file, d._row, d.table_name,
           concat_ws(', ', 'user ' || coalesce(u.fullname, u.domainname), 'role ' || r.name || '@' || coalesce(r.businessunit, '?')),
           ub.name, s.extra
    FROM d JOIN systemuserrolescollection s ON s._file = d._file AND s._row = d._row AND d.table_name = 'systemuserrolescollection'
    LEFT JOIN systemusers u ON u.systemuserid = s.systemuserid LEFT JOIN role_names r ON r.roleid = s.roleid
    LEFT JOIN businessunits ub ON ub.businessunitid = u.businessunitid
    UNION ALL
    SELECT d._file, d._row, d.table_name,
           concat_ws(', ', 'team ' || t.name, 'role ' || r.name || '@' || coalesce(r.businessunit, '?')),
           tb.name, s.extra
    FROM d JOIN teamrolescollection s ON s._file = d._file AND s._row = d._row AND d.table_name = 'teamrolescollection'
    LEFT JOIN teams t ON t.teamid = s.teamid LEFT JOIN role_names r ON r.roleid = s.roleid
    LEFT JOIN businessunits tb ON tb.businessunitid = t.businessunitid
    UNION ALL
    SELECT d._file, d._row, d.table_name,
           concat_ws(', ', 'role ' || r.name || '@' || coalesce(r.businessunit, '?'), 'privilege ' || p.name),
           r.businessunit, s.extra
    FROM d JOIN roleprivilegescollection s ON s._file = d._file AND s._row = d._row AND d.table_name = 'roleprivilegescollection'
    LEFT JOIN role_names r ON r.roleid = s.roleid LEFT JOIN privileges p ON p.privilegeid = s.privilegeid
    UNION ALL
    SELECT d._file, d._row, d.table_name,
           concat_ws(', ', 'user ' || coalesce(u.fullname, u.domainname), 'field security profile ' || f.name),
           ub.name, s.extra
    FROM d JOIN systemuserprofilescollection s ON s._file = d._file AND s._row = d._row AND d.table_name = 'systemuserprofilescollection'
    LEFT JOIN systemusers u ON u.systemuserid = s.systemuserid LEFT JOIN fieldsecurityprofiles f ON f.fieldsecurityprofileid = s.fieldsecurityprofileid
    LEFT JOIN businessunits ub ON ub.businessunitid = u.businessunitid
    UNION ALL
    SELECT d._file, d._row, d.table_name,
           concat_ws(', ', 'team ' || t.name, 'field security profile ' || f.name),
           tb.name, s.extra
    FROM d JOIN teamprofilescollection s ON s._file = d._file AND s._row = d._row AND d.table_name = 'teamprofilescollection'
    LEFT JOIN teams t ON t.teamid = s.teamid LEFT JOIN fieldsecurityprofiles f ON f.fieldsecurityprofileid = s.fieldsecurityprofileid
    LEFT JOIN businessunits tb ON tb.businessunitid = t.businessunitid
    UNION ALL
    SELECT d._file, d._row, d.table_name,
           concat_ws(', ', 'field security profile ' || f.name, 'column ' || s.entityname || '.' || s.attributelogicalname),
           NULL, s.extra
    FROM d JOIN fieldpermissions s ON s._file = d._file AND s._row = d._row AND d.table_name = 'fieldpermissions'
    LEFT JOIN fieldsecurityprofiles f ON f.fieldsecurityprofileid = s.fieldsecurityprofileid
    UNION ALL
    SELECT d._file, d._row, d.table_name, 'table ' || s.objecttypecode, NULL, s.extra
    FROM d JOIN privilegeobjecttypecodes s ON s._file = d._file AND s._row = d._row AND d.table_name = 'privilegeobjecttypecodes'
    UNION ALL
    SELECT d._file, d._row, d.table_name, 'user ' || coalesce(s.fullname, s.domainname), NULL, s.extra
    FROM d JOIN systemusers s ON s._file = d._file AND s._row = d._row AND d.table_name = 'systemusers'
    UNION ALL
    SELECT d._file, d._row, d.table_name, 'role ' || s.name, NULL, s.extra
    FROM d JOIN roles s ON s._file = d._file AND s._row = d._row AND d.table_name = 'roles'
    UNION ALL
    SELECT d._file, d._row, d.table_name, 'team ' || s.name, NULL, s.extra
    FROM d JOIN teams s ON s._file = d._file AND s._row = d._row AND d.table_name = 'teams'
    UNION ALL
    SELECT d._file, d._row, d.table_name, 'business unit ' || s.name, NULL, s.extra
    FROM d JOIN businessunits s ON s._file = d._file AND s._row = d._row AND d.table_name = 'businessunits'
),
ctx1 AS (
    -- one context per row, even if a file were read twice
    SELECT _file, _row, table_name, nullif(min(context), '') AS context, min(businessunit) AS businessunit, min(extra) AS extra
    FROM ctx GROUP BY _file, _row, table_name
),
named AS (
    SELECT d.*, c.context, c.businessunit, c.extra,
           CASE d.target_table
             WHEN 'systemusers' THEN 'user' WHEN 'roles' THEN 'role' WHEN 'teams' THEN 'team'
             WHEN 'fieldsecurityprofiles' THEN 'fieldsecurityprofile' WHEN 'graph_subscribedskus' THEN 'sku'
             ELSE 'environment'
           END AS subject_type,
           CASE d.target_table
             WHEN 'systemusers' THEN 'user' WHEN 'roles' THEN 'role' WHEN 'teams' THEN 'team'
             WHEN 'fieldsecurityprofiles' THEN 'field security profile' WHEN 'privileges' THEN 'privilege'
             WHEN 'businessunits' THEN 'business unit' WHEN 'graph_subscribedskus' THEN 'licence SKU'
             WHEN 'graph_users' THEN 'Graph user' ELSE d.target_table
           END AS kind,
           CASE
             WHEN lower(d._file) LIKE '%.csv' THEN 'line ' || d._row
             WHEN lower(d._file) LIKE '%.json' THEN '$.value[' || d._row || ']'
             ELSE 'row ' || d._row
           END AS location
    FROM d LEFT JOIN ctx1 c ON c._file = d._file AND c._row = d._row AND c.table_name = d.table_name
)
SELECT n.subject_type, n.value AS subject_id, 'unknown ' || n.kind || ' ' || n.value AS subject_name,
       n.businessunit,
       n._file || ' ' || n.location || ': column ' || n.column_name || ' names ' || n.kind || ' ' || n.value ||
           ', which is not in the export' || coalesce(' (' || n.context || ')', '') AS message,
       json_object('table', n.table_name, 'column', n.column_name, 'value', n.value, 'target_table', n.target_table,
                   'file', n._file, 'row', n._row, 'location', n.location, 'row_names', n.context,
                   'row_other_columns', CASE WHEN json_valid(n.extra) THEN n.extra::JSON END) AS evidence,
       n.table_name || '.' || n.column_name || '@' || n._file || ':' || n._row AS detail
FROM named n
