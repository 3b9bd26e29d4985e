import AuditCore
import Foundation
import Testing

/// LikelyMovedRule (Sources/AuditCore/Check/Rules/LikelyMovedRule.swift): missing originals paired with files that look like them: each case beside a near miss that must not be reported.
@Suite("LikelyMovedRule: missing originals paired with files that look like them")
struct LikelyMovedRuleTests: CheckScenes {
  @Test("moved within an import path: missing, unindexed, and likely-moved naming where it went")
  func movedInImportPath() throws {
    let scene = try AuditScene()
    try scene.remove("/mnt/nas/photos/2024/img5.jpg")
    try scene.create("/mnt/nas/photos/2025/summer/img5.jpg", size: 700)
    let (status, report) = try runWithStatus(scene)
    #expect(status == 1)
    #expect(report.findings("missing-original").map { $0["path"]!.stringValue! } == ["/mnt/nas/photos/2024/img5.jpg"])
    #expect(
      report.findings("unindexed-original").map { $0["path"]!.stringValue! } == ["/mnt/nas/photos/2025/summer/img5.jpg"]
    )
    let moved = try #require(report.findings("likely-moved").first)
    #expect(moved["path"]?.stringValue == "/mnt/nas/photos/2024/img5.jpg")
    #expect(moved["assetId"]?.stringValue == "a0000000-0000-4000-8000-000000000005")
    #expect(
      moved["candidates"]?.arrayItems.map { $0["path"]!.stringValue! } == ["/mnt/nas/photos/2025/summer/img5.jpg"])
    #expect(
      moved["candidates"]?.arrayItems.first?["hostPath"]?.stringValue == scene.folder.path
        + "/nas/photos/2025/summer/img5.jpg")
  }

  @Test("a same-named file of another size is no candidate")
  func sizeMustMatch() throws {
    let scene = try AuditScene()
    try scene.remove("/mnt/nas/photos/2024/img5.jpg")
    try scene.create("/mnt/nas/photos/2025/img5.jpg", size: 701)
    let (_, report) = try runWithStatus(scene)
    #expect(report.findings("likely-moved").isEmpty)
    #expect(report.findings("unindexed-original").count == 1)
  }

  @Test("several candidates: at most three, nearest folder first")
  func severalCandidates() throws {
    let scene = try AuditScene()
    try scene.remove("/mnt/nas/photos/2024/img5.jpg")
    for folder in [
      "/mnt/nas/more photos/a/b/c", "/mnt/nas/photos/2024/sub", "/mnt/nas/photos/x/y", "/mnt/nas/photos/2023",
    ] {
      try scene.create(folder + "/img5.jpg", size: 700)
    }
    let (_, report) = try runWithStatus(scene)
    let candidates = report.findings("likely-moved").first?["candidates"]?.arrayItems.map { $0["path"]!.stringValue! }
    #expect(
      candidates == [
        "/mnt/nas/photos/2024/sub/img5.jpg", "/mnt/nas/photos/2023/img5.jpg", "/mnt/nas/photos/x/y/img5.jpg",
      ])
    #expect(report.findings("likely-moved").first?["detail"]?.stringValue?.contains("and 3 more") == true)
  }

  @Test("a storage-template move under library/: found by the name at upload")
  func storageTemplateMove() throws {
    let scene = try AuditScene()
    let original = scene.path(endingWith: "000000000008.jpg")
    try scene.remove(original)
    try scene.create("/data/library/22222222-2222-4222-8222-222222222222/2024/2024-05-03/cat.jpg", size: 900)
    let (status, report) = try runWithStatus(scene)
    #expect(status == 1)
    #expect(
      report.findings("untracked-upload").map { $0["path"]!.stringValue! } == [
        "/data/library/22222222-2222-4222-8222-222222222222/2024/2024-05-03/cat.jpg"
      ])
    #expect(report.findings("likely-moved").first?["path"]?.stringValue == original)
    #expect(report.findings("likely-moved").first?["candidates"]?.arrayItems.count == 1)
  }

  @Test("a trashed asset and an offline asset whose files moved are linked too")
  func trashedAndOfflineMoved() throws {
    let scene = try AuditScene()
    let trashed = scene.path(endingWith: "000000000004.jpg")
    try scene.remove(trashed)
    try scene.create("/data/upload/11111111-1111-4111-8111-111111111111/moved/IMG_0004.jpg", size: 512)
    try scene.create("/mnt/nas/photos/2025/img6.jpg", size: 800)
    let (_, report) = try runWithStatus(scene)
    #expect(
      Set(report.findings("likely-moved").map { $0["path"]!.stringValue! }) == [
        trashed, "/mnt/nas/photos/2024/img6.jpg",
      ])
    #expect(
      Set(report.findings("missing-original-trashed").map { $0["path"]!.stringValue! }) == [
        trashed, "/mnt/nas/photos/2024/img6.jpg",
      ])
    #expect(report.findings("missing-original").isEmpty)
  }

  @Test(
    "on every generation: a moved external original is paired with where it went; another size is not",
    arguments: Fixture.generations)
  func everyGeneration(generation: String) throws {
    let scene = try AuditScene(generation)
    try scene.remove("/mnt/nas/photos/2024/img5.jpg")
    try scene.create("/mnt/nas/photos/2025/img5.jpg", size: 700)
    try scene.create("/mnt/nas/photos/2023/img5.jpg", size: 699)
    let (_, report) = try runWithStatus(scene)
    let moved = report.findings("likely-moved")
    #expect(moved.map { $0["path"]!.stringValue! } == ["/mnt/nas/photos/2024/img5.jpg"])
    #expect(
      moved.first?["candidates"]?.arrayItems.map { $0["path"]!.stringValue! } == ["/mnt/nas/photos/2025/img5.jpg"])
  }
}
