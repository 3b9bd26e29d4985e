-- The newest uploaded assets (not external, not in the trash), newest first, as DESIGN.md's
-- restore point orders them: "createdAt" (row creation: upload time), then id. $1 caps the
-- rows: the run of newest assets without an original cannot be longer than the number of
-- missing originals, so the audit asks for one more than that.
SELECT
  asset.id,
  asset."ownerId" AS owner_id,
  asset."createdAt" AS created_at
FROM asset
WHERE NOT asset."isExternal" AND asset."deletedAt" IS NULL
ORDER BY asset."createdAt" DESC, asset.id DESC
LIMIT $1;
