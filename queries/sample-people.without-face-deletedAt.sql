-- Variant for databases before Immich v1.127 (faces had no "deletedAt": every face counts).
-- Spot-check sample: the $1 people with the most faces, ties by id, with
-- their name ('' when unnamed), whether hidden, and the owner's e-mail.
SELECT
  person.id,
  person.name,
  person."isHidden" AS hidden,
  (SELECT "user".email FROM "user" WHERE "user".id = person."ownerId") AS owner_email,
  (SELECT count(*) FROM asset_face WHERE asset_face."personId" = person.id) AS faces
FROM person
ORDER BY faces DESC, person.id
LIMIT $1;
