import ArgumentParser
import AuditCore
import Foundation
import PostgresClient

/// How to reach the database: the same conninfo strings and environment as psql.
struct ConnectionOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp(
    "libpq connection string or URI (e.g. 'host=localhost dbname=immich user=immich' or postgresql://…). Without it, PGHOST, PGUSER, PGDATABASE, … apply.",
    valueName: "conninfo"))
  var db: String?

  @Option(name: .customLong("immich-env"), help: ArgumentHelp(
    "Immich's .env file: DB_URL, or DB_HOSTNAME, DB_PORT, DB_USERNAME, DB_PASSWORD, DB_DATABASE_NAME (and their _FILE variants). --db overrides it per keyword.",
    valueName: "file"))
  var immichEnv: String?

  @Option(name: .customLong("statement-timeout"), help: ArgumentHelp("Server statement_timeout for the session (e.g. 5min); default: the server's.", valueName: "duration"))
  var statementTimeout: String?

  @Option(name: .customLong("lock-timeout"), help: ArgumentHelp("Server lock_timeout for the session (e.g. 30s); default: the server's.", valueName: "duration"))
  var lockTimeout: String?

  var settings: ImmichDatabase.Settings {
    ImmichDatabase.Settings(statementTimeout: statementTimeout, lockTimeout: lockTimeout)
  }

  func validate() throws {
    for (option, value) in [("--statement-timeout", statementTimeout), ("--lock-timeout", lockTimeout)] {
      if let value, !Self.isDuration(value) {
        throw ValidationError("\(option) \(value): expected a duration as PostgreSQL takes it, e.g. 30s, 5min, 1h or 1500 (milliseconds); 0 turns it off")
      }
    }
  }

  /// A PostgreSQL time setting: a number (milliseconds) with an optional unit.
  static func isDuration(_ text: String) -> Bool {
    text.wholeMatch(of: /\s*[0-9]+(\.[0-9]+)?\s*(us|ms|s|min|h|d)?\s*/) != nil
  }
}

/// Where the database's container paths are on this machine.
struct MappingOptions: ParsableArguments {
  @Option(name: .customLong("map"), help: ArgumentHelp("Map a container path prefix to a host folder (repeatable; the longest prefix wins).", valueName: "container=host"))
  var maps: [String] = []

  @Option(name: .customLong("media-root"), help: ArgumentHelp("Host folder of Immich's media location (UPLOAD_LOCATION), whatever prefix the database uses (upload/…, /usr/src/app/upload, /data, custom).", valueName: "dir"))
  var mediaRoot: String?

  @Option(name: .customLong("compose"), help: ArgumentHelp("Immich's docker-compose file: the server service's volumes give the mappings (with the .env beside it).", valueName: "file"))
  var compose: String?

  func validate() throws {
    for map in maps {
      do { _ = try PathMapper.parseMap(map) } catch { throw ValidationError(error.description) }
    }
  }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, markdown
}

/// Immich's own files a run takes its settings from (DESIGN.md § Commands).
struct ImmichFiles {
  var env: DotEnv?
  /// Where the `.env` came from, for messages.
  var envPath: String?
  var compose: ComposeVolumes?

  /// Compose file names Docker Compose looks for, in its order.
  static let composeNames = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"]

  /// libpq's environment: any of these is a way to connect.
  static let libpqVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE", "PGPASSWORD"]

  /// Whether a run was given any way to connect (an option, or libpq's environment).
  static func connectionGiven(_ connection: ConnectionOptions, compose: String?) -> Bool {
    let environment = ProcessInfo.processInfo.environment
    return connection.db != nil || connection.immichEnv != nil || compose != nil || libpqVariables.contains { environment[$0] != nil }
  }

  /// Immich's files in the current folder: (the .env, the compose file), where they exist.
  static func inCurrentFolder() -> (env: String?, compose: String?) {
    let manager = FileManager.default
    return (manager.fileExists(atPath: ".env") ? ".env" : nil, composeNames.first { manager.fileExists(atPath: $0) })
  }
}

/// Runs one command's body with the tool's error handling: every failure is one line on stderr
/// and a documented exit code; Ctrl-C cancels the running query and exits 130.
struct Runner {
  /// Says nothing on failure: for a last write after the run's error has been told (one
  /// error, one line).
  var quiet = false

