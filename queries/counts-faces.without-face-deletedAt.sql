-- Variant for databases before Immich v1.127 (faces had no "deletedAt": every row counts).
-- Face counts ("isVisible" is ignored).
--   faces           every face row
--   faces.assigned  of those, "personId" IS NOT NULL
SELECT
  count(*) AS "faces",
  count(*) FILTER (WHERE asset_face."personId" IS NOT NULL) AS "faces.assigned"
FROM asset_face;
