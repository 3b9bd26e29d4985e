-- A few derivative and sidecar paths ($1 of each type) from asset_file (Immich v1.113+):
-- preview, thumbnail, fullsize, sidecar (v2.4+), encoded_video (v2.6+).
SELECT types.type AS kind, files."assetId" AS id, files.path
FROM (VALUES ('preview'), ('thumbnail'), ('fullsize'), ('sidecar'), ('encoded_video')) AS types (type)
CROSS JOIN LATERAL (
  SELECT asset_file."assetId", asset_file.path
  FROM asset_file
  WHERE asset_file.type::text = types.type
  LIMIT $1
) AS files;
