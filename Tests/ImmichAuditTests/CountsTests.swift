import Foundation
import Testing

@Suite("counts on every schema generation")
struct CountsTests {
  @Test("every count key, overall, per owner and per library", arguments: Fixture.generations)
  func everyKey(generation: String) throws {
    let cluster = try TestCluster.shared()
    let database = try cluster.database(fixture: generation)
    // As a DBA would set it up: a role with pg_read_all_data only, over TCP with a password.
    let result = try CLI.run(
      ["counts", "--format", "json", "--db", cluster.auditorConninfo(database, password: nil)],
      environment: ["PGPASSWORD": TestCluster.auditorPassword])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.isEmpty)
    let manifest = try parseJSON(result.stdout)
    #expect(manifest["manifestVersion"] as? Int == 1)
    let counts = intCounts(manifest["counts"])
    let expected = Fixture.counts(generation)
    #expect(Set(counts.keys) == Set(expected.keys))
    for (key, value) in expected {
      #expect(counts[key] == value, "\(generation): \(key)")
    }
    let byOwner = try #require(manifest["byOwner"] as? [String: Any])
    #expect(Set(byOwner.keys) == Set(Fixture.byOwner.keys))
    for (owner, expectedCounts) in Fixture.byOwner {
      let entry = try #require(byOwner[owner] as? [String: Any])
      #expect(intCounts(entry["counts"]) == expectedCounts, "\(generation): owner \(owner)")
    }
    let admin = try #require(byOwner[Fixture.admin] as? [String: Any])
    #expect(admin["email"] as? String == "admin@example.com")
    #expect(admin["newestAssetCreatedAt"] as? String == Fixture.adminNewest)
    let gone = try #require(byOwner[Fixture.gone] as? [String: Any])
    #expect(gone["newestAssetCreatedAt"] is NSNull)
    let byLibrary = try #require(manifest["byLibrary"] as? [String: Any])
    #expect(Set(byLibrary.keys) == Set(Fixture.byLibrary.keys))
    for (library, expectedCounts) in Fixture.byLibrary {
      let entry = try #require(byLibrary[library] as? [String: Any])
      #expect(intCounts(entry["counts"]) == expectedCounts, "\(generation): library \(library)")
    }
    #expect((byLibrary[Fixture.nasLibrary] as? [String: Any])?["name"] as? String == "NAS Photos")
    #expect(manifest["newestAssetCreatedAt"] as? String == Fixture.newestAssetCreatedAt)
    let db = try #require(manifest["database"] as? [String: Any])
    #expect(db["schema"] as? String == Fixture.schema[generation]!.generation)
    #expect(db["immichVersion"] as? String == Fixture.schema[generation]!.version)
    #expect(db["readOnly"] as? Bool == true)
    #expect((db["target"] as? String)?.contains("dbname=\(database)") == true)
    #expect(db["serverVersion"] as? String != nil)
  }

  @Test("text format is an aligned table with every key")
  func textFormat() throws {
    let cluster = try TestCluster.shared()
    let database = try cluster.database(fixture: "immich-v3.1")
    let result = try CLI.run(["counts", "--db", cluster.superuserConninfo(database)])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("Database: ") && $0.contains("dbname=\(database)") })
    #expect(
      lines.contains("PostgreSQL 15.18, Immich 3.1.0, schema v3.0")
        || lines.contains { $0.contains("Immich 3.1.0, schema v3.0") })
    for (key, value) in Fixture.counts("immich-v3.1") {
      let line = try #require(
        lines.first { $0.split(separator: " ").first.map(String.init) == key }, "no line for \(key)")
      #expect(line.split(separator: " ").last.map(String.init) == String(value), "\(key)")
    }
    let adminLine = try #require(lines.first { $0.hasPrefix("admin@example.com") })
    #expect(
      adminLine.split(separator: " ").dropFirst().map(String.init) == [
        "7", "5", "2", "1", "5", "2", "2", "5", "1", "1", "1", "1",
      ])
  }

  @Test("--output writes the manifest to a file and nothing to stdout")
  func outputFile() throws {
    let cluster = try TestCluster.shared()
    let database = try cluster.database(fixture: "immich-v2.5")
    let folder = try TemporaryFolder()
    let file = folder.url.appendingPathComponent("prod-counts.json").path
    let result = try CLI.run([
      "counts", "--format", "json", "--output", file, "--db", cluster.superuserConninfo(database),
    ])
    #expect(result.status == 0)
    #expect(result.stdout.isEmpty)
    let manifest = try parseJSON(String(contentsOfFile: file, encoding: .utf8))
    #expect(intCounts(manifest["counts"]) == Fixture.counts("immich-v2.5"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["prod-counts.json"])
  }
}

@Suite("packaging")
struct PackagingTests {
  @Test("the binary works copied alone to another folder: the SQL is compiled in")
  func standaloneBinary() throws {
    let cluster = try TestCluster.shared()
    let database = try cluster.database(fixture: "immich-v1.123")
    let folder = try TemporaryFolder()
    let copy = try CLI.copyExecutable(to: folder.path)
    let result = try TestCluster.run(
      copy, ["counts", "--format", "json", "--db", cluster.superuserConninfo(database)],
      environment: ["PATH": "/usr/bin:/bin"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(intCounts(try parseJSON(result.stdout)["counts"]) == Fixture.counts("immich-v1.123"))
  }
}
