import ArgumentParser
import AuditCore
import AuditReports
import Foundation
import PostgresClient

/// How to reach the database: the same conninfo strings and environment as psql.
struct ConnectionOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "libpq connection string or URI (e.g. 'host=localhost dbname=immich user=immich' or postgresql://…). Without "
        + "it, PGHOST, PGUSER, PGDATABASE, … apply.",
      valueName: "conninfo"))
  var db: String?

  @Option(
    name: .customLong("immich-env"),
    help: ArgumentHelp(
      "Immich's .env file: DB_URL, or DB_HOSTNAME, DB_PORT, DB_USERNAME, DB_PASSWORD, DB_DATABASE_NAME (and their "
        + "_FILE variants). --db overrides it per keyword.",
      valueName: "file"))
  var immichEnv: String?

  @Option(
    name: .customLong("statement-timeout"),
    help: ArgumentHelp(
      "Server statement_timeout for the session (e.g. 5min); default: the server's.", valueName: "duration"))
  var statementTimeout: String?

  @Option(
    name: .customLong("lock-timeout"),
    help: ArgumentHelp("Server lock_timeout for the session (e.g. 30s); default: the server's.", valueName: "duration"))
  var lockTimeout: String?

  var settings: ImmichDatabase.Settings {
    ImmichDatabase.Settings(statementTimeout: statementTimeout, lockTimeout: lockTimeout)
  }

  func validate() throws {
    for (option, value) in [("--statement-timeout", statementTimeout), ("--lock-timeout", lockTimeout)] {
      if let value, !Self.isDuration(value) {
        throw ValidationError(
          "\(option) \(value): expected a duration as PostgreSQL takes it, e.g. 30s, 5min, 1h or 1500 "
            + "(milliseconds); 0 turns it off"
        )
      }
    }
  }

  /// A PostgreSQL time setting: a number (milliseconds) with an optional unit.
  static func isDuration(_ text: String) -> Bool {
    text.wholeMatch(of: /\s*[0-9]+(\.[0-9]+)?\s*(us|ms|s|min|h|d)?\s*/) != nil
  }
}

/// `--io-timeout` of the commands that only look at a few files (`explain`, `sample`).
struct LookTimeoutOption: ParsableArguments {
  @Option(
    name: .customLong("io-timeout"),
    help: ArgumentHelp(
      "Seconds a filesystem call may take before it counts as timed out (a dead mount).", valueName: "seconds"))
  var ioTimeout: Double = 15

  func validate() throws {
    if !(ioTimeout > 0 && ioTimeout <= 86400) {
      throw ValidationError("--io-timeout must be a number of seconds above 0 (e.g. 15)")
    }
  }
}

/// Where the database's container paths are on this machine.
struct MappingOptions: ParsableArguments {
  @Option(
    name: .customLong("map"),
    help: ArgumentHelp(
      "Map a container path prefix to a host folder (repeatable; the longest prefix wins).", valueName: "container=host"
    ),
    transform: Self.parseMap)
  var maps: [PathMapper.Mapping] = []

  @Sendable static func parseMap(_ text: String) throws -> PathMapper.Mapping {
    do { return try PathMapper.parseMap(text) } catch { throw OptionValueError(error.reason) }
  }

  @Option(
    name: .customLong("media-root"),
    help: ArgumentHelp(
      "Host folder of Immich's media location (UPLOAD_LOCATION), whatever prefix the database uses (upload/…, "
        + "/usr/src/app/upload, /data, custom).",
      valueName: "dir"))
  var mediaRoot: String?

  @Option(
    name: .customLong("compose"),
    help: ArgumentHelp(
      "Immich's docker-compose file: the server service's volumes give the mappings (with the .env beside it).",
      valueName: "file"))
  var compose: String?
}

/// Why an option's value was refused, for ArgumentParser's "The value 'X' is invalid for
/// '--option <name>': REASON" (it names the option and the value itself).
struct OptionValueError: Error, CustomStringConvertible {
  let description: String
  init(_ reason: String) { description = reason }
}

extension ConnectionOptions {
  /// What the command was told, for `RunSetup`.
  func request(_ mapping: MappingOptions? = nil) -> RunRequest {
    RunRequest(
      conninfo: db, immichEnv: immichEnv, compose: mapping?.compose, settings: settings, maps: mapping?.maps ?? [],
      mediaRoot: mapping?.mediaRoot)
  }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, markdown
}

/// Runs one command's body with the tool's error handling: every failure is one line on stderr
/// and a documented exit code; Ctrl-C cancels the running query and exits 130.
struct Runner {
  /// Says nothing on failure: for a last write after the run's error has been told (one
  /// error, one line).
  var quiet = false

  /// The setup every database command shares (AuditCore), saying on stderr what it warns of
  /// and chose, and letting Ctrl-C cancel its queries.
  var setup: RunSetup {
    RunSetup(
      warn: warn, note: { Output.standardError("immich-audit: \($0)\n") },
      onConnected: { Interrupts.watch($0) })
  }

  /// `RunSetup.prepare`, with a failure told as every failure is.
  func prepare(_ request: RunRequest, samplesPerKind: Int, prefixesOnlyIfNeeded: Bool = false) throws
    -> RunSetup.Prepared
  {
    do {
      return try setup.prepare(request, samplesPerKind: samplesPerKind, prefixesOnlyIfNeeded: prefixesOnlyIfNeeded)
    } catch {
      throw fail(error.message, exitCode: error.exitCode)
    }
  }

  /// `RunSetup.countsManifest`, with a failure told as every failure is.
  func countsManifest(_ request: RunRequest, conninfo: String? = nil) throws -> CountsManifest {
    do {
      return try setup.countsManifest(request, conninfo: conninfo)
    } catch {
      throw fail(error.message, exitCode: error.exitCode)
    }
  }

  /// `ReportOutputs.preflight`, with a failure told as every failure is.
  func preflight(_ outputs: ReportOutputs) throws {
    do { try outputs.preflight() } catch { throw fail(error.message, exitCode: error.exitCode) }
  }

  /// `ReportOutputs.write`, with a failure told as every failure is (after an interrupt, the
  /// interrupt's handler ends the run instead).
  func write(_ outputs: ReportOutputs, _ reports: [ReportOutputs.Render?]) throws {
    do { try outputs.write(reports) } catch { throw fail(error.message, exitCode: error.exitCode) }
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
