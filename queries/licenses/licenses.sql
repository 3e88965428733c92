-- license usage: every subscribed SKU and every assigned license, joined to
-- the Dataverse user it belongs to, priced, and classified. Parameters come in
-- license_params (as_of, inactive_days), the free list in license_free_skus and
-- product names in sku_catalog.

-- A SKU is paid unless the price list says kind 'free'; without a price for
-- it, unless it is on the built-in free list or its product name says it is a
-- trial or free (RULES.md: "paid license").
CREATE OR REPLACE TABLE license_skus AS
WITH skus AS (
    SELECT skuid, skupartnumber, capabilitystatus, coalesce(consumedunits, 0) AS consumed,
           coalesce(enabledunits, 0) AS enabled, coalesce(suspendedunits, 0) AS suspended,
           coalesce(warningunits, 0) AS warning, coalesce(lockedoutunits, 0) AS lockedout, true AS subscribed,
           appliesto, serviceplans
    FROM graph_subscribedskus
    UNION ALL
    -- licenses assigned from a SKU the tenant's subscribedSkus does not list
    SELECT DISTINCT l.skuid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL
    FROM graph_assignedlicenses l WHERE l.skuid NOT IN (SELECT skuid FROM graph_subscribedskus)
),
-- SKUs the catalogue does not know are classified by their Graph service
-- plans: one carrying a Dynamics 365 / Dataverse plan (license_dynamics_plans)
-- is a Dynamics license.
plans AS (
    SELECT skuid, unnest(json_extract_string(serviceplans, '$[*].id')) AS planid,
           unnest(json_extract_string(serviceplans, '$[*].name')) AS planname
    FROM graph_subscribedskus WHERE serviceplans IS NOT NULL
),
plan_hits AS (
    SELECT p.skuid, string_agg(DISTINCT d.planname, ', ' ORDER BY d.planname) AS dynamics_plans
    FROM plans p JOIN license_dynamics_plans d
      ON d.planid = lower(p.planid) OR upper(d.planname) = upper(regexp_replace(p.planname, '\s', '', 'g'))
    GROUP BY p.skuid
),
named AS (
    SELECT s.*, h.dynamics_plans, coalesce(s.skupartnumber, c.skupartnumber, s.skuid) AS partnumber,
           coalesce(c.productname, s.skupartnumber, s.skuid) AS productname, c.skuid IS NOT NULL AS catalogued,
           upper(regexp_replace(coalesce(s.skupartnumber, c.skupartnumber, ''), '\s', '', 'g')) AS partkey
    FROM skus s LEFT JOIN sku_catalog c USING (skuid) LEFT JOIN plan_hits h USING (skuid)
)
SELECT n.skuid, n.partnumber, n.productname, n.capabilitystatus, n.subscribed,
       n.enabled, n.consumed, n.suspended, n.warning, n.lockedout, n.appliesto, n.catalogued, n.dynamics_plans,
       -- Tenant-level SKUs (Graph appliesTo "Company": Dataverse database,
       -- file and log capacity, Power Pages capacity, extra instances) are
       -- never assigned to a user, so they have no seats to cut: capacity.
       -- Without appliesTo the product name tells the same add-ons apart.
       (coalesce(lower(trim(n.appliesto)) = 'company', false)
        OR (n.appliesto IS NULL AND (n.productname ILIKE '%capacity%' OR n.productname ILIKE '%additional%instance%'
            OR n.productname ILIKE '%additional database storage%' OR n.productname ILIKE '%additional environment%'
            OR n.productname ILIKE '%additional responses%' OR n.productname ILIKE '%page view%'))) IS TRUE AS capacity,
       -- Units that can really be used: locked-out units belong to a
       -- cancelled subscription, they can be neither used nor cut again.
       greatest(coalesce(n.enabled, 0) - coalesce(n.lockedout, 0), 0) AS available,
       lower(trim(p.kind)) AS kind, p.monthly_price::DECIMAL(38, 4) AS monthly_price, p.currency,
       p.sku_part_number IS NOT NULL AS priced,
       CASE WHEN p.sku_part_number IS NOT NULL THEN coalesce(lower(trim(p.kind)), 'base') <> 'free'
            ELSE NOT (n.partkey IN (SELECT sku_part_number FROM license_free_skus)
                      OR n.productname ILIKE '%trial%' OR n.productname ILIKE '%(free)%' OR n.partkey LIKE '%\_FREE' ESCAPE '\'
                      OR n.partkey LIKE '%VIRAL%')
       END AS paid,
       -- Dynamics 365 / Power Apps licenses: the ones that pay for a seat in an environment.
       (n.productname ILIKE '%Dynamics 365%' OR n.productname ILIKE '%Power Apps%' OR n.productname ILIKE '%Dynamics CRM%'
        OR n.partkey LIKE 'DYN365%' OR n.partkey LIKE 'D365%' OR n.partkey LIKE 'POWERAPPS%' OR n.partkey LIKE 'CRM%'
        OR (NOT n.catalogued AND n.dynamics_plans IS NOT NULL)) AS dynamics
