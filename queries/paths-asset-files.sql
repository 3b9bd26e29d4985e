-- Every derived and auxiliary file recorded as an asset_file row (Immich v1.113+): type
-- 'preview', 'thumbnail', 'fullsize' (v1.131+), 'sidecar' (v2.4+), 'encoded_video' (v2.6+),
-- edited renditions included (v2.5+), with the asset's owner.
SELECT asset_file."assetId" AS asset_id, asset."ownerId" AS owner_id, asset_file.type::text AS type, asset_file.path
FROM asset_file
JOIN asset ON asset.id = asset_file."assetId";
