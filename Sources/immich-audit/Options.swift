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

/// Runs one command's body with the tool's error handling: every failure is one line on stderr
/// and a documented exit code; Ctrl-C cancels the running query and exits 130.
struct Runner {
  /// Connects, reporting errors per the exit-code contract.
  func openDatabase(_ options: ConnectionOptions, database: String? = nil) throws -> ImmichDatabase {
    let environment = ProcessInfo.processInfo.environment
    var env: DotEnv?
    if let path = options.immichEnv {
      do {
        env = try DotEnv(contentsOf: URL(fileURLWithPath: path), environment: environment)
      } catch {
        throw fail("--immich-env \(error.description)", exitCode: 2)
      }
    }
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
      throw fail(error.description, exitCode: 2)
    }
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

  /// The mapping sources of a run; the `.env` is the one `--immich-env` names.
  func mappingConfiguration(_ options: MappingOptions, immichEnv: String?) throws -> MappingConfiguration {
    let environment = ProcessInfo.processInfo.environment
    var configuration = MappingConfiguration(maps: options.maps.compactMap { try? PathMapper.parseMap($0) }, mediaRoot: options.mediaRoot)
    if let path = options.compose {
      do {
        let compose = try ComposeVolumes(contentsOf: URL(fileURLWithPath: path), environment: environment)
        for skipped in compose.skipped { warn("--compose: volume \(skipped) of service \(compose.service) names no host folder; skipped") }
        configuration.compose = compose
      } catch {
        throw fail("--compose \(error.description)", exitCode: 2)
      }
    }
    if let immichEnv {
      configuration.immichEnv = try? DotEnv(contentsOf: URL(fileURLWithPath: immichEnv), environment: environment)
    }
    return configuration
  }

  /// A warning on stderr, one line whatever the message holds (`DisplayText`).
  func warn(_ message: String) {
    Output.standardError("immich-audit: warning: \(DisplayText.escaped(message))\n")
  }

  /// Prints the error line and returns the exit to throw.
  func fail(_ message: String, exitCode: Int32) -> ExitCode {
    Interrupts.yieldIfInterrupted()
    Output.standardError("immich-audit: error: \(DisplayText.escaped(message))\n")
    return ExitCode(exitCode)
  }
}