FROM named n
LEFT JOIN prices p ON upper(regexp_replace(p.sku_part_number, '\s', '', 'g')) = n.partkey;

-- idle: available seats nobody consumes; over: seats consumed beyond the
-- available ones (over-consumption). Capacity has neither.
CREATE OR REPLACE TABLE license_skus AS
SELECT *, CASE WHEN capacity THEN 0 ELSE greatest(available - coalesce(consumed, 0), 0) END AS idle,
       CASE WHEN capacity THEN 0 ELSE greatest(coalesce(consumed, 0) - available, 0) END AS over
FROM license_skus;

-- Every assigned license with its user, in Graph and in Dataverse.
CREATE OR REPLACE TABLE license_assignments AS
SELECT l.userid, gu.userprincipalname, coalesce(gu.displayname, gu.userprincipalname) AS displayname,
       gu.accountenabled, gu.hassigninactivity,
       greatest(gu.lastsignindatetime, gu.lastsuccessfulsignindatetime) AS last_signin, gu.createddatetime,
       u.systemuserid, u.fullname, u.domainname, u.isdisabled, u.accessmode, u.applicationid,
       coalesce(ubu.name, '') AS businessunit,
       u.systemuserid IS NOT NULL AND u.applicationid IS NULL AND u.accessmode IN (0, 2) AND NOT u.isdisabled AS is_person,
       EXISTS (SELECT 1 FROM user_role_sources s WHERE s.systemuserid = u.systemuserid) AS holds_role,
       s.skuid, s.partnumber, s.productname, s.paid, s.dynamics, s.kind, s.monthly_price, s.currency,
       -- days since the last sign-in; never signed in counts from the account's creation
       CASE WHEN gu.hassigninactivity THEN
            date_diff('day', coalesce(greatest(gu.lastsignindatetime, gu.lastsuccessfulsignindatetime), gu.createddatetime),
                      (SELECT as_of FROM license_params)) END AS days_since_signin
FROM graph_assignedlicenses l
JOIN graph_users gu ON gu.id = l.userid
JOIN license_skus s ON s.skuid = l.skuid
LEFT JOIN systemusers u ON u.azureactivedirectoryobjectid = l.userid
LEFT JOIN businessunits ubu ON ubu.businessunitid = u.businessunitid;

