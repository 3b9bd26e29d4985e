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

/// Runs one command's body with the tool's error handling: every failure is one redacted line on
/// stderr and a documented exit code; Ctrl-C cancels the running query and exits 130.
struct Runner {
  var redactor = Redactor()

  /// Connects, reporting errors per the exit-code contract.
  mutating func openDatabase(_ options: ConnectionOptions, database: String? = nil) throws -> ImmichDatabase {
    let environment = ProcessInfo.processInfo.environment
    var env: DotEnv?
    if let path = options.immichEnv {
      do {
        env = try DotEnv(contentsOf: URL(fileURLWithPath: path), environment: environment)
      } catch {
        throw fail("--immich-env \(error.description)", exitCode: 2)
      }
    }
    let configuration = ConnectionConfiguration(database: database ?? options.db, immichEnv: env, environment: environment)
    redactor = Redactor(secrets: redactor.secrets + configuration.secrets())
    let parameters: ConnectionParameters
    do {
      parameters = try configuration.parameters()
    } catch {
      switch error {
      case .invalidConnectionString: throw fail(error.description, exitCode: 64)
      case .unreadableInput: throw fail(error.description, exitCode: 2)
      }
    }
    redactor = Redactor(secrets: redactor.secrets + parameters.secretValues)
    Interrupts.install()
    do {
      let database = try ImmichDatabase.open(parameters, settings: options.settings) { Interrupts.watch($0) }
      for warning in database.warnings { warn(warning) }
      return database
    } catch {
      throw fail(error.description, exitCode: 2)
    }
  }

  /// Connects, reads the counts manifest and ends the session.
  mutating func countsManifest(_ options: ConnectionOptions, database: String? = nil) throws -> CountsManifest {
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

  func warn(_ message: String) {
    Output.standardError("immich-audit: warning: \(redactor.redact(message))\n")
  }

  /// Prints the error line and returns the exit to throw.
  func fail(_ message: String, exitCode: Int32) -> ExitCode {
    Interrupts.yieldIfInterrupted()
    Output.standardError("immich-audit: error: \(redactor.redact(message))\n")
    return ExitCode(exitCode)
  }

  /// Writes a report to --output (atomically: a temporary file renamed into place) or stdout.
  /// Reports are not passed through the redactor: they never contain a secret by construction
  /// (targets are built without them), and masking a short password's characters would corrupt
  /// the numbers. What is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is written
  /// as it is: renaming over it would replace it with a file. A symbolic link to a file keeps
  /// pointing there: the file it names is replaced, in its own folder.
  func emit(_ text: String, to path: String?, option: String = "--output") throws {
    guard var path else {
      Output.standardOutput(text)
      return
    }
    var status = stat()
    if stat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
      if (status.st_mode & S_IFMT) == S_IFDIR { throw fail("\(option) \(path): is a directory; name a file in it", exitCode: 2) }
      try writeInPlace(text, to: path, option: option)
      return
    }
    if lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFLNK, let resolved = realpath(path, nil) {
      path = String(cString: resolved)
      free(resolved)
    }
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    do {
      try Data(text.utf8).write(to: temporary)
      if rename(temporary.path, url.path) != 0 {
        let code = errno
        unlink(temporary.path)
        throw cannotWrite(option, path, Self.reason(code))
      }
    } catch let exit as ExitCode {
      throw exit
    } catch {
      throw cannotWrite(option, path, DotEnv.reason(error))
    }
  }

  private func writeInPlace(_ text: String, to path: String, option: String) throws {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { throw cannotWrite(option, path, Self.reason(errno)) }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    do {
      try handle.write(contentsOf: Data(text.utf8))
    } catch {
      throw cannotWrite(option, path, DotEnv.reason(error))
    }
  }

  private func cannotWrite(_ option: String, _ path: String, _ reason: String) -> ExitCode {
    fail("\(option) \(path): cannot write it (\(reason))", exitCode: 2)
  }

  private static func reason(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }
}

enum Output {
  static func standardOutput(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }

  static func standardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}
