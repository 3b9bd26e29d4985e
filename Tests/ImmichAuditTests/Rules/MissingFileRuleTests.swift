import AuditCore
import Foundation
import Testing

/// MissingFileRule (Sources/AuditCore/Check/Rules/MissingFileRule.swift): referenced files that are not there as files: each case beside a near miss that must not be reported.
@Suite("MissingFileRule: referenced files that are not there as files")
struct MissingFileRuleTests: CheckScenes {
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

  @Test(
    "on every generation: a missing original, sidecar and face thumbnail; a trashed asset's file present is no finding",
    arguments: Fixture.generations)
  func everyGeneration(generation: String) throws {
    let scene = try AuditScene(generation)
    let original = scene.path(endingWith: "000000000001.jpg")
    let face = scene.path(endingWith: "c0000000-0000-4000-8000-000000000001.jpeg")
    for path in [original, "/mnt/nas/photos/2024/img5.jpg.xmp", face] { try scene.remove(path) }
    let report = try run(scene)
    #expect(paths(report, "missing-original") == [original])
    #expect(paths(report, "missing-sidecar") == ["/mnt/nas/photos/2024/img5.jpg.xmp"])
    #expect(paths(report, "missing-person-thumbnail") == [face])
    // Near misses: the trashed asset 4's file is there (nothing); the offline asset's is gone (info only).
    #expect(paths(report, "missing-original-trashed") == [Self.img6])
    #expect(report["exitCode"]?.intValue == 1)
  }
}
