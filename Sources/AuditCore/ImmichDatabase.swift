import Foundation
import PostgresClient

/// A read-only session on a restored Immich database.
///
/// Read-only by construction: `default_transaction_read_only` is switched on before anything
/// else, and every statement runs inside one `REPEATABLE READ READ ONLY` transaction, so all
/// counts and paths come from one snapshot and no statement can write. (The real guarantee is a
/// role that can only read: README.md shows the one to create.)
public final class ImmichDatabase {
  let connection: Connection
  public let schema: ImmichSchema
  public let queries: QueryCatalog
  public let description: DatabaseDescription
  public let canceller: Canceller?
  /// Every statement run so far, by query file name, as sent (for `explain --sql`).
  public internal(set) var executed: [(name: String, sql: String)] = []
  /// `newestAssetCreatedAt()`, once known (nil: not read yet).
  var newestCreatedAt: String??
  /// Warnings for stderr: a schema that mixes eras, an Immich newer than this tool knows.
  public private(set) var warnings: [String] = []

  public struct Settings: Sendable {
    public var statementTimeout: String?
    public var lockTimeout: String?
    public init(statementTimeout: String? = nil, lockTimeout: String? = nil) {
      self.statementTimeout = statementTimeout
      self.lockTimeout = lockTimeout
    }
  }

  /// The newest Immich release whose schema this tool knows.
  public static let newestKnownRelease = (major: 3, minor: 1)

  public static func open(
    _ parameters: ConnectionParameters, settings: Settings = Settings(), onConnected: (Canceller?) -> Void = { _ in }
  ) throws(AuditError) -> ImmichDatabase {
    let connection: Connection
    do {
      connection = try Connection.connect(parameters)
    } catch {
      throw AuditError.connection(error, parameters: parameters)
    }
    let canceller = connection.canceller()
    onConnected(canceller)
    do {
      try connection.query("SET default_transaction_read_only = on")
      try connection.query("SET TimeZone = 'UTC'")
      try connection.query("SET DateStyle = 'ISO'")
      if let timeout = settings.statementTimeout {
        try connection.query("SELECT set_config('statement_timeout', $1, false)", [timeout])
      }
      if let timeout = settings.lockTimeout {
        try connection.query("SELECT set_config('lock_timeout', $1, false)", [timeout])
      }
      try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    } catch {
      throw AuditError.database(error, during: "setting up the read-only session")
    }
    let catalog: [(table: String, column: String)]
    do {
      catalog = try connection.query(QueryCatalog.catalogSQL).map { ($0[0] ?? "", $0[1] ?? "") }
    } catch {
      throw AuditError.database(error, during: "reading the catalog")
    }
    let schema: ImmichSchema
    do {
      schema = try ImmichSchema.detect(catalog: catalog)
    } catch {
      throw AuditError.unsupportedSchema(error.description)
    }
    let queries = QueryCatalog(schema: schema)
    var immichVersion: String?
    if schema.hasVersionHistory {
      do {
        immichVersion = try connection.query(queries.sql("immich-version")).first?[0]
      } catch {
        throw AuditError.database(error, during: "reading version_history")
      }
    }
    // The target as libpq resolved it (environment and service file included), secrets never shown.
    let effective = connection.effectiveParameters
    let target = ConnectionParameters(
      ["host", "hostaddr", "port", "user", "dbname"].compactMap { key in
        effective[key].flatMap { $0.isEmpty ? nil : (key, $0) }
      })
    let description = DatabaseDescription(
      target: target.redactedDescription,
      serverVersion: connection.serverVersion.split(separator: " ").first.map(String.init) ?? "unknown",
      immichVersion: immichVersion, schema: schema.generation)
    let database = ImmichDatabase(
      connection: connection, schema: schema, queries: queries, description: description, canceller: canceller)
    database.executed.append(("schema-catalog", QueryCatalog.catalogSQL))
    if schema.hasVersionHistory { database.executed.append(("immich-version", queries.sql("immich-version"))) }
    database.warnings = schema.warnings
    let assetTable = schema.pluralNames ? "assets" : "asset"
    do {
      if let row = try connection.query(queries.sql("role-privileges"), [assetTable]).first {
        database.executed.append(("role-privileges", queries.sql("role-privileges")))
        let role = row[2] ?? "?"
        let power =
          row[0] == "true" ? "is a superuser" : row[1] == "true" ? "may INSERT, UPDATE or DELETE on \(assetTable)" : nil
        if let power {
          database.warnings.append(
            "role \(role) \(power): this run stays read-only (one READ ONLY transaction), but a restore drill should "
              + "connect as a role that can only read (CREATE ROLE immich_audit LOGIN; GRANT pg_read_all_data TO "
              + "immich_audit; see README, Read-only guarantee)"
          )
        }
      }
    } catch {
      throw AuditError.database(error, during: "reading the role's privileges")
    }
    if let version = immichVersion, Self.isNewerThanKnown(version) {
      database.warnings.append(
        "Immich \(version) is newer than the newest release this immich-audit knows "
          + "(v\(newestKnownRelease.major).\(newestKnownRelease.minor)); its schema has the structure of "
          + "\(schema.generation), so the audit goes on: check for a newer immich-audit"
      )
    }
    return database
  }

