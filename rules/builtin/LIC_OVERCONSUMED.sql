-- id: LIC_OVERCONSUMED
-- title: A subscription is over-consumed, or suspended while still in use
-- severity: high
-- rationale: >
--   More seats in use than purchased breaks the license terms; a subscription in the Suspended or
--   Warning state that still has consumed seats will stop working for those users. Both are license
--   compliance problems an auditor must see. Locked-out units (a cancelled subscription) are not
--   available: consumption beyond enabled minus locked-out units is over-consumption.
-- remediation: >
--   Buy the missing seats or remove licenses from users who do not need them; for a suspended or
--   warning subscription, renew it or move its users to an active one before access is lost.
-- references:
--   - https://learn.microsoft.com/graph/api/resources/subscribedsku
--   - https://learn.microsoft.com/microsoft-365/commerce/subscriptions/what-if-my-subscription-expires
-- needs: [graph_subscribedskus]
-- scope: tenant
SELECT 'sku' AS subject_type, s.skuid AS subject_id, s.partnumber AS subject_name, '' AS businessunit,
       CASE WHEN s.over > 0
            THEN s.partnumber || ' is over-consumed: ' || s.consumed || ' seats in use, '
                 || CASE WHEN s.lockedout > 0 THEN s.available || ' available (' || s.enabled || ' enabled, ' || s.lockedout || ' locked out)'
                         ELSE s.enabled || ' enabled' END
            ELSE s.partnumber || ' is ' || s.capabilitystatus || ' and still has ' || s.consumed || ' seats in use' END
         || CASE WHEN s.over > 0 AND s.capabilitystatus IN ('Suspended', 'Warning')
                 THEN ' (subscription ' || s.capabilitystatus || ')' ELSE '' END AS message,
       json_object('product', s.productname, 'status', s.capabilitystatus, 'enabled', s.enabled, 'consumed', s.consumed,
                   'suspended', s.suspended, 'warning', s.warning, 'locked_out', s.lockedout,
                   'available', s.available, 'over', s.over) AS evidence,
       NULL AS detail
FROM license_skus s
WHERE s.subscribed AND NOT s.capacity AND (s.over > 0
      OR (s.consumed > 0 AND (s.capabilitystatus IN ('Suspended', 'Warning', 'LockedOut') OR s.suspended > 0 OR s.warning > 0)))
