import AuditCore
import Foundation
import Testing

/// UnreferencedFileRule (Sources/AuditCore/Check/Rules/UnreferencedFileRule.swift): files no row references: each case beside a near miss that must not be reported.
@Suite("UnreferencedFileRule: files no row references")
struct UnreferencedFileRuleTests: CheckScenes {
  @Test("unindexed originals follow Immich's crawl: extensions, hidden, exclusions, .xmp")
  func unindexed() throws {
    let scene = try AuditScene()
    try scene.create("/mnt/nas/photos/2025/new.JPG")
    try scene.create("/mnt/nas/more photos/clip.MOV")
    // Near misses: none of these is imported by Immich.
    for path in [
      "/mnt/nas/photos/2025/.hidden.jpg", "/mnt/nas/photos/.cache/x.jpg", "/mnt/nas/photos/2025/@eaDir/x.jpg",
      "/mnt/nas/photos/2025/._x.jpg", "/mnt/nas/photos/2025/notes.txt", "/mnt/nas/photos/2025/new.JPG.xmp",
      "/mnt/nas/photos/2025/noextension",
    ] {
      try scene.create(path)
    }
    // A file of a deleted library's folder is not under any root.
    try scene.create("/mnt/archive/new.jpg")
    let report = try run(scene)
    #expect(
      report.findings("unindexed-original").map { $0["path"]!.stringValue! } == [
        "/mnt/nas/more photos/clip.MOV", "/mnt/nas/photos/2025/new.JPG",
      ])
    #expect(report.nonZeroSummary == ["unindexed-original": 2, "missing-original-trashed": 1])
    #expect(report["exitCode"]?.intValue == 0)
  }

  @Test("nested and repeated import paths of one library: each file judged once")
  func nestedImportPaths() throws {
    let scene = try AuditScene()
    try scene.cluster.psql(
      scene.database,
      "UPDATE library SET \"importPaths\" = ARRAY['/mnt/nas/photos/', '/mnt/nas/photos/2024', '/mnt/nas/photos'] "
        + "WHERE name = 'NAS Photos'"
    )
    try scene.create("/mnt/nas/photos/2024/new.jpg")
    try scene.create("/mnt/nas/photos/2025/other.jpg")
    let report = try run(scene)
    #expect(
      report.findings("unindexed-original").map { $0["path"]!.stringValue! } == [
        "/mnt/nas/photos/2024/new.jpg", "/mnt/nas/photos/2025/other.jpg",
      ])
    #expect(
      report["roots"]?.arrayItems.filter { $0["kind"]?.stringValue == "import-path" }.map {
        $0["container"]!.stringValue!
      } == ["/mnt/nas/photos", "/mnt/nas/photos/2024"])
    #expect(report.nonZeroSummary == ["unindexed-original": 2, "missing-original-trashed": 1])
  }

  @Test("two libraries on one import path, and one nested in another's: each walks it and judges every file for itself")
  func sharedImportPaths() throws {
    let scene = try AuditScene()
    // Bob's libraries point at Alice's share (the same folder, and a folder below it) and have
    // no assets yet: every supported file there is unindexed for each of them.
    try scene.cluster.psql(
      scene.database,
      """
      INSERT INTO library (id, name, "ownerId", "importPaths", "exclusionPatterns") VALUES
        ('aaaaaaaa-0000-4000-8000-000000000003', 'Shared', '22222222-2222-4222-8222-222222222222',
         ARRAY['/mnt/nas/photos'], ARRAY[]::text[]),
        ('aaaaaaaa-0000-4000-8000-000000000004', 'Shared 2024', '22222222-2222-4222-8222-222222222222',
         ARRAY['/mnt/nas/photos/2024'], ARRAY[]::text[])
      """)
    let media = Set(
      scene.files.keys.filter {
        $0.hasPrefix("/mnt/nas/photos/") && ImportPathRules.hasSupportedExtension(Array($0.utf8))
          && FileManager.default.fileExists(atPath: scene.hostPath($0))
      })
    #expect(!media.isEmpty)
    func unindexed(_ report: JSONValue, library: String) -> Set<String> {
      Set(
        report.findings("unindexed-original").filter {
          $0["libraryId"]?.stringValue == "aaaaaaaa-0000-4000-8000-00000000000\(library)"
        }.map { $0["path"]!.stringValue! })
    }
    // The walks of the three roots meet the same folders at once; none may take another's.
    for _ in 0..<3 {
      let report = try run(scene)
      #expect(report["exitCode"]?.intValue == 0)
      #expect(report.findings("root-offline").isEmpty, "\(report.findings("root-offline"))")
      let shared =
        report["roots"]?.arrayItems.filter {
          ["/mnt/nas/photos", "/mnt/nas/photos/2024"].contains($0["container"]?.stringValue)
        } ?? []
      #expect(shared.count == 3)
      #expect(shared.allSatisfy { $0["status"]?.stringValue == "ok" }, "\(shared)")
      // Each root counts every database path under it, also those a root inside it walks.
      func figures(_ container: String) -> [[Int]] {
        shared.filter { $0["container"]?.stringValue == container }.map {
          [$0["expectedFiles"]!.intValue!, $0["presentFiles"]!.intValue!]
        }
      }
      let whole = figures("/mnt/nas/photos")
      let year = figures("/mnt/nas/photos/2024")
      #expect(whole.count == 2 && whole[0] == whole[1] && whole[0][0] > 0, "\(whole)")
      #expect(
        year.count == 1 && year[0][0] > 0 && year[0][0] <= whole[0][0] && year[0][1] <= whole[0][1],
        "\(year) within \(whole)")
      #expect(unindexed(report, library: "1").isEmpty)
      #expect(unindexed(report, library: "3") == media)
      #expect(unindexed(report, library: "4") == media.filter { $0.hasPrefix("/mnt/nas/photos/2024/") })
      #expect(!unindexed(report, library: "4").isEmpty)
    }
    // A photo moved within the share is unindexed for all three libraries, and still one
    // candidate of its asset's likely-moved.
    let moved = try #require(media.first { $0.hasPrefix("/mnt/nas/photos/2024/") })
    let destination = "/mnt/nas/photos/2024/moved/" + (moved as NSString).lastPathComponent
    try FileManager.default.createDirectory(
      atPath: (scene.hostPath(destination) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: scene.hostPath(moved), toPath: scene.hostPath(destination))
    let report = try run(scene)
    #expect(report.findings("unindexed-original").filter { $0["path"]?.stringValue == destination }.count == 3)
    // The same path found for three libraries: in the order of their ids, every run.
    #expect(
      report.findings("unindexed-original").filter { $0["path"]?.stringValue == destination }.map {
        $0["libraryId"]!.stringValue!
      }
        == [
          "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000003",
          "aaaaaaaa-0000-4000-8000-000000000004",
        ])
    let likelyMoved = report.findings("likely-moved").filter { $0["path"]?.stringValue == moved }
    #expect(likelyMoved.count == 1)
    #expect(likelyMoved.first?["candidates"]?.arrayItems.map { $0["path"]!.stringValue! } == [destination])
  }

  @Test("a file under upload/ or library/ that no asset or sidecar references is untracked; markers are not")
  func untrackedUpload() throws {
    let scene = try AuditScene()
    let stray = "/data/upload/11111111-1111-4111-8111-111111111111/zz/zz/stray.jpg"
    try scene.create(stray)
    try scene.create("/data/library/admin/2024/notes.txt")
    let report = try run(scene)
    #expect(
      report.findings("untracked-upload").map { $0["path"]!.stringValue! } == [
        "/data/library/admin/2024/notes.txt", stray,
      ])
    #expect(
      report.findings("untracked-upload").first?["hostPath"]?.stringValue == scene.media
        + "/library/admin/2024/notes.txt")
  }

  @Test(
    "on every generation: a new photo in an import path and a stray upload; hidden and non-media files are not",
    arguments: Fixture.generations)
  func everyGeneration(generation: String) throws {
    let scene = try AuditScene(generation)
    let stray = scene.mediaPrefix + "/upload/11111111-1111-4111-8111-111111111111/zz/zz/stray.jpg"
    try scene.create("/mnt/nas/photos/2025/new.JPG")
    try scene.create("/mnt/nas/photos/2025/.hidden.jpg")
    try scene.create("/mnt/nas/photos/2025/notes.txt")
    try scene.create(stray)
    let report = try run(scene)
    #expect(paths(report, "unindexed-original") == ["/mnt/nas/photos/2025/new.JPG"])
    #expect(paths(report, "untracked-upload") == [stray])
    #expect(report.nonZeroSummary == ["unindexed-original": 1, "untracked-upload": 1, "missing-original-trashed": 1])
  }
}
