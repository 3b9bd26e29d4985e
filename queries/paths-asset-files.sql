-- Every derived and auxiliary file recorded as an asset_file row (Immich v1.113+): type
-- 'preview', 'thumbnail', 'fullsize' (v1.131+), 'sidecar' (v2.4+), 'encoded_video' (v2.6+),
-- edited renditions included (v2.5+). No join: the asset's owner is known from its original
-- (queries/paths-originals.sql), and a join of millions of rows costs the server more than
-- the whole scan; owner_id is NULL to keep the column layout of the other path queries.
SELECT asset_file."assetId" AS asset_id, NULL::uuid AS owner_id, asset_file.type::text AS type, asset_file.path
FROM asset_file;
