-- Views across the environments of a tenant, from the tables
-- queries.BuildCrossEnvironment gathers from each environment's schema:
-- tenant_user_environments, tenant_user_roles, tenant_roles,
-- tenant_role_privileges, tenant_user_profiles (the access spread is Go:
-- tenant.BuildAccessSpread).
-- People are linked by their Entra object id (entraid).

-- People x environments: where each person has a user, enabled or not, in
-- which access mode, and the roles held there (directly or through a team).
CREATE OR REPLACE TABLE tenant_person_environments AS
SELECT e.entraid, coalesce(p.fullname, p.domainname) AS person, p.domainname, e.environment, e.systemuserid,
       NOT e.isdisabled AS enabled, e.accessmode, e.applicationid IS NOT NULL AS application_user,
       coalesce((SELECT string_agg(DISTINCT r.role, ', ' ORDER BY r.role) FROM tenant_user_roles r
                 WHERE r.environment = e.environment AND r.entraid = e.entraid), '') AS roles
FROM tenant_user_environments e JOIN tenant_people p USING (entraid)
ORDER BY person, entraid, environment;

-- Administrators: who holds System Administrator (by its template id, or
-- its name) in which environments, enabled there; every_environment when in
-- all of the tenant's.
CREATE OR REPLACE TABLE tenant_admins AS
WITH admin AS (
    SELECT DISTINCT r.entraid, r.environment FROM tenant_user_roles r
    JOIN tenant_user_environments e USING (environment, entraid)
    WHERE r.is_admin AND NOT e.isdisabled
)
SELECT a.entraid, coalesce(p.fullname, p.domainname) AS person, p.domainname,
       list(a.environment ORDER BY a.environment) AS environments,
       count(*) AS admin_in, count(*) = (SELECT count(DISTINCT environment) FROM tenant_roles) AS every_environment
FROM admin a JOIN tenant_people p USING (entraid)
GROUP BY a.entraid, p.fullname, p.domainname
ORDER BY admin_in DESC, person, a.entraid;

-- Role drift: a role of the same name in two or more environments whose
-- privileges differ, one row per differing privilege and environment
-- ('none' where the role lacks it there). The same name is the same role
-- for an administrator moving a solution from development to production.
CREATE OR REPLACE TABLE tenant_role_drift AS
WITH shared AS (
    SELECT role FROM tenant_roles GROUP BY role HAVING count(DISTINCT environment) >= 2
),
cells AS (
    SELECT role, privilege, environment, max(depth_rank) AS depth_rank
    FROM tenant_role_privileges WHERE role IN (SELECT role FROM shared) GROUP BY ALL
),
grid AS (
    SELECT r.role, r.environment, r.custom, p.privilege, c.depth_rank
    FROM (SELECT DISTINCT role, environment, custom FROM tenant_roles WHERE role IN (SELECT role FROM shared)) r
    JOIN (SELECT DISTINCT role, privilege FROM cells) p USING (role)
    LEFT JOIN cells c USING (role, privilege, environment)
),
differing AS (
    SELECT role, privilege FROM grid GROUP BY role, privilege HAVING count(DISTINCT coalesce(depth_rank, -1)) > 1
)
SELECT g.role, bool_or(g.custom) OVER (PARTITION BY g.role) AS custom, g.privilege, g.environment,
       coalesce(depth_name(g.depth_rank), 'none') AS depth
FROM grid g SEMI JOIN differing d ON d.role = g.role AND d.privilege = g.privilege
ORDER BY g.role, g.privilege, g.environment;
