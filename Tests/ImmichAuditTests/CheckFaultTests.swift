import AuditCore
import Foundation
import Testing

@Suite("check: faults on disk and in the database")
struct CheckFaultTests {
  @Test("a path too long for the kernel is one unreadable finding that says so")
  func nameTooLong() throws {
    let scene = try AuditScene()
    let long = "/mnt/elsewhere/" + String(repeating: "d/", count: 2100) + "x.jpg"
    try scene.cluster.psql(
      scene.database, "UPDATE asset SET \"originalPath\" = '\(long)' WHERE id = 'a0000000-0000-4000-8000-000000000009'")
    let (result, json) = try scene.check()
    #expect(result.status == 1, "\(result.stderr)")
    let report = try #require(json)
    #expect(report.findings("unreadable").map { $0["path"]!.stringValue! } == [long])
    #expect(report.findings("unreadable").first?["detail"]?.stringValue == "file name too long")
  }

  @Test("100,000 files in one folder of an import path: every one judged")
  func hugeFolder() throws {
    let scene = try AuditScene()
    let folder = scene.folder.path + "/nas/more photos/flat"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for number in 0..<100_000 {
      let fd = open("\(folder)/IMG_\(number).jpg", O_CREAT | O_WRONLY, 0o644)
      close(fd)
    }
    let (result, json) = try scene.check(["--limit", "1"])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(json)
    #expect(report["summary"]?["unindexed-original"]?.intValue == 100_000)
  }
}