  private init(
    connection: Connection, schema: ImmichSchema, queries: QueryCatalog, description: DatabaseDescription,
    canceller: Canceller?
  ) {
    self.connection = connection
    self.schema = schema
    self.queries = queries
    self.description = description
    self.canceller = canceller
  }

  static func isNewerThanKnown(_ version: String) -> Bool {
    guard let release = release(version) else { return false }
    return release > (newestKnownRelease.major, newestKnownRelease.minor)
  }

  /// A `version_history` version's major and minor number ("v1.115.0", "3.1.0"); nil if unreadable.
  static func release(_ version: String) -> (major: Int, minor: Int)? {
    let parts = version.trimmingCharacters(in: CharacterSet(charactersIn: "v")).split(separator: ".").map {
      Int($0.prefix { $0.isNumber }) ?? 0
    }
    return parts.count >= 2 ? (parts[0], parts[1]) : nil
  }

  /// Streams query file `name` (chosen and renamed for this schema), recording the statement for
  /// `explain --sql` and phrasing a failure for the user.
  func stream(
    _ name: String, _ parameters: [String?] = [], substituting replacements: [String: String] = [:],
    _ body: (RowView) throws -> Void
  ) throws(AuditError) {
    let sql = queries.sql(name, substituting: replacements)
    executed.append(
      (replacements.isEmpty ? name : "\(name) (\(replacements.values.sorted().joined(separator: ", ")))", sql))
    do {
      try connection.stream(sql, parameters, body)
    } catch {
      throw AuditError.database(error, during: "running queries/\(name).sql")
    }
  }

  /// Streams query file `name` through a binary COPY (`Connection.copyStream`): for the path
  /// queries of millions of rows.
  func copyStream(_ name: String, substituting replacements: [String: String] = [:], _ body: (RowView) throws -> Void)
    throws(AuditError)
  {
    let sql = queries.sql(name, substituting: replacements)
    executed.append(
      (replacements.isEmpty ? name : "\(name) (\(replacements.values.sorted().joined(separator: ", ")))", sql))
    do {
      try connection.copyStream(sql, body)
    } catch {
      throw AuditError.database(error, during: "running queries/\(name).sql")
    }
  }

  /// Runs query file `name` and returns its (few) rows.
  func rows(_ name: String, _ parameters: [String?] = [], substituting replacements: [String: String] = [:])
    throws(AuditError) -> [Row]
  {
    var rows: [Row] = []
    try stream(name, parameters, substituting: replacements) { rows.append(Row(copying: $0)) }
    return rows
  }

  /// Ends the read-only transaction.
  public func close() {
    _ = try? connection.query("COMMIT")
  }

  // MARK: - Counts

