-- Face counts ("isVisible" is ignored).
--   faces           faces with "deletedAt" IS NULL
--   faces.assigned  of those, "personId" IS NOT NULL
SELECT
  count(*) AS "faces",
  count(*) FILTER (WHERE asset_face."personId" IS NOT NULL) AS "faces.assigned"
FROM asset_face
WHERE asset_face."deletedAt" IS NULL;
