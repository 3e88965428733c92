-- teamMembershipChangesQuery: (systemuserid, team label, joined) for each
-- team membership in one run only; the label names the kind of a team that
-- is not an owner team.
WITH t AS (
    SELECT coalesce(n.teamid, o.teamid) AS teamid, coalesce(n.name, o.name) AS name,
           coalesce(n.teamtype, o.teamtype) AS teamtype
    FROM old.teams o FULL OUTER JOIN new.teams n ON n.teamid = o.teamid
)
SELECT coalesce(n.systemuserid, o.systemuserid),
       t.name || CASE t.teamtype WHEN 1 THEN ' (access team)' WHEN 2 THEN ' (Entra group)' WHEN 3 THEN ' (Microsoft 365 group)' ELSE '' END,
       o.systemuserid IS NULL
FROM old.teammemberships o
FULL OUTER JOIN new.teammemberships n ON n.systemuserid = o.systemuserid AND n.teamid = o.teamid
JOIN t ON t.teamid = coalesce(n.teamid, o.teamid)
WHERE o.systemuserid IS NULL OR n.systemuserid IS NULL
