-- A few person thumbnail paths ($1); '' means none.
SELECT person.id, person."thumbnailPath" AS path
FROM person
WHERE person."thumbnailPath" <> ''
LIMIT $1;
