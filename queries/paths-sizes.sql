-- The size of each asset's original as recorded at metadata extraction (NULL or no row: no size
-- check), streamed apart from queries/paths-originals.sql and matched to it by asset id on the
-- client: a plain scan, where joining it to the originals cost the server a hash join of
-- millions of rows.
SELECT asset_exif."assetId" AS asset_id, asset_exif."fileSizeInByte" AS size
FROM asset_exif
WHERE asset_exif."fileSizeInByte" IS NOT NULL;
