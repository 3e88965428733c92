-- The access vocabulary, defined once for the models, the rules, the
-- license model and the comparison of two runs (diff runs this file too).
-- Go's twin is vocab.Depths and vocab.GrantRank (vocab.go, beside this
-- file); TestSQLTwin holds the two to one table of masks.

-- the name of a depth rank: 0 team (a Basic grant of a team role whose
-- members do not inherit it), 1 basic, 2 local, 3 deep, 4 global
CREATE OR REPLACE MACRO depth_name(r) AS (['team', 'basic', 'local', 'deep', 'global'])[r + 1];

-- the depth rank of a privilegedepthmask: its broadest bit (8 global, 4
-- deep, 2 local, 1 basic); NULL for a mask with none of them
CREATE OR REPLACE MACRO mask_rank(mask) AS
    (CASE WHEN mask & 8 <> 0 THEN 4 WHEN mask & 4 <> 0 THEN 3 WHEN mask & 2 <> 0 THEN 2 WHEN mask & 1 <> 0 THEN 1 END)::TINYINT;

-- the depth rank of one grant held via 'direct' or 'team': a Basic grant
-- of a team role whose isinherited is 0 reaches only the records the team
-- owns (team); a missing isinherited is taken as 1 (dataverse-security.md
-- 2.3)
CREATE OR REPLACE MACRO grant_depth_rank(mask, via, isinherited) AS
    (CASE WHEN mask_rank(mask) = 1 AND via = 'team' AND coalesce(isinherited, 1) = 0 THEN 0
          ELSE mask_rank(mask) END)::TINYINT;
