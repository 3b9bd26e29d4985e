import AuditCore
import Foundation
import Testing

/// DerivativeRule (Sources/AuditCore/Check/Rules/DerivativeRule.swift): generated files missing or orphaned: each case beside a near miss that must not be reported.
@Suite("DerivativeRule: generated files missing or orphaned")
struct DerivativeRuleTests: CheckScenes {
  @Test("orphaned derivatives; HLS session folders, motion parts, profile extras and backups are not")
  func orphanedDerivative() throws {
    let scene = try AuditScene()
    let orphan =
      "/data/thumbs/11111111-1111-4111-8111-111111111111/ff/ff/ffffffff-0000-4000-8000-000000000000_preview.jpeg"
    try scene.create(orphan)
    try scene.create(
      "/data/encoded-video/11111111-1111-4111-8111-111111111111/ff/ff/ffffffff-0000-4000-8000-000000000000.mp4")
    try scene.create(
      "/data/encoded-video/11111111-1111-4111-8111-111111111111/5e/55/5e550000-0000-4000-8000-000000000000"
        + "/720p/seg_1.m4s"
    )
    try scene.create("/data/profile/11111111-1111-4111-8111-111111111111/old-avatar.jpg")
    try scene.createDump("/data/backups/immich-db-backup-20241125T000000-v3.1.0-pg14.19.sql.gz")
    let report = try run(scene)
    #expect(
      report.findings("orphaned-derivative").map { $0["path"]!.stringValue! } == [
        "/data/encoded-video/11111111-1111-4111-8111-111111111111/ff/ff/ffffffff-0000-4000-8000-000000000000.mp4",
        orphan,
      ])
    #expect(report.nonZeroSummary == ["orphaned-derivative": 2, "missing-original-trashed": 1])
  }

  @Test(
    "on every generation: a missing encoded video and a stray preview; Immich's own backups are not",
    arguments: Fixture.generations)
  func everyGeneration(generation: String) throws {
    let scene = try AuditScene(generation)
    let encoded = scene.path(
      endingWith: "encoded-video/11111111-1111-4111-8111-111111111111/a0/00/a0000000-0000-4000-8000-000000000003.mp4")
    try scene.remove(encoded)
    let orphan =
      scene.mediaPrefix
      + "/thumbs/11111111-1111-4111-8111-111111111111/ff/ff/ffffffff-0000-4000-8000-000000000000_preview.jpeg"
    try scene.create(orphan)
    try scene.createDump(scene.mediaPrefix + "/backups/immich-db-backup-20241125T000000-v3.1.0-pg14.19.sql.gz")
    let report = try run(scene)
    #expect(paths(report, "missing-derivative") == [encoded])
    #expect(paths(report, "orphaned-derivative") == [orphan])
    #expect(report["exitCode"]?.intValue == 0)
  }
}
