-- Whether the audit's role could write to Immich's tables. The audit never writes (its one
-- transaction is READ ONLY), but a session can SET its way out of read-only mode, so a restore
-- drill should connect as a role that can only read: a superuser, or a role with INSERT, UPDATE
-- or DELETE on the asset table ($1: its name in this schema generation), gets a warning.
SELECT r.rolsuper::text, has_table_privilege($1::text, 'INSERT, UPDATE, DELETE')::text, current_user::text
FROM pg_roles r
WHERE r.rolname = current_user;