  /// Immich's files for a run: `--immich-env` and `--compose` as given. With no way to connect
  /// given (no --db, no PG* variable) and `discover`, those of the current folder, as if given,
  /// said on stderr. A compose file's server service names its `.env` (`env_file`), where Immich
  /// reads its database settings: that one serves when `--immich-env` is not given.
  func immichFiles(_ connection: ConnectionOptions, compose composePath: String?, discover: Bool) throws -> ImmichFiles {
    let environment = ProcessInfo.processInfo.environment
    var envPath = connection.immichEnv
    var composePath = composePath
    if discover && !ImmichFiles.connectionGiven(connection, compose: composePath) {
      let found = ImmichFiles.inCurrentFolder()
      (envPath, composePath) = (found.env, found.compose)
      let names = [found.env, found.compose].compactMap { $0 }
      if !names.isEmpty {
        Output.standardError("immich-audit: using Immich's \(names.joined(separator: " and ")) in this folder (--db, --immich-env or --compose choose others)\n")
      }
    }
    var files = ImmichFiles()
    if let composePath {
      do {
        let compose = try ComposeVolumes(contentsOf: URL(fileURLWithPath: composePath), environment: environment)
        for skipped in compose.skipped { warn("--compose: volume \(skipped) of service \(compose.service) names no host folder; skipped") }
        files.compose = compose
        if envPath == nil { envPath = compose.envFiles.first { FileManager.default.fileExists(atPath: $0.path) }?.path }
      } catch {
        throw fail("--compose \(error.description)", exitCode: 2)
      }
    }
    if let envPath {
      do {
        files.env = try DotEnv(contentsOf: URL(fileURLWithPath: envPath), environment: environment)
        files.envPath = envPath
      } catch {
        throw fail("--immich-env \(error.description)", exitCode: 2)
      }
    }
    return files
  }

  /// Connects, reporting errors per the exit-code contract. `files`: Immich's files already
  /// read (check, explain); otherwise `--immich-env` is read here.
  func openDatabase(_ options: ConnectionOptions, database: String? = nil, files: ImmichFiles? = nil) throws -> ImmichDatabase {
    let environment = ProcessInfo.processInfo.environment
    let files = try files ?? immichFiles(options, compose: nil, discover: false)
    let env = files.env
    let conninfo = database ?? options.db
    let configuration = ConnectionConfiguration(database: conninfo, immichEnv: env, environment: environment)
    let parameters: ConnectionParameters
    do {
      parameters = try configuration.parameters()
    } catch {
      switch error {
      case .invalidConnectionString: throw fail(error.description, exitCode: 64)
      case .unreadableInput: throw fail(error.description, exitCode: 2)
      }
    }
    if let conninfo, !((try? ConnectionParameters.parse(conninfo).secretValues.isEmpty) ?? true) {
      // As the mysql client warns: the command line is world-readable in /proc.
      warn("a password on the command line (--db) can be seen by other users of this machine (ps, /proc); use PGPASSWORD, ~/.pgpass, or --immich-env with DB_PASSWORD_FILE instead")
    }
    do {
      let database = try ImmichDatabase.open(parameters, settings: options.settings) { Interrupts.watch($0) }
      for warning in database.warnings { warn(warning) }
      return database
    } catch {
      var message = error.description
      if let env, conninfo == nil, [.connectionRefused, .hostNotFound, .timeout].contains(error.postgresCode) {
        message += ". " + Self.composeHint(env: env, path: files.envPath ?? ".env")
      }
      throw fail(message, exitCode: 2)
    }
  }

  /// Why Immich's own settings do not reach the database from here, and the two ways out.
  static func composeHint(env: DotEnv, path: String) -> String {
    let host = (try? env.value("DB_HOSTNAME")) ?? nil
    let named: String
    switch host {
    case nil: named = "\(path) gives no DB_HOSTNAME (Immich itself then connects to its container `database`, a name only Docker's network knows)"
    case "database"?: named = "\(path) gives DB_HOSTNAME=database, a container name only Docker's network knows"
    case let other?: named = "\(path) gives DB_HOSTNAME=\(other)"
    }
    return "\(named), and Immich's docker-compose.yml publishes no database port. Either publish one for the drill (ports: [\"127.0.0.1:5432:5432\"] under the database service) and add --db host=127.0.0.1, or run the audit where the restored cluster listens (--db host=… port=…)"
  }

  /// Connects, reads the counts manifest and ends the session.
  func countsManifest(_ options: ConnectionOptions, database: String? = nil) throws -> CountsManifest {
    let session = try openDatabase(options, database: database)
    defer { session.close() }
    do {
      return try session.countsManifest()
    } catch {
      throw fail(error.description, exitCode: 2)
    }
  }

  /// The mapping sources of a run: the flags, and Immich's files (`immichFiles`).
  func mappingConfiguration(_ options: MappingOptions, files: ImmichFiles) -> MappingConfiguration {
    MappingConfiguration(
      maps: options.maps.compactMap { try? PathMapper.parseMap($0) }, mediaRoot: options.mediaRoot, compose: files.compose, immichEnv: files.env)
  }

  /// A warning on stderr, one line whatever the message holds (`DisplayText`).
  func warn(_ message: String) {
    Output.standardError("immich-audit: warning: \(DisplayText.escaped(message))\n")
  }

  /// Prints the error line and returns the exit to throw.
  func fail(_ message: String, exitCode: Int32) -> ExitCode {
    Interrupts.yieldIfInterrupted()
    if !quiet { Output.standardError("immich-audit: error: \(DisplayText.escaped(message))\n") }
    return ExitCode(exitCode)
  }
}
