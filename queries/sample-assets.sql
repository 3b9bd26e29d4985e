-- Spot-check sample: each owner's first assets not in the trash in the order of a hash of
-- their id and the seed ($1): the same seed draws the same assets, without random(). $2 and
-- $3 are the owners and how many of each to draw (arrays, as `sample` spreads N over owners).
-- For each: its owner's e-mail, original path, the albums (not deleted) it is in, the named
-- people (not hidden) on it (faces not deleted), description, location and favorite.
WITH quota AS (
  SELECT * FROM unnest($2::uuid[], $3::int[]) AS quota(owner_id, assets)
), drawn AS (
  SELECT asset.id, asset."ownerId" AS owner_id,
    row_number() OVER (PARTITION BY asset."ownerId" ORDER BY md5(asset.id::text || ':' || $1), asset.id) AS rank
  FROM asset
  WHERE asset."deletedAt" IS NULL
)
SELECT
  asset.id,
  asset."ownerId" AS owner_id,
  (SELECT "user".email FROM "user" WHERE "user".id = asset."ownerId") AS owner_email,
  asset."originalPath" AS path,
  (SELECT string_agg(album."albumName", E'\n' ORDER BY album."albumName") FROM album_asset
    JOIN album ON album.id = album_asset."albumId"
    WHERE album_asset."assetId" = asset.id AND album."deletedAt" IS NULL) AS albums,
  (SELECT string_agg(DISTINCT person.name, E'\n') FROM asset_face JOIN person ON person.id = asset_face."personId"
    WHERE asset_face."assetId" = asset.id AND asset_face."deletedAt" IS NULL AND person.name <> ''
      AND NOT person."isHidden") AS people,
  asset_exif.description,
  asset_exif.latitude,
  asset_exif.longitude,
  asset."isFavorite" AS favorite,
  drawn.rank
FROM drawn
JOIN quota ON quota.owner_id = drawn.owner_id AND drawn.rank <= quota.assets
JOIN asset ON asset.id = drawn.id
LEFT JOIN asset_exif ON asset_exif."assetId" = asset.id
ORDER BY md5(asset.id::text || ':' || $1), asset.id;
