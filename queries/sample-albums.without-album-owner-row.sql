-- Variant for databases before Immich v3.0 (the album's owner is album."ownerId").
-- Spot-check sample: the $1 largest albums (not deleted) by their asset count, ties by id,
-- with the owner's e-mail.
SELECT
  album.id,
  album."albumName" AS name,
  (SELECT "user".email FROM "user" WHERE "user".id = album."ownerId") AS owner_email,
  (SELECT count(*) FROM album_asset WHERE album_asset."albumId" = album.id) AS assets
FROM album
WHERE album."deletedAt" IS NULL
ORDER BY assets DESC, album.id
LIMIT $1;
