-- What hangs on each asset whose original is missing or offline (DESIGN.md § What hangs on a
-- finding): one row per asset of $1 (an array of asset ids; no temporary table).
--   albums        album-asset rows of albums not deleted
--   faces         faces with "deletedAt" IS NULL (as in the counts)
--   people        the distinct named people (name <> '') among those faces, comma-separated ids
--   description   exif description <> ''
--   location      exif latitude and longitude both not null
--   favorite      "isFavorite"
--   tags          tag-asset rows
--   shared_links  shared-link-asset rows
--   stacked       the asset is in a stack
--   memories      memory-asset rows
SELECT
  asset.id,
  (SELECT count(*) FROM album_asset JOIN album ON album.id = album_asset."albumId"
    WHERE album_asset."assetId" = asset.id AND album."deletedAt" IS NULL) AS albums,
  (SELECT count(*) FROM asset_face
    WHERE asset_face."assetId" = asset.id AND asset_face."deletedAt" IS NULL) AS faces,
  (SELECT string_agg(DISTINCT person.id::text, ',') FROM asset_face JOIN person ON person.id = asset_face."personId"
    WHERE asset_face."assetId" = asset.id AND asset_face."deletedAt" IS NULL AND person.name <> '') AS people,
  coalesce(asset_exif.description <> '', false) AS description,
  asset_exif.latitude IS NOT NULL AND asset_exif.longitude IS NOT NULL AS location,
  asset."isFavorite" AS favorite,
  (SELECT count(*) FROM tag_asset WHERE tag_asset."assetId" = asset.id) AS tags,
  (SELECT count(*) FROM shared_link_asset WHERE shared_link_asset."assetId" = asset.id) AS shared_links,
  asset."stackId" IS NOT NULL AS stacked,
  (SELECT count(*) FROM memory_asset WHERE memory_asset."assetId" = asset.id) AS memories
FROM asset
LEFT JOIN asset_exif ON asset_exif."assetId" = asset.id
WHERE asset.id = ANY($1::uuid[]);
