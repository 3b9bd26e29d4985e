-- Variant for Immich v1.116 – v2.6 (no "checksumAlgorithm": external assets, "isExternal", are path-hashed, as the v2.7 back-fill decided).
-- Every asset's original file, in every state, with what the checks need: whether it is in the
-- trash ("deletedAt" set: trashed, offline or queued for deletion), offline, whether its status
-- is 'deleted' (queued for deletion), whether its checksum is a hash of the path ('sha1-path':
-- external libraries) rather than of the content, the checksum (20 bytes), and the file name at
-- upload or import; and when it was created and whether it is external, which keep the newest
-- uploads for restore-skew without a second scan (queries/newest-uploads.sql asks only when the
-- run of missing ones is longer than those kept). The size recorded at metadata extraction comes
-- apart (paths-sizes.sql): joining asset_exif here cost the server more than the scan.
--
-- The two enums are compared with their label as a value of the column's own type, found once
-- (none, and so false, if the type lacks it): turning each row's enum into text cost the server
-- a catalog lookup per row, and a plain literal would fail on a type without that label. The
-- checksum is sent as it is stored, not as hex text (BENCHMARKS.md, "The originals' COPY").
SELECT
  asset.id,
  asset."ownerId" AS owner_id,
  asset."libraryId" AS library_id,
  asset."originalPath" AS path,
  asset."deletedAt" IS NOT NULL AS trashed,
  asset."isOffline" AS offline,
  (asset.status = (
    SELECT label FROM unnest(enum_range((SELECT a.status FROM asset AS a LIMIT 0))) AS label
    WHERE label::text = 'deleted'
  )) IS TRUE AS deleted_status,
  asset."isExternal" AS path_hashed,
  asset.checksum,
  asset."originalFileName" AS file_name,
  asset."createdAt" AS created_at,
  asset."isExternal" AS external
FROM asset;