-- Waste: each paid seat counted once, under the first category that applies,
-- in this order: disabled user, no role, license not required, inactive. Then
-- the idle seats of each paid SKU. Costs are per month and per year; without a
-- price they are NULL and the review gives counts only.
CREATE OR REPLACE TABLE license_waste AS
WITH classified AS (
    SELECT a.*, coalesce(sc.scope, 'this environment') AS role_scope,
           CASE
             WHEN accountenabled = false OR isdisabled THEN 'disabled user'
             WHEN is_person AND dynamics AND NOT holds_role THEN 'no role'
             WHEN systemuserid IS NOT NULL AND (accessmode IN (1, 4) OR applicationid IS NOT NULL) THEN 'license not required'
             WHEN days_since_signin > (SELECT inactive_days FROM license_params) THEN 'inactive'
           END AS category
    FROM license_assignments a LEFT JOIN license_person_scope sc USING (systemuserid) WHERE paid
)
SELECT category, CASE category WHEN 'disabled user' THEN 1 WHEN 'no role' THEN 2 WHEN 'license not required' THEN 3 ELSE 4 END AS category_order,
       coalesce(systemuserid, userid) AS user_id, coalesce(fullname, displayname) AS user_name,
       skuid, partnumber, productname, 1::BIGINT AS seats, monthly_price AS monthly, monthly_price * 12 AS annual,
       CASE category
         WHEN 'disabled user' THEN CASE WHEN accountenabled = false AND isdisabled THEN 'disabled in Entra ID and Dataverse'
                                        WHEN accountenabled = false THEN 'Entra ID account disabled' ELSE 'Dataverse user disabled' END
         WHEN 'no role' THEN 'holds no security role in ' || role_scope
         WHEN 'license not required' THEN CASE WHEN applicationid IS NOT NULL THEN 'application user'
                                               WHEN accessmode = 1 THEN 'Administrative access mode' ELSE 'non-interactive access mode' END
         ELSE 'no sign-in for ' || days_since_signin || ' days'
       END AS reason
FROM classified WHERE category IS NOT NULL
UNION ALL
SELECT 'idle seats', 5, NULL, NULL, skuid, partnumber, productname, idle, monthly_price * idle, monthly_price * idle * 12,
       idle || ' of ' || CASE WHEN lockedout > 0 THEN available || ' available seats unassigned (' || enabled || ' enabled, '
                                   || lockedout || ' locked out)'
                              ELSE enabled || ' enabled seats unassigned' END
FROM license_skus WHERE paid AND subscribed AND NOT capacity AND idle > 0;

-- the licenses of the restricted-tables page each user holds, from their
-- assigned SKUs: by part number, or for a SKU the catalogue does not know by
-- a service plan that carries the license. A license whose service plan the
-- assignment disables (assignedLicenses.disabledPlans) is not held.
CREATE OR REPLACE TABLE license_user_products AS
WITH held AS (
    SELECT DISTINCT a.systemuserid, s.skuid, s.partnumber, s.catalogued,
           upper(regexp_replace(s.partnumber, '\s', '', 'g')) AS partkey,
           lower(coalesce(l.disabledplans, '')) AS disabled
    FROM license_assignments a JOIN license_skus s USING (skuid)
    JOIN graph_assignedlicenses l ON l.userid = a.userid AND l.skuid = a.skuid
    WHERE a.systemuserid IS NOT NULL
),
sku_plans AS (
    SELECT skuid, lower(unnest(json_extract_string(serviceplans, '$[*].id'))) AS planid
    FROM graph_subscribedskus WHERE serviceplans IS NOT NULL
)
SELECT systemuserid, license, partnumber FROM (
    SELECT DISTINCT h.systemuserid, p.license, h.partnumber, h.disabled
    FROM held h JOIN license_products p ON p.skupartnumber = h.partkey
    UNION
    SELECT DISTINCT h.systemuserid, pp.license, h.partnumber, h.disabled
    FROM held h JOIN sku_plans sp ON sp.skuid = h.skuid AND NOT h.catalogued
    JOIN license_product_plans pp ON pp.planid = sp.planid
) x
WHERE NOT EXISTS (SELECT 1 FROM license_product_plans d WHERE d.license = x.license AND contains(x.disabled, d.planid));
