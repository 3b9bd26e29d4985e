-- A few profile image paths ($1); '' means none.
SELECT "user".id, "user"."profileImagePath" AS path
FROM "user"
WHERE "user"."profileImagePath" <> ''
LIMIT $1;
