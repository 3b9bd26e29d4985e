import AuditCore
import Foundation
import Testing

@Suite("check: the mount guard and likely-moved")
struct CheckRootTests {
  func run(_ scene: AuditScene, _ extra: [String] = []) throws -> (status: Int32, report: JSONValue) {
    let (result, json) = try scene.check(extra)
    return (result.status, try #require(json, "\(result.stdout)\(result.stderr)"))
  }

  func root(_ report: JSONValue, _ container: String) -> JSONValue? {
    report["roots"]?.arrayItems.first { $0["container"]?.stringValue == container }
  }

  @Test("an unmounted import path is one root-offline finding, its files counted not listed, exit 3")
  func missingImportPath() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.folder.path + "/nas/photos")
    let (status, report) = try run(scene)
    #expect(status == 3)
    let offline = report.findings("root-offline")
    #expect(offline.map { $0["path"]!.stringValue! } == ["/mnt/nas/photos"])
    #expect(offline.first?["severity"]?.stringValue == "error")
    #expect(offline.first?["libraryId"]?.stringValue == "aaaaaaaa-0000-4000-8000-000000000001")
    #expect(
      offline.first?["detail"]?.stringValue
        == "folder missing (not mounted, or mapped to the wrong host path?); the database expects 3 files under it, "
        + "0 present"
    )
    #expect(root(report, "/mnt/nas/photos")?["status"]?.stringValue == "missing")
    #expect(root(report, "/mnt/nas/photos")?["expectedFiles"]?.intValue == 3)
    // Nothing under it is listed: not img5's missing original, nor img6's trashed one, nor the sidecar.
    #expect(report.nonZeroSummary == ["root-offline": 1])
    // Exit 3 whatever --fail-on says.
    let (relaxed, _) = try run(scene, ["--fail-on", "missing-sidecar"])
    #expect(relaxed == 3)
  }

  @Test("an empty import path (share not mounted) that should hold files is offline with status empty")
  func emptyImportPath() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.folder.path + "/nas/photos")
    try FileManager.default.createDirectory(
      atPath: scene.folder.path + "/nas/photos", withIntermediateDirectories: true)
    let (status, report) = try run(scene)
    #expect(status == 3)
    #expect(root(report, "/mnt/nas/photos")?["status"]?.stringValue == "empty")
    #expect(
      report.findings("root-offline").first?["detail"]?.stringValue
        == "folder is empty (not mounted?); the database expects 3 files under it, 0 present")
    // An empty import path that should hold nothing is fine.
    #expect(root(report, "/mnt/nas/more photos")?["status"]?.stringValue == "empty")
    #expect(report.findings("root-offline").count == 1)
  }

  @Test("an import path that is a file is offline: not-a-directory")
  func importPathIsAFile() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.folder.path + "/nas/more photos")
    try scene.folder.write("nas/more photos", "not a folder")
    let (status, report) = try run(scene)
    #expect(status == 3)
    #expect(root(report, "/mnt/nas/more photos")?["status"]?.stringValue == "not-a-directory")
  }

  @Test("a missing thumbs/ is info and does not exit 3; profile/ is a warning")
  func regenerableRoots() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.media + "/thumbs")
    try FileManager.default.removeItem(atPath: scene.media + "/profile")
    let (status, report) = try run(scene)
    #expect(status == 0)
    let offline = report.findings("root-offline")
    #expect(
      offline.map { "\($0["path"]!.stringValue!) \($0["severity"]!.stringValue!)" } == [
        "/data/profile warning", "/data/thumbs info",
      ])
    #expect(report.findings("missing-derivative").isEmpty)
    #expect(report.findings("missing-person-thumbnail").isEmpty)
  }

  @Test("a media folder without its .immich marker: marker false, no finding")
  func marker() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.media + "/upload/.immich")
    let (status, report) = try run(scene)
    #expect(status == 0)
    #expect(root(report, "/data/upload")?["marker"] == JSONValue.bool(false))
    #expect(root(report, "/data/thumbs")?["marker"] == JSONValue.bool(true))
    #expect(report.nonZeroSummary == ["missing-original-trashed": 1])
  }

  @Test("a media root mapped to the wrong folder holds none of its files: offline, exit 3")
  func misMapped() throws {
    let scene = try AuditScene()
    let wrong = try TemporaryFolder()
    try FileManager.default.createDirectory(atPath: wrong.path + "/upload/x", withIntermediateDirectories: true)
    try wrong.write("upload/x/holiday.jpg", "jpeg")
    let result = try CLI.run([
      "check", "--db", scene.conninfo, "--format", "json", "--media-root", wrong.path, "--map",
      "/mnt/nas=\(scene.folder.path)/nas",
    ])
    #expect(result.status == 3)
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    #expect(root(report, "/data/upload")?["status"]?.stringValue == "ok")
    #expect(root(report, "/data/upload")?["presentFiles"]?.intValue == 0)
    let upload = report.findings("root-offline").first { $0["path"]?.stringValue == "/data/upload" }
    #expect(
      upload?["detail"]?.stringValue
        == "none of the expected files is there (mapped to the wrong host path?); the database expects 7 files under "
        + "it, 0 present"
    )
    // Nothing under the offline root is listed, not even its unrelated file.
    #expect(report.findings("untracked-upload").isEmpty)
  }

  @Test("a root used as it is appears among the mappings as identity")
  func identityMappings() throws {
    let scene = try AuditScene()
    let result = try CLI.run(["check", "--db", scene.conninfo, "--format", "json", "--media-root", scene.media])
    #expect(result.status == 3)
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    let mappings = report["mappings"]?.arrayItems.map {
      "\($0["container"]!.stringValue!) \($0["host"]!.stringValue!) \($0["source"]!.stringValue!)"
    }
    #expect(
      mappings == [
        "/data \(scene.media) --media-root", "/mnt/nas/photos /mnt/nas/photos identity",
        "/mnt/nas/more photos /mnt/nas/more photos identity",
      ])
  }

  @Test("moved within an import path: missing, unindexed, and likely-moved naming where it went")
  func movedInImportPath() throws {
    let scene = try AuditScene()
    try scene.remove("/mnt/nas/photos/2024/img5.jpg")
    try scene.create("/mnt/nas/photos/2025/summer/img5.jpg", size: 700)
    let (status, report) = try run(scene)
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
    let (_, report) = try run(scene)
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
    let (_, report) = try run(scene)
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
    let (status, report) = try run(scene)
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
    let (_, report) = try run(scene)
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
}
