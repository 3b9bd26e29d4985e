import AuditCore
import FileScan
import Foundation
import Testing

/// A real FUSE filesystem for the tests (`Tests/Support/slowfs.py`, fusepy on libfuse2): a
/// synthetic tree of `dirs` folders of `files` files, every call delayed, optionally one folder
/// whose calls never return. Mounted as root (the tests run as root); unmounted on deinit.
final class FuseMount {
  let folder: TemporaryFolder
  let mountpoint: String
  let statsFile: String
  private let daemon: pid_t

  init(
    dirs: Int, files: Int, size: Int = 10, delayMilliseconds: Double = 1, serial: Bool = false,
    readDelayMilliseconds: Double = 0, hang: String? = nil, vanishOdd: Bool = false,
    vanishOddDirs: Bool = false,
    appear: Bool = false
  ) throws {
    folder = try TemporaryFolder()
    chmod(folder.path, 0o755)
    mountpoint = folder.path + "/mnt"
    statsFile = folder.path + "/stats.json"
    try FileManager.default.createDirectory(atPath: mountpoint, withIntermediateDirectories: true)
    var arguments = [
      repositoryRoot.appendingPathComponent("Tests/Support/slowfs.py").path, mountpoint, statsFile,
      "--dirs", String(dirs), "--files", String(files), "--delay-ms", String(delayMilliseconds),
    ]
    if serial { arguments.append("--serial") }
    if size != 10 { arguments += ["--size", String(size)] }
    if readDelayMilliseconds > 0 { arguments += ["--read-delay-ms", String(readDelayMilliseconds)] }
    if let hang { arguments += ["--hang", hang] }
    if vanishOdd { arguments.append("--vanish-odd") }
    if vanishOddDirs { arguments.append("--vanish-odd-dirs") }
    if appear { arguments.append("--appear") }
    daemon = try TestCluster.spawn(
      "/usr/bin/env", ["python3"] + arguments, environment: nil,
      stdout: folder.path + "/slowfs.out", stderr: folder.path + "/slowfs.err")
    // Mounted when the mount point's filesystem is FUSE (0x65735546).
    for _ in 0..<200 {
      if FilesystemKind.type(of: Array(mountpoint.utf8)) == 0x6573_5546 { return }
      var status: Int32 = 0
      if waitpid(daemon, &status, WNOHANG) == daemon {
        let log = (try? String(contentsOfFile: folder.path + "/slowfs.err", encoding: .utf8)) ?? ""
        throw TestCluster.ClusterError(message: "slowfs.py exited: \(log)")
      }
      usleep(50_000)
    }
    throw TestCluster.ClusterError(message: "slowfs.py did not mount \(mountpoint) within 10 s")
  }

  /// The most getattr/readdir calls that were in flight at once.
  func maxInFlight() throws -> Int {
    try stat("maxInFlight")
  }

  /// The most reads that were in flight at once.
  func maxReadsInFlight() throws -> Int {
    try stat("maxReadsInFlight")
  }

  private func stat(_ name: String) throws -> Int {
    let stats = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: statsFile)))
    return stats[name]?.intValue ?? 0
  }

  /// What slowfs.py serves as the file at `path` (from the mount point): the path and a
  /// newline, repeated to `size` bytes.
  static func content(of path: String, size: Int) -> Data {
    let line = Array((path + "\n").utf8)
    return Data((0..<size).map { line[$0 % line.count] })
  }

  deinit {
    // Kill first: a daemon stuck in a call that never returns would keep a plain unmount waiting.
    kill(daemon, SIGKILL)
    var status: Int32 = 0
    waitpid(daemon, &status, 0)
    _ = try? TestCluster.run("/usr/bin/env", ["fusermount", "-u", "-z", mountpoint])
  }
}
