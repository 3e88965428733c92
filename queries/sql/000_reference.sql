-- reference facts the models need, from dataverse-security.md.

-- Miscellaneous privileges whose names look like prv + right + table but name
-- no table (1.4). Without privilegeobjecttypecodes they would be mistaken for
-- table privileges (prvReadLicense is not Read on a "license" table).
CREATE OR REPLACE TABLE misc_privilege_names AS
SELECT * FROM (VALUES
    ('prvReadLicense'), ('prvReadRecordAuditHistory'), ('prvReadAuditSummary'), ('prvReadAuditPartitions'),
    ('prvDeleteAuditPartitions'), ('prvDeleteRecordChangeHistory'), ('prvAssignManager'), ('prvAssignPosition'),
    ('prvWriteHierarchicalSecurityConfiguration'), ('prvAssignTerritory')
) AS t(name);

-- Out-of-box tables whose schema name (in privilege names) is not their
-- logical name: prvReadUser is Read on systemuser.
CREATE OR REPLACE TABLE schema_name_exceptions AS
SELECT * FROM (VALUES
    ('User', 'systemuser'), ('Note', 'annotation'), ('Activity', 'activitypointer'),
    ('ActivityPointer', 'activitypointer'), ('SharePointData', 'sharepointdata')
) AS t(schema_name, logical_name);
