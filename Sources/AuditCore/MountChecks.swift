import PostgresClient

/// Immich's mount checks (v1.115+): at every start Immich reads the `.immich` marker of each
/// media folder whose check `system-flags` records, and refuses to start when it cannot.
extension ImmichDatabase {
  /// The media folders whose mount check is recorded (`mountChecks.<folder>` true); empty
  /// before v1.115, which neither writes markers nor checks them, whatever the table holds.
  public func mountChecks() throws(AuditError) -> Set<String> {
    guard schema.hasMediaLocation, checksMountMarkers else { return [] }
    return Set(try rows("system-flags").compactMap { $0[0] })
  }

  /// Whether this generation checks markers: v1.116's `status` column says v1.115 or newer
  /// on its own; the version history says so for a v1.115 database.
  var checksMountMarkers: Bool {
    if schema.hasStatus { return true }
    guard let release = description.immichVersion.flatMap(Self.release) else { return false }
    return release >= (1, 115)
  }
}
