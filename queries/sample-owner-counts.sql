-- Spot-check sample (DESIGN.md § Spot-check sample): how many assets not in the trash each
-- owner has, so the sample spreads over owners in proportion.
SELECT asset."ownerId" AS owner_id, count(*) AS assets
FROM asset
WHERE asset."deletedAt" IS NULL
GROUP BY asset."ownerId"
ORDER BY asset."ownerId";
