import Foundation
import Synchronization

/// The repository's root folder (tests read fixtures and scripts from it).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A throwaway PostgreSQL cluster for the whole test run, started on first use by
/// `scripts/pg-throwaway` (as the `postgres` user when running as root) and stopped at exit.
///
/// Roles: `postgres` (superuser, Unix socket, no password) for setting up fixtures;
/// `auditor` (password `TestPassword.auditor`, member of `pg_read_all_data` only) as a DBA
/// would create for the audit.
final class TestCluster: Sendable {
  let directory: String
  let port: Int
  private let counter = Mutex(0)

  static let auditorPassword = "Aud1t-s3cret-pw"

  private static let started: Result<TestCluster, ClusterError> = {
    do {
      return .success(try TestCluster.start())
    } catch let error as ClusterError {
      return .failure(error)
    } catch {
      return .failure(ClusterError(message: "\(error)"))
    }
  }()

  static func shared() throws -> TestCluster { try started.get() }

  struct ClusterError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
  }

  private init(directory: String, port: Int) {
    self.directory = directory
    self.port = port
  }

  private static func start() throws -> TestCluster {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("immich-audit-tests-\(getpid())").path
    try? FileManager.default.removeItem(atPath: base)
    let result = try run(repositoryRoot.appendingPathComponent("scripts/pg-throwaway").path, ["start", base])
    guard result.status == 0 else {
      throw ClusterError(message: "could not start the test PostgreSQL: \(result.stderr)")
    }
    var port = 0
    for line in result.stdout.split(separator: "\n") where line.hasPrefix("PGPORT=") {
      port = Int(line.dropFirst("PGPORT=".count)) ?? 0
    }
    let cluster = TestCluster(directory: base, port: port)
    clusterDirectoryForExit.withLock { $0 = base }
    atexit {
      if let directory = clusterDirectoryForExit.withLock({ $0 }) {
        _ = try? TestCluster.run(
          repositoryRoot.appendingPathComponent("scripts/pg-throwaway").path, ["stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
      }
    }
    try cluster.psql("postgres", "CREATE ROLE auditor LOGIN PASSWORD '\(auditorPassword)' IN ROLE pg_read_all_data")
    return cluster
  }

  /// Superuser conninfo for a database (over the Unix socket).
  func superuserConninfo(_ database: String) -> String {
    "host=\(directory) port=\(port) user=postgres dbname=\(database)"
  }

  /// The `auditor` role (pg_read_all_data only, as the README advises) over the Unix socket,
  /// where it needs no password: the role most tests audit as, so that the warning a role that
  /// could write gets stays out of their output.
  func readerConninfo(_ database: String) -> String {
    "host=\(directory) port=\(port) user=auditor dbname=\(database)"
  }

  /// The `auditor` role over TCP on 127.0.0.1, password in the string (nil: none; give it in
  /// PGPASSWORD, as the tool's warning about a password on the command line advises).
  func auditorConninfo(_ database: String, password: String? = TestCluster.auditorPassword) -> String {
    "host=127.0.0.1 port=\(port) user=auditor\(password.map { " password=\($0)" } ?? "") dbname=\(database)"
  }

  /// A new database loaded from `Tests/Fixtures/<fixture>.sql`; every call gets its own copy.
  func database(fixture: String) throws -> String {
    let number = counter.withLock { value in
      value += 1
      return value
    }
    let name = "\(fixture.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_"))_\(number)"
    try psql("postgres", "CREATE DATABASE \(name)")
    let file = repositoryRoot.appendingPathComponent("Tests/Fixtures/\(fixture).sql").path
    let result = try Self.run(
      "/usr/bin/env", ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", superuserConninfo(name), "-f", file])
    guard result.status == 0 else { throw ClusterError(message: "loading \(fixture): \(result.stderr)") }
    return name
  }

  /// An empty database.
  func emptyDatabase() throws -> String {
    let number = counter.withLock { value in
      value += 1
      return value
    }
    let name = "empty_\(number)"
    try psql("postgres", "CREATE DATABASE \(name)")
    return name
  }

  /// Runs SQL as the superuser and returns psql's unaligned output.
  @discardableResult
  func psql(_ database: String, _ sql: String) throws -> String {
    let result = try Self.run(
      "/usr/bin/env", ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", superuserConninfo(database), "-c", sql])
    guard result.status == 0 else { throw ClusterError(message: "psql: \(result.stderr)") }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// `pg_dump` of a database: the proof that a run changed nothing.
  func dump(_ database: String) throws -> String {
    let result = try Self.run("/usr/bin/env", ["pg_dump", "--no-sync", "-d", superuserConninfo(database)])
    guard result.status == 0 else { throw ClusterError(message: "pg_dump: \(result.stderr)") }
    // pg_dump's \restrict lines carry a random key per run; everything else is the data.
    return result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
      .filter { !$0.hasPrefix("\\restrict ") && !$0.hasPrefix("\\unrestrict ") }.joined(separator: "\n")
  }

  struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  /// Runs a program to completion with posix_spawn and waitpid. (Foundation's Process waited
  /// forever here for children that had exited, when called from a lazily initialised static.)
  static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws
    -> ProcessResult
  {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("immich-audit-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let outPath = folder.appendingPathComponent("stdout").path
    let errPath = folder.appendingPathComponent("stderr").path
    let pid = try spawn(executable, arguments, environment: environment, stdout: outPath, stderr: errPath)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let outData = FileManager.default.contents(atPath: outPath) ?? Data()
    let errData = FileManager.default.contents(atPath: errPath) ?? Data()
    return ProcessResult(
      status: exitStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// Starts a program in the background, output to the given files; returns its pid.
  static func spawn(
    _ executable: String, _ arguments: [String], environment: [String: String]?, stdout: String, stderr: String
  ) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let env = environment ?? ProcessInfo.processInfo.environment
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv + envp { free(pointer) }
    }
    var pid: pid_t = 0
    var result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    // A freshly copied executable can be busy for a moment: another thread's child may still
    // hold the copy's write descriptor until it execs.
    for _ in 0..<50 where result == ETXTBSY {
      usleep(20_000)
      result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    }
    guard result == 0 else {
      throw ClusterError(message: "cannot run \(executable): \(String(cString: strerror(result)))")
    }
    return pid
  }
}

private let clusterDirectoryForExit = Mutex<String?>(nil)
