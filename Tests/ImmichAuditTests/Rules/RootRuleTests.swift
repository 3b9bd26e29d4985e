import AuditCore
import Foundation
import Testing

/// RootRules (Sources/AuditCore/Check/Rules/RootRules.swift): the mount guard: each case beside a near miss that must not be reported.
@Suite("RootRules: the mount guard")
struct RootRuleTests: CheckScenes {
  @Test("an unmounted import path is one root-offline finding, its files counted not listed, exit 3")
  func missingImportPath() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.folder.path + "/nas/photos")
    let (status, report) = try runWithStatus(scene)
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
    let (relaxed, _) = try runWithStatus(scene, ["--fail-on", "missing-sidecar"])
    #expect(relaxed == 3)
  }

  @Test("an empty import path (share not mounted) that should hold files is offline with status empty")
  func emptyImportPath() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.folder.path + "/nas/photos")
    try FileManager.default.createDirectory(
      atPath: scene.folder.path + "/nas/photos", withIntermediateDirectories: true)
    let (status, report) = try runWithStatus(scene)
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
    let (status, report) = try runWithStatus(scene)
    #expect(status == 3)
    #expect(root(report, "/mnt/nas/more photos")?["status"]?.stringValue == "not-a-directory")
  }

  @Test("a missing thumbs/ is info and does not exit 3; profile/ is a warning")
  func regenerableRoots() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.media + "/thumbs")
    try FileManager.default.removeItem(atPath: scene.media + "/profile")
    let (status, report) = try runWithStatus(scene)
    // Not 3: what fails the run is Immich's refusal to start without the folders' markers.
    #expect(status == 1)
    #expect(paths(report, "boot-blocker") == ["/data/profile/.immich", "/data/thumbs/.immich"])
    let offline = report.findings("root-offline")
    #expect(
      offline.map { "\($0["path"]!.stringValue!) \($0["severity"]!.stringValue!)" } == [
        "/data/profile warning", "/data/thumbs info",
      ])
    #expect(report.findings("missing-derivative").isEmpty)
    #expect(report.findings("missing-person-thumbnail").isEmpty)
  }

  @Test("a missing media folder the database expects nothing in is info and does not exit 3 (a v1.106 library/)")
  func unusedFolder() throws {
    let scene = try AuditScene("immich-v1.106")
    try FileManager.default.removeItem(atPath: scene.media + "/library")
    let (status, report) = try runWithStatus(scene)
    #expect(status == 0)
    #expect(
      report.findings("root-offline").map { "\($0["path"]!.stringValue!) \($0["severity"]!.stringValue!)" } == [
        "upload/library info"
      ])
    #expect(root(report, "upload/library")?["status"]?.stringValue == "missing")
  }

  @Test("a media folder without its .immich marker whose check system-flags does not record: marker false, no finding")
  func marker() throws {
    let scene = try AuditScene()
    try scene.cluster.psql(
      scene.database, "UPDATE system_metadata SET value = '{\"mountChecks\": {}}' WHERE key = 'system-flags'")
    try FileManager.default.removeItem(atPath: scene.media + "/upload/.immich")
    let (status, report) = try runWithStatus(scene)
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

  @Test(
    "on every generation: an unmounted import path is one root-offline finding; an empty one expecting nothing is not offline",
    arguments: Fixture.generations)
  func everyGeneration(generation: String) throws {
    let scene = try AuditScene(generation)
    try FileManager.default.removeItem(atPath: scene.folder.path + "/nas/photos")
    let (status, report) = try runWithStatus(scene)
    #expect(status == 3)
    #expect(paths(report, "root-offline") == ["/mnt/nas/photos"])
    #expect(report.nonZeroSummary == ["root-offline": 1])
    // Near miss: "more photos" is empty too, but the database expects nothing there.
    #expect(root(report, "/mnt/nas/more photos")?["status"]?.stringValue == "empty")
  }
}
