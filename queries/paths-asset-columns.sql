-- Every path kept in a column of the asset row by older Immich: previewPath and thumbnailPath
-- (before v1.113), sidecarPath (before v2.4), encodedVideoPath (before v2.6). Written for
-- sidecarPath; the tool runs it once per such column the database has, with that column's name
-- in place of sidecarPath. "None" is NULL or ''.
SELECT asset.id AS asset_id, asset."ownerId" AS owner_id, asset."sidecarPath" AS path
FROM asset
WHERE asset."sidecarPath" IS NOT NULL AND asset."sidecarPath" <> '';
