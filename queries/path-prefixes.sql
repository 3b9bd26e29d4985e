-- How original paths begin: the first two path components of each asset's originalPath, with
-- how many assets use each, to tell relative `upload/…`, `/usr/src/app/upload/…`, `/data/…` and
-- external-library paths apart. Reads every asset row once.
SELECT
  CASE
    WHEN asset."originalPath" LIKE '/%' THEN substring(asset."originalPath" FROM '^(/[^/]*(/[^/]*)?)/')
    ELSE substring(asset."originalPath" FROM '^([^/]*(/[^/]*)?)/')
  END AS prefix,
  asset."isExternal" AS external,
  count(*) AS assets
FROM asset
GROUP BY 1, 2
ORDER BY 3 DESC, 1
LIMIT 20;
