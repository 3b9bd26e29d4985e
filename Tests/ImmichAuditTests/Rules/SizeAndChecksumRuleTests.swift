import AuditCore
import Foundation
import Testing

/// SizeAndChecksumRule (Sources/AuditCore/Check/Rules/SizeAndChecksumRule.swift): files that are there but not the file described: each case beside a near miss that must not be reported.
@Suite("SizeAndChecksumRule: files that are there but not the file described")
struct SizeAndChecksumRuleTests: CheckScenes {
  @Test("size mismatch against fileSizeInByte; no exif row means no size check; --verify none skips it")
  func sizeMismatch() throws {
    let scene = try AuditScene()
    try scene.create(Self.img5, size: 1)
    try scene.create(scene.path(endingWith: "000000000009.jpg"), size: 12345)
    let report = try run(scene)
    #expect(report.findings("size-mismatch").map { $0["path"]!.stringValue! } == [Self.img5])
    #expect(report.findings("size-mismatch").first?["detail"]?.stringValue == "1 bytes on disk, 700 in the database")
    #expect(report["exitCode"]?.intValue == 1)
    let none = try run(scene, ["--verify", "none"])
    #expect(none.findings("size-mismatch").isEmpty)
    #expect(none["verification"]?["tier"]?.stringValue == "none")
  }

  @Test(
    "a path-hashed asset whose checksum is not sha1(path:…) was edited by hand",
    arguments: ["immich-v3.1", "immich-v2.5", "immich-v1.106"])
  func pathChecksum(generation: String) throws {
    let scene = try AuditScene(generation)
    let table = generation == "immich-v1.106" ? "assets" : "asset"
    // As if someone had rewritten the path in the database after import.
    try scene.cluster.psql(
      scene.database,
      "UPDATE \(table) SET \"originalPath\" = '/mnt/nas/photos/2024/renamed.jpg' WHERE id = "
        + "'a0000000-0000-4000-8000-000000000005'"
    )
    try scene.create("/mnt/nas/photos/2024/renamed.jpg", size: 700)
    let report = try run(scene)
    #expect(
      report.findings("path-checksum-mismatch").map { $0["path"]!.stringValue! } == ["/mnt/nas/photos/2024/renamed.jpg"]
    )
    #expect(report.findings("path-checksum-mismatch").first?["severity"]?.stringValue == "warning")
    // Content-hashed uploads are never judged by their path.
    #expect(report.findings("path-checksum-mismatch").count == 1)
  }

  @Test(
    "on every generation: a size other than fileSizeInByte; an original without a recorded size is not compared",
    arguments: Fixture.generations)
  func everyGeneration(generation: String) throws {
    let scene = try AuditScene(generation)
    try scene.create(Self.img5, size: 1)
    try scene.create(scene.path(endingWith: "000000000009.jpg"), size: 12345)
    let report = try run(scene)
    #expect(paths(report, "size-mismatch") == [Self.img5])
    #expect(report.nonZeroSummary == ["size-mismatch": 1, "missing-original-trashed": 1])
  }
}
