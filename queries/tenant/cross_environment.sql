-- Views across the environments of a tenant, from the tables
-- queries.BuildCrossEnvironment gathers from each environment's schema:
-- tenant_user_environments, tenant_user_roles, tenant_roles,
-- tenant_role_privileges, tenant_user_profiles, tenant_profile_cells.
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

-- Access spread: for each person with users in two or more environments,
-- the pair of environments whose effective access differs most, counted in
-- cells (table and privilege) whose depth differs. Computed once per pair of
-- access profiles, which people share.
CREATE OR REPLACE TABLE tenant_access_spread AS
WITH pairs AS (
    SELECT a.entraid, a.environment AS env_a, a.profileid AS prof_a, b.environment AS env_b, b.profileid AS prof_b
    FROM tenant_user_profiles a JOIN tenant_user_profiles b ON a.entraid = b.entraid AND a.environment < b.environment
),
profile_pairs AS (SELECT DISTINCT env_a, prof_a, env_b, prof_b FROM pairs),
ca AS (
    SELECT d.*, c.table_name, c.privilege, c.depth_rank FROM profile_pairs d
    JOIN tenant_profile_cells c ON c.environment = d.env_a AND c.profileid = d.prof_a
),
cb AS (
    SELECT d.*, c.table_name, c.privilege, c.depth_rank FROM profile_pairs d
    JOIN tenant_profile_cells c ON c.environment = d.env_b AND c.profileid = d.prof_b
),
differences AS (
    SELECT env_a, prof_a, env_b, prof_b, count(*) AS cells
    FROM ca FULL JOIN cb USING (env_a, prof_a, env_b, prof_b, table_name, privilege)
    WHERE ca.depth_rank IS DISTINCT FROM cb.depth_rank
    GROUP BY env_a, prof_a, env_b, prof_b
),
per_person AS (
    SELECT p.entraid, coalesce(d.cells, 0) AS cells, p.env_a, p.env_b,
           row_number() OVER (PARTITION BY p.entraid ORDER BY coalesce(d.cells, 0) DESC, p.env_a, p.env_b) AS pick,
           count(*) OVER (PARTITION BY p.entraid) AS pairs
    FROM pairs p LEFT JOIN differences d USING (env_a, prof_a, env_b, prof_b)
)
SELECT pp.entraid, coalesce(t.fullname, t.domainname) AS person, t.domainname, len(t.environments) AS environments,
       pp.env_a, pp.env_b, pp.cells AS cells_differing
FROM per_person pp JOIN tenant_people t USING (entraid)
WHERE pp.pick = 1
ORDER BY cells_differing DESC, person, pp.entraid;
