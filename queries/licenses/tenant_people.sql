-- A tenant's people: licenses are bought per tenant, so the license model of
-- a tenant run judges a person over every environment where they have a user.
-- tenant_user_environments (one row per environment and user, made by
-- queries.BuildTenantLicenses) is read here into the tables the license model
-- reads in a single environment, with the person's Entra object id as their
-- systemuserid:
--   systemusers: one row per person, the user of the environment that
--     speaks for them (an enabled interactive user first, one holding a role
--     first, then an enabled one, then the first environment by name);
--   user_role_sources: the people who hold a role where they are enabled;
--   license_person_scope: the environments each person was checked in.
CREATE OR REPLACE TABLE tenant_people AS
WITH ranked AS (
    SELECT *, applicationid IS NULL AND accessmode IN (0, 2) AND NOT isdisabled AS person_here,
           row_number() OVER (PARTITION BY entraid
                              ORDER BY applicationid IS NULL AND accessmode IN (0, 2) AND NOT isdisabled DESC,
                                       holds_role AND NOT isdisabled DESC, isdisabled, environment) AS pick
    FROM tenant_user_environments
)
SELECT entraid,
       any_value(fullname) FILTER (WHERE pick = 1) AS fullname,
       any_value(domainname) FILTER (WHERE pick = 1) AS domainname,
       any_value(isdisabled) FILTER (WHERE pick = 1) AS isdisabled,
       any_value(accessmode) FILTER (WHERE pick = 1) AS accessmode,
       any_value(applicationid) FILTER (WHERE pick = 1) AS applicationid,
       any_value(environment || ': ' || coalesce(businessunit, '')) FILTER (WHERE pick = 1) AS businessunit,
       bool_or(holds_role AND NOT isdisabled) AS holds_role,
       list(environment ORDER BY environment) AS environments,
       coalesce(list(environment ORDER BY environment) FILTER (WHERE holds_role AND NOT isdisabled), []) AS role_environments
FROM ranked GROUP BY entraid;

CREATE OR REPLACE VIEW systemusers AS
SELECT entraid AS systemuserid, entraid AS azureactivedirectoryobjectid, fullname, domainname, isdisabled, accessmode,
       applicationid, entraid AS businessunitid
FROM tenant_people;

CREATE OR REPLACE VIEW businessunits AS
SELECT entraid AS businessunitid, businessunit AS name FROM tenant_people;

CREATE OR REPLACE VIEW user_role_sources AS
SELECT entraid AS systemuserid FROM tenant_people WHERE holds_role;

CREATE OR REPLACE TABLE license_person_scope AS
SELECT entraid AS systemuserid,
       CASE WHEN len(environments) = 1 THEN 'the one environment where they have a user (' || environments[1] || ')'
            ELSE 'any of the ' || len(environments) || ' environments where they have a user ('
                 || array_to_string(environments, ', ') || ')' END AS scope,
       environments
FROM tenant_people;
