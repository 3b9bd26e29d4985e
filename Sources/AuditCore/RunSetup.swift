import Foundation
import PostgresClient

/// What a command was told about where Immich is: the options every database command shares.
public struct RunRequest: Sendable {
  /// `--db`: a libpq conninfo string or URI.
  public var conninfo: String?
  /// `--immich-env`: Immich's `.env`.
  public var immichEnv: String?
  /// `--compose`: Immich's docker-compose file.
  public var compose: String?
  public var settings: ImmichDatabase.Settings
  /// `--map`, parsed.
  public var maps: [PathMapper.Mapping]
  /// `--media-root`.
  public var mediaRoot: String?

  public init(
    conninfo: String? = nil, immichEnv: String? = nil, compose: String? = nil,
    settings: ImmichDatabase.Settings = .init(),
    maps: [PathMapper.Mapping] = [], mediaRoot: String? = nil
  ) {
    self.conninfo = conninfo
    self.immichEnv = immichEnv
    self.compose = compose
    self.settings = settings
    self.maps = maps
    self.mediaRoot = mediaRoot
  }
}

/// Immich's own files a run takes its settings from (DESIGN.md § Commands).
public struct ImmichFiles: Sendable {
  public var env: DotEnv?
  /// Where the `.env` came from, for messages.
  public var envPath: String?
  public var compose: ComposeVolumes?

  public init() {}

  /// Compose file names Docker Compose looks for, in its order.
  public static let composeNames = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"]

  /// libpq's environment: any of these is a way to connect.
  public static let libpqVariables = [
    "PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE", "PGPASSWORD",
  ]

  /// Immich's files in the current folder: (the .env, the compose file), where they exist.
  public static func inCurrentFolder() -> (env: String?, compose: String?) {
    let manager = FileManager.default
    return (manager.fileExists(atPath: ".env") ? ".env" : nil, composeNames.first { manager.fileExists(atPath: $0) })
  }
}

/// A run that could not be set up: one sentence, and the exit code DESIGN.md gives it (64: bad
/// usage, 2: could not audit).
public struct SetupFailure: Error, CustomStringConvertible {
  public let message: String
  public let exitCode: Int32
  public var description: String { message }
}

/// The setup every database command shares, in one place so that `explain` previews exactly
/// what `check` will use: Immich's files (given, or found in the current folder), the
/// connection, the overview and the path mappings.
public struct RunSetup {
  public let environment: [String: String]
  /// Said on stderr: a warning (`warn`) or a note about what was chosen (`note`).
  public let warn: (String) -> Void
  public let note: (String) -> Void
  /// Called once connected, with what cancels the running query (Ctrl-C).
  public let onConnected: (Canceller?) -> Void

  public init(
    environment: [String: String] = ProcessInfo.processInfo.environment, warn: @escaping (String) -> Void,
    note: @escaping (String) -> Void, onConnected: @escaping (Canceller?) -> Void
  ) {
    self.environment = environment
    self.warn = warn
    self.note = note
    self.onConnected = onConnected
  }

  /// What `check` and `explain` start from.
  public struct Prepared {
    public let database: ImmichDatabase
    public let overview: DatabaseOverview
    public let mappings: RunMappings
    /// Immich's `.env` and compose file, where given or found.
    public let files: ImmichFiles
  }

  /// Immich's files, the database, its overview (`samplesPerKind` sample paths of each kind)
  /// and the mappings: the one setup of `check` and `explain`.
  public func prepare(_ request: RunRequest, samplesPerKind: Int, prefixesOnlyIfNeeded: Bool = false)
    throws(SetupFailure) -> Prepared
  {
    let files = try immichFiles(request, discover: true)
    let database = try openDatabase(request, files: files)
    let overview: DatabaseOverview
    do {
      overview = try database.overview(samplesPerKind: samplesPerKind, prefixesOnlyIfNeeded: prefixesOnlyIfNeeded)
    } catch {
      throw SetupFailure(message: error.description, exitCode: 2)
    }
    let configuration = MappingConfiguration(
      maps: request.maps, mediaRoot: request.mediaRoot, compose: files.compose, immichEnv: files.env)
    return Prepared(
      database: database, overview: overview, mappings: RunMappings(overview: overview, configuration: configuration),
      files: files)
  }

  /// Whether a run was given any way to connect: an option, or libpq's environment.
  public static func connectionGiven(_ request: RunRequest, environment: [String: String]) -> Bool {
    request.conninfo != nil || request.immichEnv != nil || request.compose != nil
      || ImmichFiles.libpqVariables.contains { environment[$0] != nil }
  }

