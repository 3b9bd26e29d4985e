import AuditCore
import Foundation
import Testing

/// `immich-audit sample` (DESIGN.md § Spot-check sample): the list a person checks in the UI.
@Suite("sample: the spot-check list for Immich's web UI")
struct SpotCheckSampleTests {
  func sample(_ scene: AuditScene, _ extra: [String]) throws -> CLI.Result {
    try CLI.run(["sample", "--db", scene.conninfo] + scene.mappingArguments + extra)
  }

  func json(_ scene: AuditScene, _ extra: [String]) throws -> JSONValue {
    let result = try sample(scene, ["--format", "json"] + extra)
    #expect(result.status == 0, "\(result.stderr)")
    return try JSONValue.parse(Data(result.stdout.utf8))
  }

  @Test(
    "on every generation: the same seed draws the same assets, spread over owners in proportion",
    arguments: Fixture.generations)
  func draw(generation: String) throws {
    let scene = try AuditScene(generation)
    let first = try sample(scene, ["-n", "3", "--seed", "7", "--format", "json"])
    let second = try sample(scene, ["-n", "3", "--seed", "7", "--format", "json"])
    #expect(first.stdout == second.stdout)
    let report = try JSONValue.parse(Data(first.stdout.utf8))
    #expect(report["seed"]?.intValue == 7)
    let owners = report["assets"]?.arrayItems.compactMap { $0["ownerId"]?.stringValue } ?? []
    // 5 of the 7 assets outside the trash are the admin's, 2 Bob's: 3 drawn as 2 and 1.
    #expect(owners.filter { $0 == Fixture.admin }.count == 2)
    #expect(owners.filter { $0 == Fixture.bob }.count == 1)
    // Albums not deleted, largest first.
    #expect(
      report["albums"]?.arrayItems.map { "\($0["name"]!.stringValue!) \($0["assets"]!.intValue!)" } == [
        "Holidays 3", "Private 1",
      ])
    #expect(report["people"]?.arrayItems.first?["name"]?.stringValue == "Alice")
    #expect(report["people"]?.arrayItems.first?["faces"]?.intValue == 2)
  }

  @Test("every asset outside the trash at most, with what the UI should show; a missing file says so")
  func assets() throws {
    let scene = try AuditScene()
    try scene.remove(scene.path(endingWith: "000000000002.jpg"))
    let report = try json(scene, ["-n", "20", "--seed", "1"])
    let assets = report["assets"]?.arrayItems ?? []
    #expect(assets.count == 7)
    #expect(!assets.contains { $0["id"]?.stringValue == "a0000000-0000-4000-8000-000000000004" })
    let first = try #require(assets.first { $0["id"]?.stringValue == "a0000000-0000-4000-8000-000000000001" })
    #expect(first["albums"] == .array([.string("Holidays"), .string("Private")]))
    #expect(first["people"] == .array([.string("Alice")]))
    #expect(first["description"]?.stringValue == "Beach")
    #expect(first["favorite"] == .bool(true))
    #expect(first["exists"] == .bool(true))
    #expect(first["ownerEmail"]?.stringValue?.contains("@") == true)
    let second = try #require(assets.first { $0["id"]?.stringValue == "a0000000-0000-4000-8000-000000000002" })
    #expect(second["exists"] == .bool(false))
    #expect(second["location"] == .null)
    // People: Alice (2 faces), Bob (1), the unnamed, hidden one (its face deleted).
    #expect(
      report["people"]?.arrayItems.map { "\($0["name"]!.stringValue!) \($0["faces"]!.intValue!)" } == [
        "Alice 2", "Bob 1", " 0",
      ])
  }

  @Test("seeds draw differently; one asset per seed over ten seeds is not always the same")
  func seeds() throws {
    let scene = try AuditScene()
    var drawn = Set<String>()
    for seed in 1...10 {
      drawn.insert(
        try json(scene, ["-n", "1", "--seed", String(seed)])["assets"]?.arrayItems.first?["id"]?.stringValue ?? "")
    }
    #expect(drawn.count > 1, "\(drawn)")
  }

  @Test("Markdown is a checklist: a box per asset, album and person; text names the seed; nothing is written")
  func formats() throws {
    let scene = try AuditScene()
    let before = try scene.cluster.dump(scene.database)
    let markdown = try sample(scene, ["-n", "2", "--seed", "3", "--format", "markdown"])
    #expect(markdown.status == 0)
    let boxes = markdown.stdout.split(separator: "\n").filter { $0.hasPrefix("- [ ] ") }
    // 2 assets, 2 albums (only 2 not deleted), 2 people.
    #expect(boxes.count == 6, "\(markdown.stdout)")
    #expect(markdown.stdout.hasPrefix("## immich-audit spot check (seed 3)"))
    let text = try sample(scene, ["-n", "2", "--seed", "3"])
    #expect(text.stdout.hasPrefix("immich-audit sample (seed 3):"))
    #expect(text.stdout.contains("Largest albums:\n  Holidays"))
    #expect(try scene.cluster.dump(scene.database) == before)
  }
}
