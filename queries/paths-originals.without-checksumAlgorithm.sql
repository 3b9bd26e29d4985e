-- Variant for Immich v1.116 – v2.6 (no "checksumAlgorithm": external assets, "isExternal", are path-hashed, as the v2.7 back-fill decided).
-- Every asset's original file, in every state, with what the checks need: whether it is in the
-- trash ("deletedAt" set: trashed, offline or queued for deletion), offline, its status
-- ('active', 'trashed', 'deleted'), whether its checksum is a hash of the path ('sha1-path':
-- external libraries) rather than of the content, the checksum (hex), and the file name at
-- upload or import. The size recorded at metadata extraction comes apart (paths-sizes.sql):
-- joining asset_exif here cost the server more than the scan.
SELECT
  asset.id,
  asset."ownerId" AS owner_id,
  asset."libraryId" AS library_id,
  asset."originalPath" AS path,
  asset."deletedAt" IS NOT NULL AS trashed,
  asset."isOffline" AS offline,
  asset.status::text AS status,
  asset."isExternal" AS path_hashed,
  encode(asset.checksum, 'hex') AS checksum,
  asset."originalFileName" AS file_name
FROM asset;
