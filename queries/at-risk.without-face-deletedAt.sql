-- Variant for databases before Immich v1.127 (faces had no "deletedAt": every row counts).
-- What hangs on each asset whose original is missing or offline (DESIGN.md § What hangs on a
-- finding): one row per asset of $1 (an array of distinct asset ids; no temporary table). The
-- array is unnested into a relation, which the planner sizes from the array itself: a few ids
-- are looked up through the join tables' asset indexes, most of the library is hash-joined
-- against one pass over each table. (A hashed `= ANY($1)` filter instead cost the planner a
-- selectivity estimate per element, and the executor a whole pass per statement.)
--   albums        album-asset rows of albums not deleted
--   faces         every face row (as in the counts)
--   people        the named people (name <> '') of those faces, comma-separated ids, one per face:
--                 the client counts each person once (DISTINCT here sorted every asset's faces)
--   description   exif description <> ''
--   location      exif latitude and longitude both not null
--   favorite      "isFavorite"
--   tags          tag-asset rows
--   shared_links  shared-link-asset rows
--   stacked       the asset is in a stack
--   memories      memory-asset rows
WITH concerned AS (
  SELECT unnest($1::uuid[]) AS id
), in_albums AS (
  SELECT album_asset."assetId" AS asset_id, count(*) AS n
  FROM concerned JOIN album_asset ON album_asset."assetId" = concerned.id
  JOIN album ON album.id = album_asset."albumId"
  WHERE album."deletedAt" IS NULL
  GROUP BY album_asset."assetId"
), with_faces AS (
  SELECT asset_face."assetId" AS asset_id, count(*) AS n,
    string_agg(person.id::text, ',') FILTER (WHERE person.name <> '') AS people
  FROM concerned JOIN asset_face ON asset_face."assetId" = concerned.id
  LEFT JOIN person ON person.id = asset_face."personId"
  GROUP BY asset_face."assetId"
), with_tags AS (
  SELECT tag_asset."assetId" AS asset_id, count(*) AS n
  FROM concerned JOIN tag_asset ON tag_asset."assetId" = concerned.id GROUP BY tag_asset."assetId"
), in_shared_links AS (
  SELECT shared_link_asset."assetId" AS asset_id, count(*) AS n
  FROM concerned JOIN shared_link_asset ON shared_link_asset."assetId" = concerned.id
  GROUP BY shared_link_asset."assetId"
), in_memories AS (
  SELECT memory_asset."assetId" AS asset_id, count(*) AS n
  FROM concerned JOIN memory_asset ON memory_asset."assetId" = concerned.id GROUP BY memory_asset."assetId"
)
SELECT
  asset.id,
  coalesce(in_albums.n, 0) AS albums,
  coalesce(with_faces.n, 0) AS faces,
  with_faces.people,
  coalesce(asset_exif.description <> '', false) AS description,
  asset_exif.latitude IS NOT NULL AND asset_exif.longitude IS NOT NULL AS location,
  asset."isFavorite" AS favorite,
  coalesce(with_tags.n, 0) AS tags,
  coalesce(in_shared_links.n, 0) AS shared_links,
  asset."stackId" IS NOT NULL AS stacked,
  coalesce(in_memories.n, 0) AS memories
FROM concerned
JOIN asset ON asset.id = concerned.id
LEFT JOIN asset_exif ON asset_exif."assetId" = asset.id
LEFT JOIN in_albums ON in_albums.asset_id = asset.id
LEFT JOIN with_faces ON with_faces.asset_id = asset.id
LEFT JOIN with_tags ON with_tags.asset_id = asset.id
LEFT JOIN in_shared_links ON in_shared_links.asset_id = asset.id
LEFT JOIN in_memories ON in_memories.asset_id = asset.id;