  public func countsManifest() throws(AuditError) -> CountsManifest {
    let takenAt = Timestamp.now()
    var overall = Counts()
    var owners: [String: (counts: Counts, newest: String?)] = [:]
    var libraries: [String: Counts] = [:]
    var newest: String?
    for row in try rows("counts-assets") {
      let owner = row[0] ?? ""
      let library = row[1] ?? "upload"
      var counts = Counts()
      for (offset, key) in CountKey.assets.enumerated() { counts[key] = row.int(2 + offset) ?? 0 }
      let groupNewest = row[2 + CountKey.assets.count].map(Timestamp.fromPostgres)
      overall.add(counts)
      owners[owner, default: (Counts.zero(CountKey.assets), nil)].counts.add(counts)
      owners[owner]!.newest = Self.later(owners[owner]!.newest, groupNewest)
      libraries[library, default: Counts.zero(CountKey.assets)].add(counts)
      newest = Self.later(newest, groupNewest)
    }
    if overall.entries.isEmpty { overall = Counts.zero(CountKey.assets) }
    try addKeyedCounts(["counts-albums", "counts-people", "counts-faces", "counts-other"], to: &overall)
    var byOwner: [CountsManifest.Owner] = []
    var seenOwners = Set<String>()
    for user in try rows("users") {
      let id = user[0] ?? ""
      seenOwners.insert(id)
      let entry = owners[id]
      byOwner.append(
        .init(
          id: id, email: user[1], counts: entry?.counts ?? Counts.zero(CountKey.assets),
          newestAssetCreatedAt: entry?.newest))
    }
    for id in owners.keys.sorted() where !seenOwners.contains(id) {
      byOwner.append(.init(id: id, email: nil, counts: owners[id]!.counts, newestAssetCreatedAt: owners[id]!.newest))
    }
    var byLibrary: [CountsManifest.Library] = []
    if let uploads = libraries["upload"] {
      byLibrary.append(.init(id: "upload", name: nil, counts: uploads))
    } else {
      byLibrary.append(.init(id: "upload", name: nil, counts: Counts.zero(CountKey.assets)))
    }
    var seenLibraries: Set<String> = ["upload"]
    for library in try rows("libraries") {
      let id = library[0] ?? ""
      seenLibraries.insert(id)
      byLibrary.append(.init(id: id, name: library[1], counts: libraries[id] ?? Counts.zero(CountKey.assets)))
    }
    for id in libraries.keys.sorted() where !seenLibraries.contains(id) {
      byLibrary.append(.init(id: id, name: nil, counts: libraries[id]!))
    }
    var ordered = Counts()
    for key in CountKey.all { ordered[key] = overall[key] ?? 0 }
    return CountsManifest(
      takenAt: takenAt, database: description, counts: ordered, byOwner: byOwner, byLibrary: byLibrary,
      newestAssetCreatedAt: newest)
  }

  /// The overall counts alone (every key, in report order), as `check` reports them: the
  /// manifest's numbers without grouping the assets by owner and library, which lets the
  /// server count assets and exif rows apart instead of joining them (queries/counts-assets-overall.sql).
  public func overallCounts() throws(AuditError) -> Counts {
    var overall = Counts()
    for row in try rows("counts-assets-overall") {
      for (index, key) in row.columnNames.enumerated() {
        if key == "newest_created_at" {
          newestCreatedAt = .some(row[index].map(Timestamp.fromPostgres))
        } else {
          overall[key] = row.int(index) ?? 0
        }
      }
    }
    try addKeyedCounts(
      ["counts-albums", "counts-people", "counts-faces", "counts-other"], to: &overall)
    var ordered = Counts()
    for key in CountKey.all { ordered[key] = overall[key] ?? 0 }
    return ordered
  }

  /// Runs one-row count queries whose column names are the count keys.
  private func addKeyedCounts(_ names: [String], to counts: inout Counts) throws(AuditError) {
    for name in names {
      for row in try rows(name) {
        for (index, key) in row.columnNames.enumerated() { counts[key] = row.int(index) ?? 0 }
      }
    }
  }

  /// The newest `asset.createdAt` of any row (ISO-8601, UTC; nil without assets): read with the
  /// overall counts when they ran (the same scan), else on its own.
  public func newestAssetCreatedAt() throws(AuditError) -> String? {
    if let newestCreatedAt { return newestCreatedAt }
    let newest = try rows("newest-asset").first?[0].map(Timestamp.fromPostgres)
    newestCreatedAt = .some(newest)
    return newest
  }

  static func later(_ a: String?, _ b: String?) -> String? {
    guard let a else { return b }
    guard let b else { return a }
    // Same format from the same server: ISO strings in UTC compare in time order when their
    // fractional parts have the same length; compare as dates to be safe.
    if let da = Timestamp.parse(a), let db = Timestamp.parse(b) { return da >= db ? a : b }
    return max(a, b)
  }
}

