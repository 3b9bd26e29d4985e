-- Spot-check sample: the $1 people with the most faces (faces not deleted), ties by id, with
-- their name ('' when unnamed), whether hidden, and the owner's e-mail.
SELECT
  person.id,
  person.name,
  person."isHidden" AS hidden,
  (SELECT "user".email FROM "user" WHERE "user".id = person."ownerId") AS owner_email,
  (SELECT count(*) FROM asset_face WHERE asset_face."personId" = person.id AND asset_face."deletedAt" IS NULL) AS faces
FROM person
ORDER BY faces DESC, person.id
LIMIT $1;
