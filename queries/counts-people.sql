-- People counts.
--   people         every person row
--   people.named   name <> ''
--   people.hidden  "isHidden"
SELECT
  count(*) AS "people",
  count(*) FILTER (WHERE person.name <> '') AS "people.named",
  count(*) FILTER (WHERE person."isHidden") AS "people.hidden"
FROM person;
