-- Every person's face thumbnail ('' means none), with the person's owner.
SELECT person.id, person."ownerId" AS owner_id, person."thumbnailPath" AS path
FROM person
WHERE person."thumbnailPath" <> '';