extension Counts {
  static func zero(_ keys: [String]) -> Counts { Counts(keys.map { ($0, 0) }) }
}

/// Why an audit could not run (exit 2), phrased for the user.
public struct AuditError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public let postgresCode: PostgresError.Code?

  public init(_ description: String, postgresCode: PostgresError.Code? = nil) {
    self.description = description
    self.postgresCode = postgresCode
  }

  public static func unsupportedSchema(_ message: String) -> AuditError {
    AuditError("unsupported database: \(message)")
  }

  static func connection(_ error: PostgresError, parameters: ConnectionParameters) -> AuditError {
    let detail = Self.firstLine(error.message)
    let message: String
    switch error.code {
    case .connectionRefused:
      message =
        "could not connect to the database server: \(detail). Check the host and port (--db, PGHOST/PGPORT, or "
        + "DB_HOSTNAME/DB_PORT in Immich's .env) and that PostgreSQL is running"
    case .hostNotFound:
      message =
        "could not connect: \(detail). This machine cannot resolve that host name (Immich's own `database` is a "
        + "container name only Docker's network knows): give the host the database is published on "
        + "(--db host=… port=…)"
    case .timeout:
      message =
        "could not connect: the server did not answer within connect_timeout "
        + "(\(parameters["connect_timeout"] ?? ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] ?? "10") s). "
        + "Check the host, the port and any firewall"
    case .authenticationFailed:
      message = "\(detail): check the password (--db, PGPASSWORD, ~/.pgpass, or DB_PASSWORD in Immich's .env)"
    case .passwordMissing:
      message =
        "the server asks for a password and none was given: set it in --db, PGPASSWORD, ~/.pgpass or DB_PASSWORD in "
        + "Immich's .env"
    case .databaseMissing:
      message =
        "\(detail): check the database name (--db dbname=…, PGDATABASE, or DB_DATABASE_NAME in Immich's .env) and "
        + "that the restore created it"
    case .roleMissing:
      message = "\(detail): check the user name (--db user=…, PGUSER, or DB_USERNAME in Immich's .env)"
    case .accessRejected:
      message = "\(detail): the server's pg_hba.conf does not let this user in from here; ask the DBA to allow it"
    default:
      message = "could not connect: \(detail)"
    }
    return AuditError(message, postgresCode: error.code)
  }

  static func database(_ error: PostgresError, during activity: String) -> AuditError {
    switch error.code {
    case .permissionDenied:
      return AuditError(
        "\(error.message) while \(activity): the audit role needs read access to every Immich table. As a superuser "
          + "run GRANT pg_read_all_data TO <role>; (PostgreSQL 14+) or GRANT SELECT ON ALL TABLES IN SCHEMA public TO "
          + "<role>;",
        postgresCode: error.code)
    case .queryCanceled:
      return AuditError(
        "the query was cancelled while \(activity) (\(error.message)): raise --statement-timeout if the timeout "
          + "ended it",
        postgresCode: error.code)
    case .lockTimeout:
      return AuditError(
        "\(error.message) while \(activity): another session holds a lock on an Immich table (is Immich running a "
          + "migration against this database?); wait for it, or raise --lock-timeout",
        postgresCode: error.code)
    case .connectionLost:
      return AuditError(
        "the connection to the database was lost while \(activity): \(firstLine(error.message)). Nothing was "
          + "reported; run the audit again",
        postgresCode: error.code)
    case .undefinedTable, .undefinedColumn:
      return AuditError(
        "\(error.message) while \(activity): the schema does not match what its catalog said; is another process "
          + "changing it?",
        postgresCode: error.code)
    default:
      var message = "database error while \(activity): \(error.message)"
      if let hint = error.hint { message += " (hint: \(hint))" }
      return AuditError(message, postgresCode: error.code)
    }
  }

  static func firstLine(_ text: String) -> String {
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    // libpq puts "connection to server … failed: FATAL:  message" on one line.
    var line = lines.first ?? text
    line = line.replacingOccurrences(of: "FATAL:  ", with: "").replacingOccurrences(of: "ERROR:  ", with: "")
    return line
  }
}
