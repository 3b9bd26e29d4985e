import AuditCore
import Foundation
import Testing

/// BootBlockerRule (Sources/AuditCore/Check/Rules/BootBlockerRule.swift): markers Immich reads
/// at start; each case beside a near miss that must not be reported.
@Suite("BootBlockerRule: media folder markers Immich refuses to start without")
struct BootBlockerRuleTests: CheckScenes {
  @Test(
    "from v1.115 a missing or unreadable marker blocks Immich; before, no marker is checked",
    arguments: Fixture.generations)
  func everyGeneration(generation: String) throws {
    let scene = try AuditScene(generation)
    try FileManager.default.removeItem(atPath: scene.media + "/thumbs/.immich")
    // A directory where the marker should be: Immich cannot read it either.
    try FileManager.default.removeItem(atPath: scene.media + "/backups/.immich")
    try FileManager.default.createDirectory(
      atPath: scene.media + "/backups/.immich", withIntermediateDirectories: false)
    let (status, report) = try runWithStatus(scene)
    if generation == "immich-v1.106" {
      #expect(paths(report, "boot-blocker") == [])
      #expect(status == 0)
      return
    }
    #expect(
      paths(report, "boot-blocker") == ["\(scene.mediaPrefix)/backups/.immich", "\(scene.mediaPrefix)/thumbs/.immich"])
    let finding = try #require(report.findings("boot-blocker").last)
    #expect(finding["severity"]?.stringValue == "error")
    #expect(finding["hostPath"]?.stringValue == scene.media + "/thumbs/.immich")
    #expect(finding["detail"]?.stringValue?.contains("Immich refuses to start") == true)
    // Failing by default.
    #expect(status == 1)
    #expect(report["exitCode"]?.intValue == 1)
    #expect(root(report, "\(scene.mediaPrefix)/thumbs")?["marker"] == .bool(false))
  }

  @Test("near misses: a folder whose check is not recorded; the .env telling Immich to ignore mount errors")
  func nearMiss() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.media + "/profile/.immich")
    try scene.cluster.psql(
      scene.database,
      "UPDATE system_metadata SET value = jsonb_set(value, '{mountChecks,profile}', 'false') WHERE key = 'system-flags'"
    )
    #expect(paths(try run(scene), "boot-blocker") == [])

    try FileManager.default.removeItem(atPath: scene.media + "/upload/.immich")
    let env = scene.folder.path + "/immich.env"
    try Data("IMMICH_IGNORE_MOUNT_CHECK_ERRORS=true\n".utf8).write(to: URL(fileURLWithPath: env))
    let (status, report) = try runWithStatus(scene, ["--immich-env", env])
    #expect(paths(report, "boot-blocker") == ["/data/upload/.immich"])
    #expect(report.findings("boot-blocker").first?["severity"]?.stringValue == "info")
    #expect(report.findings("boot-blocker").first?["detail"]?.stringValue?.contains("IMMICH_IGNORE") == true)
    #expect(status == 0)
  }

  @Test("an offline upload folder is both offline and a boot blocker: the marker concerns the folder")
  func offlineFolder() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.media + "/upload")
    let (status, report) = try runWithStatus(scene)
    #expect(paths(report, "boot-blocker") == ["/data/upload/.immich"])
    #expect(paths(report, "root-offline").contains("/data/upload"))
    #expect(status == 3)
  }
}
