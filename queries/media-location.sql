-- The media location Immich wrote its paths with (system_metadata key MediaLocation, v1.136+).
SELECT system_metadata.value ->> 'location' AS location
FROM system_metadata
WHERE system_metadata.key = 'MediaLocation';
