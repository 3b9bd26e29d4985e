import AuditCore

/// Opens a read-only session the way the executable does (same defaults: application_name,
/// connect_timeout), for tests that look inside it.
func openSession(_ conninfo: String) throws -> ImmichDatabase {
  try ImmichDatabase.open(ConnectionConfiguration(database: conninfo, immichEnv: nil, environment: [:]).parameters())
}
