-- The newest asset."createdAt" over every asset row, as in the counts manifest: the database's
-- restore point.
SELECT max(asset."createdAt") AS newest_created_at
FROM asset;
