import Foundation
import Testing

@testable import AuditCore

@Suite("compare")
struct CompareTests {
  /// A production database, its saved manifest, and a restore of it that lost rows.
  struct Drill {
    let cluster: TestCluster
    let production: String
    let restored: String
    let folder: TemporaryFolder
    let baseline: String

    init(restoredEdits: String) throws {
      cluster = try TestCluster.shared()
      production = try cluster.database(fixture: "immich-v3.1")
      restored = try cluster.database(fixture: "immich-v3.1")
      if !restoredEdits.isEmpty { try cluster.psql(restored, restoredEdits) }
      folder = try TemporaryFolder()
      baseline = folder.url.appendingPathComponent("prod.json").path
      let saved = try CLI.run([
        "counts", "--format", "json", "--output", baseline, "--db", cluster.superuserConninfo(production),
      ])
      #expect(saved.status == 0)
    }

    func compare(_ arguments: [String] = []) throws -> CLI.Result {
      try CLI.run(["compare", baseline, "--db", cluster.superuserConninfo(restored)] + arguments)
    }
  }

  /// Bob's newest asset (the database's newest) and an album membership are missing.
  static let lostRows = """
    DELETE FROM album_asset WHERE "assetId" = '\(asset(8))';
    DELETE FROM asset WHERE id = '\(asset(10))';
    """

  static func asset(_ n: Int) -> String { String(format: "a0000000-0000-4000-8000-%012d", n) }

  @Test("an identical restore passes")
  func identical() throws {
    let drill = try Drill(restoredEdits: "")
    let result = try drill.compare()
    #expect(result.status == 0)
    #expect(result.stdout.contains("OK: 0 decreases (fail), 0 increases (warning), 0 tolerated"))
    #expect(result.stdout.contains("the same restore point"))
  }

