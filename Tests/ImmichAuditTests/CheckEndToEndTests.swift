import AuditCore
import Foundation
import Testing

@Suite("check: end to end on every schema generation")
struct CheckEndToEndTests {
  @Test("a complete restore passes; the offline asset's absent file is only info", arguments: Fixture.generations)
  func clean(generation: String) throws {
    let scene = try AuditScene(generation)
    let (result, json) = try scene.check()
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(json)
    #expect(report.nonZeroSummary == ["missing-original-trashed": 1])
    #expect(report.findings("missing-original-trashed").first?["path"]?.stringValue == "/mnt/nas/photos/2024/img6.jpg")
    #expect(report["exitCode"]?.intValue == 0)
    let roots = report["roots"]!.arrayItems
    #expect(
      roots.map { $0["kind"]!.stringValue! } == [
        "upload", "library", "thumbs", "encoded-video", "profile", "import-path", "import-path",
      ])
    // library/ (no storage template) and the second import path hold nothing: empty, not offline.
    #expect(roots.map { $0["status"]!.stringValue! } == ["ok", "empty", "ok", "ok", "ok", "ok", "empty"])
    #expect(roots.prefix(5).allSatisfy { $0["marker"] == JSONValue.bool(true) })
    #expect(roots[0]["container"]?.stringValue == "\(scene.mediaPrefix)/upload")
    #expect(roots[0]["expectedFiles"]?.intValue == roots[0]["presentFiles"]?.intValue)
    // The import path's figures: img5.jpg, its sidecar, and img6.jpg (offline, absent).
    #expect(roots[5]["expectedFiles"]?.intValue == 3)
    #expect(roots[5]["presentFiles"]?.intValue == 2)
    #expect(roots[6]["status"]?.stringValue == "empty")
    // The overall counts, every key, as `counts` gives them (check reads them with queries of
    // its own: counts-assets-overall.sql).
    guard case .object(let counts)? = report["counts"] else {
      Issue.record("no counts object")
      return
    }
    #expect(Set(counts.map(\.0)) == Set(CountKey.all))
    let expected = Fixture.counts(generation)
    for (key, value) in counts { #expect(value.intValue == expected[key], "\(generation): \(key)") }
    #expect(report["database"]?["readOnly"] == JSONValue.bool(true))
  }

  @Test("planted faults give exactly their findings and exit 1", arguments: Fixture.generations)
  func planted(generation: String) throws {
    let scene = try AuditScene(generation)
    let lost = scene.path(endingWith: "000000000002.jpg")
    try scene.remove(lost)
    try scene.create("/mnt/nas/photos/2024/new.JPG", size: 5)
    // Named in the database's own prefix style: upload/upload/… on an old relative-path database.
    try scene.create("\(scene.mediaPrefix)/upload/stray.jpg")
    let thumbnail = try #require(scene.files.keys.first { $0.contains("000000000001") && $0.contains("thumbnail") })
    try scene.remove(thumbnail)
    let resized = scene.path(endingWith: "000000000008.jpg")
    try scene.create(resized, size: 901)
    let (result, json) = try scene.check()
    #expect(result.status == 1, "\(result.stderr)")
    let report = try #require(json)
    #expect(
      report.nonZeroSummary == [
        "missing-original": 1, "missing-original-trashed": 1, "unindexed-original": 1, "untracked-upload": 1,
        "missing-derivative": 1,
        "size-mismatch": 1,
      ])
    #expect(report.findings("untracked-upload").first?["path"]?.stringValue == "\(scene.mediaPrefix)/upload/stray.jpg")
    #expect(report.findings("untracked-upload").first?["hostPath"]?.stringValue == "\(scene.media)/upload/stray.jpg")
    let missing = try #require(report.findings("missing-original").first)
    #expect(missing["path"]?.stringValue == lost)
    #expect(missing["hostPath"]?.stringValue == scene.hostPath(lost))
    #expect(missing["assetId"]?.stringValue == "a0000000-0000-4000-8000-000000000002")
    #expect(missing["ownerId"]?.stringValue == "11111111-1111-4111-8111-111111111111")
    #expect(missing["severity"]?.stringValue == "error")
    #expect(report.findings("unindexed-original").first?["path"]?.stringValue == "/mnt/nas/photos/2024/new.JPG")
    #expect(
      report.findings("unindexed-original").first?["libraryId"]?.stringValue == "aaaaaaaa-0000-4000-8000-000000000001")
    #expect(report.findings("missing-derivative").first?["path"]?.stringValue == thumbnail)
    #expect(report.findings("size-mismatch").first?["detail"]?.stringValue == "901 bytes on disk, 900 in the database")
    #expect(report["exitCode"]?.intValue == 1)
    // Findings sorted: severity, then kind in the contract's order.
    let kinds = report["findings"]!.arrayItems.map { $0["kind"]!.stringValue! }
    #expect(
      kinds == [
        "missing-original", "size-mismatch", "unindexed-original", "untracked-upload", "missing-original-trashed",
        "missing-derivative",
      ])
  }
}
