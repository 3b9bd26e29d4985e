import Foundation

/// Runs the built `immich-audit` executable as a user would, with a clean environment (no PG*
/// variables leak in from the developer's shell unless a test sets them).
enum CLI {
  static var executable: String {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
      "immich-audit"
    ).path
    if FileManager.default.isExecutableFile(atPath: beside) { return beside }
    return repositoryRoot.appendingPathComponent(".build/debug/immich-audit").path
  }

  /// A copy of the executable in `folder`, made by cp rather than in this process: a file this
  /// process held open for writing could leak into a concurrently spawned child of another test
  /// and make exec fail with "Text file busy".
  static func copyExecutable(to folder: String) throws -> String {
    let copy = folder + "/immich-audit"
    let copied = try TestCluster.run("/bin/cp", [executable, copy])
    guard copied.status == 0 else { throw TestCluster.ClusterError(message: "cp: \(copied.stderr)") }
    chmod(copy, 0o755)
    return copy
  }

  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
    /// Everything the user sees.
    var output: String { stdout + stderr }
  }

  static func run(_ arguments: [String], environment: [String: String] = [:], home: String? = nil) throws -> Result {
    var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8"]
    env["HOME"] = home ?? FileManager.default.temporaryDirectory.appendingPathComponent("immich-audit-empty-home").path
    for (key, value) in environment { env[key] = value }
    let result = try TestCluster.run(executable, arguments, environment: env)
    return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
  }
}

/// A temporary folder removed when the value goes away.
final class TemporaryFolder {
  let url: URL
  var path: String { url.path }

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("immich-audit-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(at: url)
  }

  @discardableResult
  func write(_ name: String, _ text: String, permissions: Int? = nil) throws -> String {
    let file = url.appendingPathComponent(name)
    try Data(text.utf8).write(to: file)
    if let permissions {
      try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: file.path)
    }
    return file.path
  }
}
