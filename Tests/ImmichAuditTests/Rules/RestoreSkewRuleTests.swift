import AuditCore
import Foundation
import Testing

/// RestoreSkewRule (Sources/AuditCore/Check/Rules/RestoreSkewRule.swift): the newest uploads
/// all without an original, and the report's restore point; each case beside a near miss.
@Suite("RestoreSkewRule: a file backup older than the database")
struct RestoreSkewRuleTests: CheckScenes {
  /// Makes Bob's two photos the newest uploads and the admin's photo 2 the third newest.
  static func newestUploads(_ scene: AuditScene) throws {
    let table = scene.generation == "immich-v1.106" || scene.generation == "immich-v1.123" ? "assets" : "asset"
    for (asset, createdAt) in [
      (9, "2024-07-01 11:00:00+00"), (8, "2024-07-01 10:00:00+00"), (2, "2024-06-30 00:00:00+00"),
    ] {
      try scene.cluster.psql(
        scene.database,
        "UPDATE \(table) SET \"createdAt\" = '\(createdAt)' WHERE id = 'a0000000-0000-4000-8000-00000000000\(asset)'")
    }
  }

  @Test(
    "on every generation: the three newest uploads missing make one finding with its window",
    arguments: Fixture.generations)
  func skew(generation: String) throws {
    let scene = try AuditScene(generation)
    try Self.newestUploads(scene)
    for suffix in ["000000000009.jpg", "000000000008.jpg", "000000000002.jpg"] {
      try scene.remove(scene.path(endingWith: suffix))
    }
    try scene.createDump(scene.mediaPrefix + "/backups/immich-db-backup-1733000000000.sql.gz")
    try scene.create(scene.mediaPrefix + "/backups/immich-db-backup-20250101T000000-v3.1.0-pg14.19.sql.gz.tmp")
    let report = try run(scene)
    #expect(paths(report, "restore-skew") == ["\(scene.mediaPrefix)/upload"])
    let finding = try #require(report.findings("restore-skew").first)
    #expect(finding["severity"]?.stringValue == "warning")
    #expect(finding["assets"]?.intValue == 3)
    #expect(
      finding["window"]
        == .object([("from", .string("2024-06-30T00:00:00Z")), ("to", .string("2024-07-01T11:00:00Z"))]))
    #expect(finding["byOwner"] == .object([(Fixture.admin, .int(1)), (Fixture.bob, .int(2))]))
    #expect(
      report["restorePoint"]
        == .object([
          ("newestAssetCreatedAt", .string("2024-07-01T11:00:00Z")),
          ("newestDump", .string("immich-db-backup-1733000000000.sql.gz")), ("skewAssets", .int(3)),
        ]))
    // Not failing of its own: the missing originals fail the run.
    #expect(report["exitCode"]?.intValue == 1)
  }

  @Test("near misses: the newest upload present; a single missing newest upload", arguments: Fixture.generations)
  func nearMiss(generation: String) throws {
    let scene = try AuditScene(generation)
    try Self.newestUploads(scene)
    try scene.remove(scene.path(endingWith: "000000000008.jpg"))
    try scene.remove(scene.path(endingWith: "000000000002.jpg"))
    var report = try run(scene)
    #expect(paths(report, "restore-skew") == [])
    #expect(report["restorePoint"]?["skewAssets"]?.intValue == 0)
    #expect(
      report["restorePoint"]?["newestDump"]?.stringValue == "immich-db-backup-20241124T000000-v3.1.0-pg14.19.sql.gz")

    try scene.remove(scene.path(endingWith: "000000000009.jpg"))
    try scene.create(scene.path(endingWith: "000000000008.jpg"), size: 900)
    report = try run(scene)
    #expect(paths(report, "restore-skew") == [])
    #expect(report["summary"]?["restore-skew"]?.intValue == 0)
  }

  @Test("no dump in backups/: newestDump is null")
  func noDump() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(
      atPath: scene.media + "/backups/immich-db-backup-20241124T000000-v3.1.0-pg14.19.sql.gz")
    let report = try run(scene)
    #expect(report["restorePoint"]?["newestDump"] == .null)
    #expect(report["restorePoint"]?["newestAssetCreatedAt"]?.stringValue != nil)
  }
}
