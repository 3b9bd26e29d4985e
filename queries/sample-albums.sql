-- Spot-check sample: the $1 largest albums (not deleted) by their asset count, ties by id,
-- with the owner's e-mail (the album_user row whose role is owner, v3.0+).
SELECT
  album.id,
  album."albumName" AS name,
  (SELECT "user".email FROM album_user JOIN "user" ON "user".id = album_user."userId"
    WHERE album_user."albumId" = album.id AND album_user.role::text = 'owner' LIMIT 1) AS owner_email,
  (SELECT count(*) FROM album_asset WHERE album_asset."albumId" = album.id) AS assets
FROM album
WHERE album."deletedAt" IS NULL
ORDER BY assets DESC, album.id
LIMIT $1;
