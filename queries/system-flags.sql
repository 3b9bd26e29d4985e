-- The media folders whose mount check Immich has enabled (system_metadata key system-flags,
-- v1.115+): at every start Immich reads each such folder's .immich marker and refuses to start
-- when it cannot (unless IMMICH_IGNORE_MOUNT_CHECK_ERRORS is true).
SELECT mount_check.key AS folder
FROM system_metadata,
  jsonb_each(
    CASE WHEN jsonb_typeof(system_metadata.value -> 'mountChecks') = 'object'
      THEN system_metadata.value -> 'mountChecks' ELSE '{}'::jsonb END
  ) AS mount_check
WHERE system_metadata.key = 'system-flags' AND mount_check.value = 'true'::jsonb
ORDER BY mount_check.key;
