-- External libraries: import paths and exclusion patterns as JSON arrays (exact strings, no
-- array-literal quoting to undo), whether the library is deleted (soft delete, deletedAt).
SELECT
  library.id,
  library.name,
  library."ownerId",
  array_to_json(library."importPaths")::text AS import_paths,
  array_to_json(library."exclusionPatterns")::text AS exclusion_patterns,
  library."deletedAt" IS NOT NULL AS deleted
FROM library
ORDER BY library.name, library.id;
