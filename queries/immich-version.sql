-- The newest Immich server version that booted against this database: the newest row of
-- version_history (the table exists from Immich v1.117).
SELECT version_history.version
FROM version_history
ORDER BY version_history."createdAt" DESC
LIMIT 1;
