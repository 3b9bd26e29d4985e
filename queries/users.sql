-- Users (every row, deleted ones too, so a manifest can name every asset owner).
SELECT "user".id, "user".email, "user"."deletedAt" IS NOT NULL AS deleted
FROM "user"
ORDER BY "user".email, "user".id;
