-- Other counts.
--   tags          every tag row
--   tag-assets    every tag-asset row
--   stacks        every stack row
--   memories      every memory row
--   shared-links  every shared link row
--   users         users with "deletedAt" IS NULL
--   libraries     libraries with "deletedAt" IS NULL
SELECT
  (SELECT count(*) FROM tag) AS "tags",
  (SELECT count(*) FROM tag_asset) AS "tag-assets",
  (SELECT count(*) FROM stack) AS "stacks",
  (SELECT count(*) FROM memory) AS "memories",
  (SELECT count(*) FROM shared_link) AS "shared-links",
  (SELECT count(*) FROM "user" WHERE "user"."deletedAt" IS NULL) AS "users",
  (SELECT count(*) FROM library WHERE library."deletedAt" IS NULL) AS "libraries";
