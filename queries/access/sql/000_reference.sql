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

-- Out-of-box privileges whose name part (after prv + right) is not their
-- table's logical name: prvReadUser is Read on systemuser, prvReadOrder on
-- salesorder. Matched without regard to case. Used only where the export has
-- no privilegeobjecttypecodes row for the privilege; the sources of each
-- entry are in queries/privilege_names.md.
CREATE OR REPLACE TABLE privilege_name_tables AS
SELECT * FROM (VALUES
    ('User', 'systemuser'), ('Note', 'annotation'), ('Activity', 'activitypointer'),
    ('Order', 'salesorder'), ('Query', 'savedquery'),
    ('SavedQueryVisualizations', 'savedqueryvisualization'), ('UserQueryVisualizations', 'userqueryvisualization'),
    ('EmailTemplate', 'template'), ('Article', 'kbarticle'), ('ArticleTemplate', 'kbarticletemplate')
) AS t(name_part, logical_name);
