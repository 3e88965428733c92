-- id: LIC_MULTIPLE_BASE
-- title: A user holds several base Dynamics 365 licenses where attach licenses would do
-- severity: low
-- rationale: >
--   Dynamics 365 is licensed as base + attach: a user's first qualifying app is bought at the base
--   price, further apps for the same user at the discounted attach price with the same capabilities.
--   Two or more base licenses on one user pay full price where an attach license would do.
-- remediation: >
--   Keep the most expensive base license and replace the others with their attach SKUs at the next
--   renewal. The saving in the evidence uses the price list's attach prices (the attach SKU whose part
--   number shares the product's words, else the cheapest attach price).
-- references:
--   - https://learn.microsoft.com/dynamics365/guidance/business-processes/licensing
--   - https://www.microsoft.com/licensing/docs/view/Microsoft-Dynamics-365
-- needs: [graph_subscribedskus, graph_users, prices]
-- scope: tenant
WITH base AS (
    SELECT a.*, row_number() OVER (PARTITION BY a.userid ORDER BY a.monthly_price DESC, a.partnumber) AS rank_in_user,
           count(*) OVER (PARTITION BY a.userid) AS bases
    FROM license_assignments a
    WHERE a.paid AND a.dynamics AND a.kind = 'base'
),
attach AS (
    SELECT upper(sku_part_number) AS partnumber, monthly_price FROM prices WHERE lower(trim(kind)) = 'attach'
),
-- for each base license beyond the first, the attach SKU that shares most of
-- its words (SALES, CUSTOMER, SERVICE, ...), ties and no match: the cheapest
words AS (
    SELECT b.userid, b.partnumber AS base_sku, b.monthly_price AS base_price, t.partnumber AS attach_sku, t.monthly_price AS attach_price,
           (SELECT count(*) FROM unnest(string_split(upper(b.partnumber), '_')) AS w(word)
             WHERE w.word NOT IN ('DYN365', 'D365', 'ENTERPRISE', 'ENT', 'ATTACH', 'PRO', '')
               AND list_contains(string_split(t.partnumber, '_'), w.word)) AS shared
    FROM base b CROSS JOIN attach t WHERE b.rank_in_user > 1
),
savings AS (
    SELECT userid, base_sku, arg_max(attach_sku, shared * 1000000 - attach_price) AS attach_sku,
           arg_max(attach_price, shared * 1000000 - attach_price) AS attach_price, max(base_price) AS base_price
    FROM words GROUP BY userid, base_sku
)
SELECT 'user' AS subject_type, coalesce(any_value(b.systemuserid), b.userid) AS subject_id,
       coalesce(any_value(b.fullname), any_value(b.displayname)) AS subject_name, any_value(b.businessunit) AS businessunit,
       coalesce(any_value(b.fullname), any_value(b.displayname)) || ' holds ' || count(*) || ' base Dynamics 365 licenses ('
         || string_agg(b.partnumber, ', ' ORDER BY b.rank_in_user) || '); attach licenses would save '
         || any_value(b.currency) || ' ' || printf('%.2f', coalesce(sum(s.base_price - s.attach_price), 0)) || ' a month' AS message,
       json_object('base_licenses', list(json_object('sku', b.partnumber, 'monthly_price', b.monthly_price) ORDER BY b.rank_in_user),
                   'keep_as_base', arg_min(b.partnumber, b.rank_in_user),
                   'replace', list(json_object('sku', s.base_sku, 'with', s.attach_sku, 'saving', s.base_price - s.attach_price) ORDER BY s.base_sku)
                              FILTER (WHERE s.base_sku IS NOT NULL),
                   'monthly_saving', coalesce(sum(s.base_price - s.attach_price), 0),
                   'annual_saving', coalesce(sum(s.base_price - s.attach_price), 0) * 12,
                   'currency', any_value(b.currency)) AS evidence,
       NULL AS detail
FROM base b LEFT JOIN savings s ON s.userid = b.userid AND s.base_sku = b.partnumber
WHERE b.bases >= 2
GROUP BY b.userid
