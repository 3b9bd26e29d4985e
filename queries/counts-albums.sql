-- Album counts.
--   albums         albums with "deletedAt" IS NULL
--   albums.shared  of those, albums with at least one member besides the owner: an album_user row
--                  whose role is not 'owner' (before v3.0 the owner had no album_user row, so any
--                  row is a share). Shared only by a link is not shared.
--   album-assets   every album-asset membership row
SELECT
  count(*) FILTER (WHERE album."deletedAt" IS NULL) AS "albums",
  count(*) FILTER (WHERE album."deletedAt" IS NULL AND EXISTS (
    SELECT 1 FROM album_user
    WHERE album_user."albumId" = album.id AND album_user.role::text <> 'owner'
  )) AS "albums.shared",
  (SELECT count(*) FROM album_asset) AS "album-assets"
FROM album;