  @Test("a decrease fails with exit 1, overall and per owner and library")
  func decreaseFails() throws {
    let drill = try Drill(restoredEdits: Self.lostRows)
    let result = try drill.compare()
    #expect(result.status == 1)
    let lines = result.stdout.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
    #expect(lines.contains("assets 10 9 -1 -10.0% DECREASE (fail)"))
    #expect(lines.contains("assets.trashed 3 2 -1 -33.3% DECREASE (fail)"))
    #expect(lines.contains("album-assets 5 4 -1 -20.0% DECREASE (fail)"))
    #expect(lines.contains("owner bob@example.com assets 3 2 -1 -33.3% DECREASE (fail)"))
    #expect(lines.contains("library Old archive assets 1 0 -1 -100.0% DECREASE (fail)"))
    #expect(!lines.contains { $0.hasPrefix("owner admin@example.com") })
    // The newest asset went missing: the restore point is older than the baseline.
    #expect(
      result.stdout.contains(
        "baseline 2024-06-01T10:10:00.123456Z, current 2024-05-03T08:01:00Z: the baseline is 29 d 2 h newer"))
    #expect(result.stdout.contains("FAIL: "))
  }

  @Test("tolerances allow a change: absolute, percent, wildcard")
  func tolerance() throws {
    let drill = try Drill(restoredEdits: Self.lostRows)
    let everyKey = try drill.compare(["--tolerance", "*=1"])
    #expect(everyKey.status == 0, "\(everyKey.output)")
    let perKey = try drill.compare(["--tolerance", "assets*=1", "--tolerance", "album-assets=20%"])
    #expect(perKey.status == 0, "\(perKey.output)")
    // 20% of 5 album-assets is 1, but 19% is not.
    let tight = try drill.compare(["--tolerance", "assets*=1", "--tolerance", "album-assets=19%"])
    #expect(tight.status == 1)
    #expect(tight.stdout.contains("FAIL: 1 decrease (fail)"))
    let bad = try drill.compare(["--tolerance", "no.such.key=1"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("unknown count key no.such.key"))
  }

  @Test("an increase warns but passes")
  func increaseWarns() throws {
    let drill = try Drill(restoredEdits: "INSERT INTO tag (\"userId\", value) VALUES ('\(Fixture.admin)', 'New')")
    let result = try drill.compare(["--format", "json"])
    #expect(result.status == 0)
    let report = try parseJSON(result.stdout)
    let summary = try #require(report["summary"] as? [String: Any])
    #expect(summary["increases"] as? Int == 1)
    #expect(summary["decreases"] as? Int == 0)
    let entries = try #require(report["entries"] as? [[String: Any]])
    let tags = try #require(entries.first { $0["scope"] as? String == "overall" && $0["key"] as? String == "tags" })
    #expect(tags["baseline"] as? Int == 2)
    #expect(tags["current"] as? Int == 3)
    #expect(tags["status"] as? String == "increase")
    #expect(report["exitCode"] as? Int == 0)
  }

  @Test("--current compares two manifests; --baseline-db reads production live; markdown for CI summaries")
  func sources() throws {
    let drill = try Drill(restoredEdits: Self.lostRows)
    let current = drill.folder.url.appendingPathComponent("restored.json").path
    #expect(
      try CLI.run([
        "counts", "--format", "json", "--output", current, "--db", drill.cluster.superuserConninfo(drill.restored),
      ]).status == 0)
    let offline = try CLI.run(["compare", drill.baseline, "--current", current, "--format", "markdown"])
    #expect(offline.status == 1)
    #expect(offline.stdout.hasPrefix("## immich-audit compare: ❌ counts decreased"))
    #expect(offline.stdout.contains("| overall | `assets` | 10 | 9 | -1 | -10.0% | DECREASE (fail) |"))
    let live = try CLI.run([
      "compare", "--baseline-db", drill.cluster.superuserConninfo(drill.production), "--db",
      drill.cluster.superuserConninfo(drill.restored),
    ])
    #expect(live.status == 1)
    #expect(live.stdout.contains("Baseline: host="))
  }

  @Test("a baseline that is not a manifest: exit 2 with the reason")
  func badBaseline() throws {
    let folder = try TemporaryFolder()
    let notJSON = try folder.write("x.json", "{ nope")
    let result = try CLI.run(["compare", notJSON, "--current", notJSON])
    #expect(result.status == 2)
    #expect(result.stderr == "immich-audit: error: \(notJSON): not valid JSON\n")
    let other = try folder.write("y.json", "{\"hello\": 1}")
    let second = try CLI.run(["compare", other, "--current", other])
    #expect(second.status == 2)
    #expect(second.stderr.contains("no manifestVersion: not an immich-audit counts manifest"))
  }

  @Test("a manifest version written as a string is named as such")
  func versionAsString() throws {
    let folder = try TemporaryFolder()
    let file = try folder.write("x.json", "{\"manifestVersion\": \"1\", \"counts\": {}}")
    let result = try CLI.run(["compare", file, "--current", file])
    #expect(result.status == 2)
    #expect(
      result.stderr
        == "immich-audit: error: \(file): manifestVersion is the string \"1\", not a number: expected "
        + "\"manifestVersion\": 1 (was the file edited by hand?)\n"
    )
  }

  @Test("--current with --db is a usage error")
  func currentWithDatabase() throws {
    let result = try CLI.run(["compare", "a.json", "--current", "b.json", "--db", "dbname=x"])
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("immich-audit: error: --current compares a saved manifest"))
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  /// A manifest edited as another instance's would be: every user and library id changed.
  @Test("a baseline from another instance (no user or library id in common) is refused, exit 2")
  func anotherInstance() throws {
    let drill = try Drill(restoredEdits: "")
    var text = try String(contentsOfFile: drill.baseline, encoding: .utf8)
    for prefix in [
      "11111111-1111-4111-8111-", "22222222-2222-4222-8222-", "33333333-3333-4333-8333-", "aaaaaaaa-0000-4000-8000-",
    ] {
      text = text.replacingOccurrences(of: prefix, with: "99999999-9999-4999-8999-")
    }
    let ids = try #require(try JSONValue.parse(Data(text.utf8))["byOwner"]?.objectMembers).map(\.0)
    #expect(ids.allSatisfy { $0.hasPrefix("99999999") }, "\(ids)")
    let other = try drill.folder.write("other.json", text)
    let result = try CLI.run(["compare", other, "--db", drill.cluster.superuserConninfo(drill.restored)])
    #expect(result.status == 2, "\(result.output)")
    #expect(result.stdout.isEmpty)
    #expect(
      result.stderr.contains(
        "share no user and no library id: the baseline looks like another Immich instance's manifest"))
  }

  @Test("a key this version does not know, or one side lacks, is noted, never a decrease")
  func unknownKeys() throws {
    let drill = try Drill(restoredEdits: "")
    var text = try String(contentsOfFile: drill.baseline, encoding: .utf8)
    // A newer tool's key in the baseline, and a known key the baseline lacks.
    let overall = try #require(text.range(of: "\"counts\": {"))
    text.replaceSubrange(overall, with: "\"counts\": {\n    \"assets.edited\": 4,")
    text = text.replacingOccurrences(of: "\"memories\": 1,", with: "")
    let edited = try drill.folder.write("edited.json", text)
    let result = try CLI.run(["compare", edited, "--db", drill.cluster.superuserConninfo(drill.restored)])
    #expect(result.status == 0, "\(result.output)")
    let lines = result.stdout.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
    #expect(
      lines.contains("assets.edited 4 - -4 -100.0% not compared (a key this immich-audit does not know)"),
      "\(result.stdout)")
    #expect(lines.contains("memories - 1 +1 new not compared (only the current side has it)"), "\(result.stdout)")
    #expect(result.stdout.contains("OK: 0 decreases (fail), 0 increases (warning), 0 tolerated, 2 not compared"))
  }

  @Test(
    "tolerance parsing",
    arguments: [
      ("assets=5", Tolerance(pattern: "assets", amount: .absolute(5))),
      ("*=2%", Tolerance(pattern: "*", amount: .percent(2))),
      ("faces.*=0.5%", Tolerance(pattern: "faces.*", amount: .percent(0.5))),
    ])
  func toleranceParsing(text: String, expected: Tolerance) throws {
    #expect(try Tolerance(parsing: text) == expected)
  }

  @Test("malformed tolerances are refused", arguments: ["assets", "assets=-1", "assets=x", "=3", "assets=5%%"])
  func badTolerance(text: String) {
    #expect(throws: ToleranceError.self) { try Tolerance(parsing: text) }
  }
}
