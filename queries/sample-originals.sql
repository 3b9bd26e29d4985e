-- A few original paths ($1 of them), newest first, with their asset and library ids, for `explain`.
SELECT asset.id, asset."originalPath" AS path, asset."libraryId" AS library_id
FROM asset
ORDER BY asset."createdAt" DESC, asset.id
LIMIT $1;
