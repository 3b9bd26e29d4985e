import AuditCore
import Foundation
import Testing

@Suite("check: never writes; unreadable folders", .serialized)
struct CheckSafetyTests {
  /// Name, type, size, mtime and atime (nanoseconds) of everything below `root`, links not followed.
  static func snapshot(_ root: String) -> [String: String] {
    var result: [String: String] = [:]
    func visit(_ path: String) {
      var s = stat()
      guard lstat(path, &s) == 0 else { return }
      result[path] =
        "\(s.st_mode) \(s.st_size) m\(s.st_mtim.tv_sec).\(s.st_mtim.tv_nsec) a\(s.st_atim.tv_sec).\(s.st_atim.tv_nsec)"
      if s.st_mode & S_IFMT == S_IFDIR {
        // scandir-free listing that does not touch atimes: O_NOATIME on the directory.
        let fd = open(path, O_RDONLY | O_DIRECTORY | 0o1000000)
        guard fd >= 0, let dir = fdopendir(fd) else { return }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
          let name = withUnsafeBytes(of: entry.pointee.d_name) {
            String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
          }
          if name != "." && name != ".." { names.append(name) }
        }
        for name in names { visit(path + "/" + name) }
      }
    }
    visit(root)
    return result
  }

  @Test("a check changes nothing: pg_dump, and every name, size, mtime and atime of a fresh tree")
  func neverWrites() throws {
    let scene = try AuditScene()
    try scene.remove(scene.path(endingWith: "000000000002.jpg"))
    try scene.create("/mnt/nas/photos/2025/new.jpg")
    try scene.create("/data/thumbs/stray.webp")
    let dumpBefore = try scene.cluster.dump(scene.database)
    let before = Self.snapshot(scene.folder.path)
    #expect(before.count > 40)
    for format in ["json", "text", "junit"] {
      // Content hashing (--verify all) reads every original: still no atime moves.
      let verify = format == "json" ? ["--verify", "all"] : []
      // Outside the audited tree (which must stay untouched), removed after.
      let metrics = FileManager.default.temporaryDirectory.path + "/immich-audit-\(UUID().uuidString).prom"
      defer { try? FileManager.default.removeItem(atPath: metrics) }
      let (result, _) = try scene.check(verify + ["--prometheus", metrics], format: format)
      #expect(result.status == 1, "\(result.stderr)")
    }
    let after = Self.snapshot(scene.folder.path)
    for (path, value) in before where after[path] != value {
      Issue.record("\(path) changed: \(value) -> \(after[path] ?? "gone")")
    }
    #expect(Set(after.keys) == Set(before.keys))
    #expect(try scene.cluster.dump(scene.database) == dumpBefore)
    // The control: a plain listing of a fresh folder moves its atime here (relatime), so the
    // comparison above could have failed.
    let folder = scene.folder.path + "/nas/photos/2025"
    _ = try FileManager.default.contentsOfDirectory(atPath: folder)
    #expect(Self.snapshot(folder)[folder] != before[folder])
  }

  /// Runs the binary as user `nobody`, from a copy that user can reach.
  static func runAsNobody(_ arguments: [String]) throws -> CLI.Result {
    let bin = try TemporaryFolder()
    chmod(bin.path, 0o755)
    let copy = try CLI.copyExecutable(to: bin.path)
    let env = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/nonexistent"]
    let result = try TestCluster.run(
      "/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", copy] + arguments, environment: env)
    return CLI.Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
  }

  /// Lets `nobody` reach the scene: every folder searchable and readable.
  static func openUp(_ scene: AuditScene) {
    for path in snapshot(scene.folder.path).keys { chmod(path, isDirectory(path) ? 0o755 : 0o644) }
  }

  static func isDirectory(_ path: String) -> Bool {
    var s = stat()
    return lstat(path, &s) == 0 && s.st_mode & S_IFMT == S_IFDIR
  }

  /// Runs check as `nobody` on a scene whose folder `locked` (below the scene) has no permissions.
  static func checkAsNobody(locking locked: String) throws -> (status: Int32, report: JSONValue) {
    let scene = try AuditScene()
    openUp(scene)
    let folder = scene.folder.path + "/" + locked
    chmod(folder, 0o000)
    defer { chmod(folder, 0o755) }
    let result = try runAsNobody(
      ["check", "--format", "json", "--db", scene.cluster.auditorConninfo(scene.database)] + scene.mappingArguments)
    return (result.status, try JSONValue.parse(Data(result.stdout.utf8)))
  }

  @Test("a folder without read permission is one unreadable finding with the paths it hides (run as nobody)")
  func unreadableFolder() throws {
    let (status, report) = try Self.checkAsNobody(locking: "nas/photos/2024")
    #expect(status == 1)
    let unreadable = report.findings("unreadable")
    #expect(unreadable.map { $0["path"]!.stringValue! } == ["/mnt/nas/photos/2024"])
    #expect(unreadable.first?["detail"]?.stringValue == "permission denied; 3 database paths below it not checked")
    #expect(report.nonZeroSummary == ["unreadable": 1])
  }

  @Test("an import path without read permission is root-offline (unreadable), exit 3 (run as nobody)")
  func unreadableRoot() throws {
    let (status, report) = try Self.checkAsNobody(locking: "nas/photos")
    #expect(status == 3)
    #expect(
      report["roots"]?.arrayItems.first { $0["container"]?.stringValue == "/mnt/nas/photos" }?["status"]?.stringValue
        == "unreadable")
    #expect(report.nonZeroSummary == ["root-offline": 1])
  }
}
