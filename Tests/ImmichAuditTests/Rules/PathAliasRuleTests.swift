import AuditCore
import Foundation
import Testing

/// PathAliasRule (Sources/AuditCore/Check/Rules/PathAliasRule.swift): paths of one owner that
/// differ only in case or Unicode normalization; each case beside a near miss.
@Suite("PathAliasRule: one owner's paths that differ only in case or normalization")
struct PathAliasRuleTests: CheckScenes {
  @Test(
    "on every generation: a case pair and an NFC/NFD pair; another owner and the trash are not",
    arguments: Fixture.generations)
  func aliases(generation: String) throws {
    let scene = try AuditScene(generation)
    let table = generation == "immich-v1.106" || generation == "immich-v1.123" ? "assets" : "asset"
    let adminFolder = "\(scene.mediaPrefix)/upload/\(Fixture.admin)/a0/00"
    let bobFolder = "\(scene.mediaPrefix)/upload/\(Fixture.bob)"
    let first = "\(adminFolder)/a0000000-0000-4000-8000-000000000001.jpg"
    let upper = "\(adminFolder)/A0000000-0000-4000-8000-000000000001.JPG"
    func setPath(_ asset: Int, _ literal: String) throws {
      try scene.cluster.psql(
        scene.database,
        "UPDATE \(table) SET \"originalPath\" = \(literal) WHERE id = 'a0000000-0000-4000-8000-00000000000\(asset)'")
    }
    try setPath(2, "'\(upper)'")
    // The trashed asset 4 spells it a third way: the trash is not reported.
    try setPath(4, "'\(adminFolder)/a0000000-0000-4000-8000-000000000001.JPG'")
    // Bob's two photos: decomposed and precomposed é.
    try setPath(8, "U&'\(bobFolder)/cafe\\0301.jpg'")
    try setPath(9, "U&'\(bobFolder)/caf\\00e9.jpg'")
    // The admin's asset 3 at the same spelling under Bob's folder: another owner.
    try setPath(3, "U&'\(bobFolder)/Caf\\00e9.JPG'")
    let report = try run(scene)
    let findings = report.findings("path-alias")
    let nfd = "\(bobFolder)/cafe\u{301}.jpg"
    let nfc = "\(bobFolder)/caf\u{e9}.jpg"
    #expect(findings.map { $0["path"]!.stringValue! } == [upper, nfd])
    #expect(findings.first?["candidates"]?.arrayItems.map { $0["path"]!.stringValue! } == [first])
    #expect(findings.first?["assetId"]?.stringValue == "a0000000-0000-4000-8000-000000000002")
    #expect(findings.first?["ownerId"]?.stringValue == Fixture.admin)
    #expect(findings.last?["candidates"]?.arrayItems.map { $0["path"]!.stringValue! } == [nfc])
    #expect(findings.last?["ownerId"]?.stringValue == Fixture.bob)
    #expect(findings.allSatisfy { $0["severity"]?.stringValue == "warning" })
    #expect(report["summary"]?["path-alias"]?.intValue == 2)
  }

  @Test("near miss: the fixtures' own paths are all distinct", arguments: Fixture.generations)
  func nearMiss(generation: String) throws {
    let report = try run(try AuditScene(generation))
    #expect(report["summary"]?["path-alias"]?.intValue == 0)
  }
}
