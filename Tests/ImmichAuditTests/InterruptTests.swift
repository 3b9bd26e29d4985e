import Foundation
import Testing

/// Ctrl-C and a dropped connection, with a real server: a second session holds a lock so the
/// audit's query waits on the server until the test acts.
@Suite("interrupts and lost connections", .serialized)
struct InterruptTests {
  /// Starts the audit, waits until its query is blocked by `LOCK TABLE asset`, runs `act`, and
  /// returns what the user saw.
  func runBlocked(_ command: [String] = ["counts"], act: (TestCluster, String, pid_t) throws -> Void) throws
    -> CLI.Result
  {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v3.1")
    let folder = try TemporaryFolder()
    let locker = try holdLock(on: "asset", cluster: cluster, database: name, folder: folder)
    defer { release(locker) }
    let out = folder.url.appendingPathComponent("audit.out").path
    let err = folder.url.appendingPathComponent("audit.err").path
    let audit = try TestCluster.spawn(
      CLI.executable, command + ["--db", cluster.readerConninfo(name)],
      environment: ["PATH": "/usr/bin:/bin", "HOME": folder.path], stdout: out, stderr: err)
    try waitFor {
      try cluster.psql(
        name,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = "
          + "'immich-audit' AND wait_event_type = 'Lock'"
      ) == "1"
    }
    try act(cluster, name, audit)
    var status: Int32 = 0
    waitpid(audit, &status, 0)
    let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    // The server-side query is gone too, not left running after the client.
    try waitFor {
      try cluster.psql(
        name,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'immich-audit'"
      ) == "0"
    }
    return CLI.Result(
      status: exit, stdout: String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self),
      stderr: String(decoding: FileManager.default.contents(atPath: err) ?? Data(), as: UTF8.self))
  }

  /// A psql session that holds an ACCESS EXCLUSIVE lock on `table` (for up to 60 s), once granted.
  func holdLock(on table: String, cluster: TestCluster, database: String, folder: TemporaryFolder) throws -> pid_t {
    let locker = try TestCluster.spawn(
      "/usr/bin/env",
      [
        "psql", "-X", "-d", cluster.superuserConninfo(database), "-c",
        "BEGIN; LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;",
      ],
      environment: nil, stdout: folder.url.appendingPathComponent("locker.out").path,
      stderr: folder.url.appendingPathComponent("locker.err").path)
    try waitFor {
      try cluster.psql(
        database,
        "SELECT count(*) FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = "
          + "current_database()) AND mode = 'AccessExclusiveLock' AND relation = '\(table)'::regclass AND granted"
      ) == "1"
    }
    return locker
  }

  func release(_ locker: pid_t) {
    kill(locker, SIGKILL)
    var status: Int32 = 0
    waitpid(locker, &status, 0)
  }

  func waitFor(_ condition: () throws -> Bool) throws {
    for _ in 0..<300 {
      if try condition() { return }
      usleep(50_000)
    }
    Issue.record("timed out waiting")
    throw CancellationError()
  }

  @Test("check: Ctrl-C exits 130 and a dropped connection exits 2, neither with a report")
  func check() throws {
    let interrupted = try runBlocked(["check", "--format", "json", "--media-root", "/nonexistent"]) { _, _, audit in
      kill(audit, SIGINT)
    }
    #expect(interrupted.status == 130)
    #expect(interrupted.stdout.isEmpty)
    let dropped = try runBlocked(["check", "--format", "json", "--media-root", "/nonexistent"]) { cluster, name, _ in
      try cluster.psql(
        name,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND "
          + "application_name = 'immich-audit'"
      )
    }
    #expect(dropped.status == 2)
    #expect(dropped.stdout.isEmpty)
    #expect(dropped.stderr.hasPrefix("immich-audit: error: "))
    #expect(dropped.stderr.split(separator: "\n").count == 1, "\(dropped.stderr)")
  }

  @Test("Ctrl-C cancels the running query and exits 130")
  func interrupt() throws {
    let result = try runBlocked { _, _, audit in kill(audit, SIGINT) }
    #expect(result.status == 130)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr == "immich-audit: interrupted\n")
  }

  @Test("a connection dropped mid-run: exit 2 and a sentence, no report")
  func connectionLost() throws {
    let result = try runBlocked { cluster, name, _ in
      try cluster.psql(
        name,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND "
          + "application_name = 'immich-audit'"
      )
    }
    #expect(result.status == 2)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.hasPrefix("immich-audit: error: "))
    #expect(result.stderr.contains("connection to the database was lost"))
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  @Test("--lock-timeout ends a wait behind another session's lock: exit 2, says what to do")
  func lockTimeout() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v3.1")
    let folder = try TemporaryFolder()
    let locker = try holdLock(on: "asset_exif", cluster: cluster, database: name, folder: folder)
    defer { release(locker) }
    let result = try CLI.run(["counts", "--lock-timeout", "300ms", "--db", cluster.superuserConninfo(name)])
    #expect(result.status == 2)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("canceling statement due to lock timeout while running queries/counts-assets.sql"))
    #expect(result.stderr.contains("raise --lock-timeout"))
  }
}
