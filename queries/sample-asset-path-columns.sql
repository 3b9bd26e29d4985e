-- A few paths ($1 of each kind) from the path columns older Immich kept on the asset row:
-- previewPath and thumbnailPath (before v1.113), sidecarPath (before v2.4), encodedVideoPath
-- (before v2.6). Written for sidecarPath; the tool runs it once per such column the database has,
-- with that column's name in place of sidecarPath. "none" is NULL or ''.
SELECT 'sidecarPath' AS kind, asset.id, asset."sidecarPath" AS path
FROM asset
WHERE asset."sidecarPath" IS NOT NULL AND asset."sidecarPath" <> ''
LIMIT $1;
