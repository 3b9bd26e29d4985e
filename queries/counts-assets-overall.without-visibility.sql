-- Variant for databases before Immich v1.133 (no visibility column: "isArchived").
-- Asset counts over all assets, for `check`, whose report has the overall numbers only (no
-- byOwner, no byLibrary): the definitions of queries/counts-assets.sql, which `counts` runs, in
-- two plain scans instead of one join. The exif counts read asset_exif alone; that is the same
-- number, since "assetId" is asset_exif's primary key and references asset.id (each exif row
-- belongs to exactly one asset). Joining the two tables cost the server about 3 times as much
-- at a million assets.
--   assets                   every asset row
--   assets.active            "deletedAt" IS NULL
--   assets.trashed           "deletedAt" IS NOT NULL (offline assets have deletedAt set, so count here)
--   assets.offline           "isOffline"
--   assets.images / .videos  type = 'IMAGE' / 'VIDEO'
--   assets.external          "isExternal"
--   assets.uploaded          NOT "isExternal"
--   assets.archived          visibility = 'archive' (before v1.133: "isArchived")
--   assets.favorites         "isFavorite"
--   assets.with-description  exif description <> ''
--   assets.with-location     exif latitude and longitude both not null
--   newest_created_at        the newest asset."createdAt" (not a count: the restore point, read in the same scan)
SELECT assets.*, exif.*
FROM (
  SELECT
    count(*) AS "assets",
    count(*) FILTER (WHERE asset."deletedAt" IS NULL) AS "assets.active",
    count(*) FILTER (WHERE asset."deletedAt" IS NOT NULL) AS "assets.trashed",
    count(*) FILTER (WHERE asset."isOffline") AS "assets.offline",
    count(*) FILTER (WHERE asset.type = 'IMAGE') AS "assets.images",
    count(*) FILTER (WHERE asset.type = 'VIDEO') AS "assets.videos",
    count(*) FILTER (WHERE asset."isExternal") AS "assets.external",
    count(*) FILTER (WHERE NOT asset."isExternal") AS "assets.uploaded",
    count(*) FILTER (WHERE asset."isArchived") AS "assets.archived",
    count(*) FILTER (WHERE asset."isFavorite") AS "assets.favorites",
    max(asset."createdAt") AS newest_created_at
  FROM asset
) AS assets, (
  SELECT
    count(*) FILTER (WHERE asset_exif.description <> '') AS "assets.with-description",
    count(*) FILTER (WHERE asset_exif.latitude IS NOT NULL AND asset_exif.longitude IS NOT NULL) AS "assets.with-location"
  FROM asset_exif
) AS exif;
