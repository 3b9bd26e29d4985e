-- Asset counts (DESIGN.md § Counts manifest), grouped by owner and library so one pass gives the
-- overall numbers, byOwner and byLibrary (each is a sum of these groups). No filter applies unless
-- a definition names one: trashed, offline, hidden (motion-photo parts) and locked assets count.
--   assets                   every asset row
--   assets.active            "deletedAt" IS NULL
--   assets.trashed           "deletedAt" IS NOT NULL (offline assets have deletedAt set, so count here)
--   assets.offline           "isOffline"
--   assets.images / .videos  type = 'IMAGE' / 'VIDEO'
--   assets.external          "isExternal"
--   assets.uploaded          NOT "isExternal" (a motion part of an external photo has a libraryId
--                            but is not external, so it counts here)
--   assets.archived          visibility = 'archive' (before v1.133: "isArchived")
--   assets.favorites         "isFavorite"
--   assets.with-description  exif description <> ''
--   assets.with-location     exif latitude and longitude both not null
--   newest_created_at        the newest asset."createdAt" (row creation: upload or import time)
SELECT
  asset."ownerId" AS owner_id,
  asset."libraryId" AS library_id,
  count(*) AS "assets",
  count(*) FILTER (WHERE asset."deletedAt" IS NULL) AS "assets.active",
  count(*) FILTER (WHERE asset."deletedAt" IS NOT NULL) AS "assets.trashed",
  count(*) FILTER (WHERE asset."isOffline") AS "assets.offline",
  count(*) FILTER (WHERE asset.type = 'IMAGE') AS "assets.images",
  count(*) FILTER (WHERE asset.type = 'VIDEO') AS "assets.videos",
  count(*) FILTER (WHERE asset."isExternal") AS "assets.external",
  count(*) FILTER (WHERE NOT asset."isExternal") AS "assets.uploaded",
  count(*) FILTER (WHERE asset.visibility = 'archive') AS "assets.archived",
  count(*) FILTER (WHERE asset."isFavorite") AS "assets.favorites",
  count(*) FILTER (WHERE asset_exif.description <> '') AS "assets.with-description",
  count(*) FILTER (WHERE asset_exif.latitude IS NOT NULL AND asset_exif.longitude IS NOT NULL) AS "assets.with-location",
  max(asset."createdAt") AS newest_created_at
FROM asset
LEFT JOIN asset_exif ON asset_exif."assetId" = asset.id
GROUP BY asset."ownerId", asset."libraryId";
