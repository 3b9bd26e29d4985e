-- Every user's profile image ('' means none).
SELECT "user".id, "user".id AS owner_id, "user"."profileImagePath" AS path
FROM "user"
WHERE "user"."profileImagePath" <> '';
