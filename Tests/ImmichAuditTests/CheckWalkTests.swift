import AuditCore
import Foundation
import Testing

/// How the walk treats folders and names: followed links, loops walked once, any bytes in a name.
@Suite("check: the walk: symbolic links and names that are not plain text")
struct CheckWalkTests: CheckScenes {
  @Test("a symlinked folder is followed; a symlink loop is walked once")
  func symlinks() throws {
    let scene = try AuditScene()
    let real = scene.folder.path + "/elsewhere/2024"
    try FileManager.default.createDirectory(atPath: scene.folder.path + "/elsewhere", withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: scene.folder.path + "/nas/photos/2024", toPath: real)
    try FileManager.default.createSymbolicLink(
      atPath: scene.folder.path + "/nas/photos/2024", withDestinationPath: real)
    try FileManager.default.createSymbolicLink(atPath: real + "/loop", withDestinationPath: "..")
    try scene.create("/mnt/nas/photos/2024/new.jpg")
    let report = try run(scene)
    #expect(report.nonZeroSummary == ["unindexed-original": 1, "missing-original-trashed": 1])
    #expect(report.findings("unindexed-original").first?["path"]?.stringValue == "/mnt/nas/photos/2024/new.jpg")
  }

  @Test("names with a newline and with invalid UTF-8 survive in JSON (pathBase64)")
  func unusualNames() throws {
    let scene = try AuditScene()
    try scene.create("/mnt/nas/photos/2024/line\nbreak.jpg")
    var bytes = Array((scene.folder.path + "/nas/photos/2024/caf").utf8) + [0xE9] + Array(".jpg".utf8) + [0]
    let fd = bytes.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
        open($0, O_CREAT | O_WRONLY, 0o644)
      }
    }
    #expect(fd >= 0)
    close(fd)
    let report = try run(scene)
    let paths = report.findings("unindexed-original").map { $0["path"]!.stringValue! }
    #expect(paths == ["/mnt/nas/photos/2024/caf\u{FFFD}.jpg", "/mnt/nas/photos/2024/line\nbreak.jpg"])
    let invalid = try #require(report.findings("unindexed-original").first)
    let decoded = try #require(Data(base64Encoded: invalid["pathBase64"]?.stringValue ?? ""))
    #expect(Array(decoded) == Array("/mnt/nas/photos/2024/caf".utf8) + [0xE9] + Array(".jpg".utf8))
    #expect(invalid["hostPathBase64"] != nil)
    #expect(report.findings("unindexed-original").last?["pathBase64"] == nil)
  }
}
