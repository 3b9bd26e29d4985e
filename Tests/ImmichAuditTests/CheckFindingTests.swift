import AuditCore
import Foundation
import Testing

/// Each finding kind: a case that must produce it and a near miss that must not.
@Suite("check: finding kinds and their near misses")
struct CheckFindingTests {
  static let img5 = "/mnt/nas/photos/2024/img5.jpg"
  static let img6 = "/mnt/nas/photos/2024/img6.jpg"

  func run(_ scene: AuditScene, _ extra: [String] = []) throws -> JSONValue {
    let (result, json) = try scene.check(extra)
    #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
    return try #require(json, "\(result.stdout)\(result.stderr)")
  }

  @Test("a missing original is an error; a trashed asset's missing original only info")
  func missingOriginal() throws {
    let scene = try AuditScene()
    let active = scene.path(endingWith: "000000000001.jpg")
    let trashed = scene.path(endingWith: "000000000004.jpg")
    try scene.remove(active)
    try scene.remove(trashed)
    let report = try run(scene)
    #expect(report.findings("missing-original").map { $0["path"]!.stringValue! } == [active])
    #expect(Set(report.findings("missing-original-trashed").map { $0["path"]!.stringValue! }) == [trashed, Self.img6])
    #expect(
      report.findings("missing-original-trashed").first { $0["path"]?.stringValue == trashed }?["detail"]?.stringValue
        == "asset in the trash")
    #expect(report["exitCode"]?.intValue == 1)
  }

  @Test("the hidden motion-photo part counts as an original")
  func motionPart() throws {
    let scene = try AuditScene()
    let motion = scene.path(endingWith: "-MP.mp4")
    try scene.remove(motion)
    let report = try run(scene)
    #expect(report.findings("missing-original").map { $0["path"]!.stringValue! } == [motion])
    #expect(report.findings("orphaned-derivative").isEmpty)
  }

  @Test("an offline asset whose file came back is offline-present; absent it is only trashed-missing")
  func offlinePresent() throws {
    let absent = try run(AuditScene())
    #expect(absent.findings("offline-present").isEmpty)
    let scene = try AuditScene(writeOffline: true)
    let report = try run(scene)
    #expect(report.findings("offline-present").map { $0["path"]!.stringValue! } == [Self.img6])
    #expect(report.nonZeroSummary == ["offline-present": 1])
  }

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

  @Test("missing sidecar, derivative, person thumbnail and profile image")
  func missingAuxiliary() throws {
    let scene = try AuditScene()
    let sidecar = "/mnt/nas/photos/2024/img5.jpg.xmp"
    let encoded = scene.path(
      endingWith: "encoded-video/11111111-1111-4111-8111-111111111111/a0/00/a0000000-0000-4000-8000-000000000003.mp4")
    let edited = scene.path(endingWith: "_preview_edited.jpeg")
    let face = scene.path(endingWith: "c0000000-0000-4000-8000-000000000001.jpeg")
    let avatar = scene.path(endingWith: "avatar-1.jpg")
    // A second profile image stays, so profile/ is not offline (the mount guard's case).
    try scene.cluster.psql(
      scene.database,
      "UPDATE \"user\" SET \"profileImagePath\" = '/data/profile/22222222-2222-4222-8222-222222222222/avatar-2.jpg' "
        + "WHERE email = 'bob@example.com'"
    )
    try scene.create("/data/profile/22222222-2222-4222-8222-222222222222/avatar-2.jpg")
    for path in [sidecar, encoded, edited, face, avatar] { try scene.remove(path) }
    let report = try run(scene)
    #expect(report.findings("missing-sidecar").map { $0["path"]!.stringValue! } == [sidecar])
    #expect(report.findings("missing-sidecar").first?["severity"]?.stringValue == "warning")
    #expect(Set(report.findings("missing-derivative").map { $0["path"]!.stringValue! }) == [encoded, edited])
    // asset_file rows carry no owner: it is the asset's.
    #expect(
      report.findings("missing-derivative").allSatisfy {
        $0["ownerId"]?.stringValue == "11111111-1111-4111-8111-111111111111"
      })
    #expect(report.findings("missing-sidecar").first?["ownerId"]?.stringValue == "11111111-1111-4111-8111-111111111111")
    #expect(report.findings("missing-person-thumbnail").map { $0["path"]!.stringValue! } == [face])
    #expect(report.findings("missing-person-thumbnail").first?["assetId"] == nil)
    #expect(
      report.findings("missing-person-thumbnail").first?["detail"]?.stringValue
        == "face thumbnail absent (regenerable) (person c0000000-0000-4000-8000-000000000001)")
    #expect(report.findings("missing-profile-image").first?["assetId"] == nil)
    #expect(
      report.findings("missing-profile-image").first?["ownerId"]?.stringValue == "11111111-1111-4111-8111-111111111111")
    #expect(report.findings("missing-profile-image").map { $0["path"]!.stringValue! } == [avatar])
    #expect(report["exitCode"]?.intValue == 0)
  }

  @Test("sidecar candidates as Immich looks them up: photo.jpg.xmp, then photo.xmp")
  func sidecarCandidates() throws {
    let scene = try AuditScene()
    try scene.remove("/mnt/nas/photos/2024/img5.jpg.xmp")
    try scene.create("/mnt/nas/photos/2024/img5.xmp")
    try scene.create("/mnt/nas/photos/2025/new.jpg")
    try scene.create("/mnt/nas/photos/2025/new.xmp")
    let report = try run(scene)
    #expect(
      report.findings("missing-sidecar").first?["detail"]?.stringValue
        == "XMP sidecar absent; Immich's other sidecar name img5.xmp exists and is picked up by the next metadata "
        + "refresh"
    )
    #expect(report.findings("unindexed-original").map { $0["path"]!.stringValue! } == ["/mnt/nas/photos/2025/new.jpg"])
    #expect(
      report.findings("unindexed-original").first?["detail"]?.stringValue?.hasSuffix("(with its sidecar new.xmp)")
        == true)
  }

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
    try scene.create("/data/backups/immich-db-backup-20241125T000000-v3.1.0-pg14.19.sql.gz")
    let report = try run(scene)
    #expect(
      report.findings("orphaned-derivative").map { $0["path"]!.stringValue! } == [
        "/data/encoded-video/11111111-1111-4111-8111-111111111111/ff/ff/ffffffff-0000-4000-8000-000000000000.mp4",
        orphan,
      ])
    #expect(report.nonZeroSummary == ["orphaned-derivative": 2, "missing-original-trashed": 1])
  }

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

  @Test("a directory at an original's path is only not-a-file")
  func notAFile() throws {
    let scene = try AuditScene()
    let original = scene.path(endingWith: "000000000001.jpg")
    try scene.remove(original)
    try FileManager.default.createDirectory(atPath: scene.hostPath(original), withIntermediateDirectories: true)
    let report = try run(scene)
    #expect(report.findings("not-a-file").map { $0["path"]!.stringValue! } == [original])
    #expect(report.findings("missing-original").isEmpty)
    #expect(report.findings("size-mismatch").isEmpty)
    #expect(report["exitCode"]?.intValue == 1)
  }

  @Test("a status 'deleted' row whose file is present gives nothing")
  func deletedStatus() throws {
    let scene = try AuditScene()
    try scene.cluster.psql(
      scene.database,
      "UPDATE asset SET status = 'deleted', \"deletedAt\" = now() WHERE id = 'a0000000-0000-4000-8000-000000000002'")
    try scene.create(scene.path(endingWith: "000000000002.jpg"), size: 3)
    let report = try run(scene)
    #expect(report.nonZeroSummary == ["missing-original-trashed": 1])
  }

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
