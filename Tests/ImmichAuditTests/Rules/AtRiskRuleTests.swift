import AuditCore
import Foundation
import Testing

/// AtRiskRule (Sources/AuditCore/Check/Rules/AtRiskRule.swift): the metadata that hangs on
/// missing originals and offline roots; each case beside a near miss.
@Suite("AtRiskRule: what hangs on a missing original")
struct AtRiskRuleTests: CheckScenes {
  /// An `atRisk` object as a dictionary, every key of the contract present (zeros included).
  static func atRisk(_ values: [String: Int]) -> [String: Int] {
    var all: [String: Int] = [:]
    for key in [
      "albums", "faces", "people", "descriptions", "locations", "favorites", "tags", "sharedLinks", "stacks",
      "memories",
    ] { all[key] = values[key] ?? 0 }
    return all
  }

  /// A report's `atRisk` object as a dictionary (nil when absent).
  static func values(_ object: JSONValue?) -> [String: Int]? {
    guard let object, case .object(let members) = object else { return nil }
    var values: [String: Int] = [:]
    for (key, value) in members { values[key] = value.intValue }
    return values
  }

  @Test(
    "on every generation: two missing photos carry their albums, faces, people, tags, stack and memory; each asset once",
    arguments: Fixture.generations)
  func missingOriginals(generation: String) throws {
    let scene = try AuditScene(generation)
    try scene.remove(scene.path(endingWith: "000000000001.jpg"))
    try scene.remove(scene.path(endingWith: "000000000002.jpg"))
    let report = try run(scene)
    let first = Self.atRisk([
      "albums": 2, "faces": 2, "people": 1, "descriptions": 1, "locations": 1, "favorites": 1, "tags": 2, "stacks": 1,
      "memories": 1,
    ])
    let second = Self.atRisk(["albums": 1, "faces": 1, "people": 1, "tags": 1, "stacks": 1])
    #expect(report.findings("missing-original").map { Self.values($0["atRisk"]) } == [first, second])
    // Alice is on both photos: one named person in the sum.
    #expect(
      Self.values(report["atRisk"])
        == Self.atRisk([
          "albums": 3, "faces": 3, "people": 1, "descriptions": 1, "locations": 1, "favorites": 1, "tags": 3,
          "stacks": 2, "memories": 1,
        ]))
    // Findings of other kinds carry none.
    #expect(report.findings("missing-original-trashed").allSatisfy { $0["atRisk"] == nil })
  }

  @Test("two faces of one named person on one photo: both faces counted, the person once")
  func samePersonTwice() throws {
    let scene = try AuditScene()
    try scene.cluster.psql(
      scene.database,
      "INSERT INTO asset_face (id, \"assetId\", \"personId\") VALUES (gen_random_uuid(), "
        + "'a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001')")
    try scene.remove(scene.path(endingWith: "000000000001.jpg"))
    let report = try run(scene)
    let risk = report.findings("missing-original").map { Self.values($0["atRisk"]) }
    #expect(risk.map { $0?["faces"] } == [3] && risk.map { $0?["people"] } == [1])
    #expect(Self.values(report["atRisk"])?["people"] == 1)
  }

  @Test("text and Markdown say it in a sentence")
  func sentence() throws {
    let scene = try AuditScene()
    try scene.remove(scene.path(endingWith: "000000000001.jpg"))
    try scene.remove(scene.path(endingWith: "000000000002.jpg"))
    let text = try scene.check([], format: "text").result.stdout
    #expect(
      text.contains(
        "at risk: 2 missing originals carry 3 album memberships, 3 faces of 1 named person, 1 description, 1 location, "
          + "1 favorite, 3 tags, 2 stacked assets, 1 memory entry\n"), "\(text)")
    let markdown = try scene.check([], format: "markdown").result.stdout
    #expect(markdown.contains("**At risk:** 2 missing originals carry 3 album memberships"))
  }

  @Test("an offline upload folder carries the sum over its not-trashed assets; a deleted album does not count")
  func offlineRoot() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.media + "/upload")
    let report = try run(scene)
    let upload = try #require(report.findings("root-offline").first { $0["path"]?.stringValue == "/data/upload" })
    // Assets 1, 2, 3, 8 and 9 (4 is in the trash); asset 8's album is deleted.
    let expected = Self.atRisk([
      "albums": 4, "faces": 5, "people": 2, "descriptions": 2, "locations": 2, "favorites": 2, "tags": 3,
      "sharedLinks": 1, "stacks": 2, "memories": 1,
    ])
    #expect(Self.values(upload["atRisk"]) == expected)
    #expect(Self.values(report["atRisk"]) == expected)
    // An offline thumbs folder holds no originals: no atRisk.
    try FileManager.default.removeItem(atPath: scene.media + "/thumbs")
    let again = try run(scene)
    #expect(again.findings("root-offline").first { $0["path"]?.stringValue == "/data/thumbs" }?["atRisk"] == nil)
  }

  @Test("near miss: nothing missing, zeros written", arguments: Fixture.generations)
  func nearMiss(generation: String) throws {
    let report = try run(try AuditScene(generation))
    #expect(Self.values(report["atRisk"]) == Self.atRisk([:]))
  }
}