  /// Immich's files for a run: `--immich-env` and `--compose` as given. With no way to connect
  /// given (no --db, no PG* variable) and `discover`, those of the current folder, as if given,
  /// said in a note. A compose file's server service names its `.env` (`env_file`), where
  /// Immich reads its database settings: that one serves when `--immich-env` is not given.
  public func immichFiles(_ request: RunRequest, discover: Bool) throws(SetupFailure) -> ImmichFiles {
    var envPath = request.immichEnv
    var composePath = request.compose
    if discover && !Self.connectionGiven(request, environment: environment) {
      let found = ImmichFiles.inCurrentFolder()
      (envPath, composePath) = (found.env, found.compose)
      let names = [found.env, found.compose].compactMap { $0 }
      if !names.isEmpty {
        note(
          "using Immich's \(names.joined(separator: " and ")) in this folder (--db, --immich-env or --compose choose "
            + "others)"
        )
      }
    }
    var files = ImmichFiles()
    if let composePath {
      do {
        let compose = try ComposeVolumes(contentsOf: URL(fileURLWithPath: composePath), environment: environment)
        for skipped in compose.skipped {
          warn("--compose: volume \(skipped) of service \(compose.service) names no host folder; skipped")
        }
        files.compose = compose
        if envPath == nil { envPath = compose.envFiles.first { FileManager.default.fileExists(atPath: $0.path) }?.path }
      } catch {
        throw SetupFailure(message: "--compose \(error.description)", exitCode: 2)
      }
    }
    if let envPath {
      do {
        files.env = try DotEnv(contentsOf: URL(fileURLWithPath: envPath), environment: environment)
        files.envPath = envPath
      } catch {
        throw SetupFailure(message: "--immich-env \(error.description)", exitCode: 2)
      }
    }
    return files
  }

  /// Connects, with failures as the exit-code contract gives them. `files`: Immich's files
  /// already read (check, explain); otherwise `--immich-env` is read here. `conninfo`: another
  /// database than the request's (compare's baseline).
  public func openDatabase(_ request: RunRequest, conninfo other: String? = nil, files given: ImmichFiles? = nil)
    throws(SetupFailure) -> ImmichDatabase
  {
    let files: ImmichFiles
    if let given { files = given } else { files = try immichFiles(request, discover: false) }
    let env = files.env
    let conninfo = other ?? request.conninfo
    let configuration = ConnectionConfiguration(database: conninfo, immichEnv: env, environment: environment)
    let parameters: ConnectionParameters
    do {
      parameters = try configuration.parameters()
    } catch {
      switch error {
      case .invalidConnectionString: throw SetupFailure(message: error.description, exitCode: 64)
      case .unreadableInput: throw SetupFailure(message: error.description, exitCode: 2)
      }
    }
    if let conninfo, !((try? ConnectionParameters.parse(conninfo).secretValues.isEmpty) ?? true) {
      // As the mysql client warns: the command line is world-readable in /proc.
      warn(
        "a password on the command line (--db) can be seen by other users of this machine (ps, /proc); use "
          + "PGPASSWORD, ~/.pgpass, or --immich-env with DB_PASSWORD_FILE instead"
      )
    }
    do {
      let database = try ImmichDatabase.open(parameters, settings: request.settings, onConnected: onConnected)
      for warning in database.warnings { warn(warning) }
      return database
    } catch {
      var message = error.description
      if let env, conninfo == nil, [.connectionRefused, .hostNotFound, .timeout].contains(error.postgresCode) {
        message += ". " + Self.composeHint(env: env, path: files.envPath ?? ".env")
      }
      throw SetupFailure(message: message, exitCode: 2)
    }
  }

  /// Connects, reads the counts manifest and ends the session.
  public func countsManifest(_ request: RunRequest, conninfo: String? = nil) throws(SetupFailure) -> CountsManifest {
    let session = try openDatabase(request, conninfo: conninfo)
    defer { session.close() }
    do {
      return try session.countsManifest()
    } catch {
      throw SetupFailure(message: error.description, exitCode: 2)
    }
  }

  /// Why Immich's own settings do not reach the database from here, and the two ways out.
  static func composeHint(env: DotEnv, path: String) -> String {
    let host = (try? env.value("DB_HOSTNAME")) ?? nil
    let named: String
    switch host {
    case nil:
      named =
        "\(path) gives no DB_HOSTNAME (Immich itself then connects to its container `database`, a name only Docker's "
        + "network knows)"
    case "database"?: named = "\(path) gives DB_HOSTNAME=database, a container name only Docker's network knows"
    case let other?: named = "\(path) gives DB_HOSTNAME=\(other)"
    }
    return
      "\(named), and Immich's docker-compose.yml publishes no database port. Either publish one for the drill "
      + "(ports: [\"127.0.0.1:5432:5432\"] under the database service) and add --db host=127.0.0.1, or run the audit "
      + "where the restored cluster listens (--db host=… port=…)"
  }
}
