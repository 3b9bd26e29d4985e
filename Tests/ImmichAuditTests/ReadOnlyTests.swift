import Foundation
import PostgresClient
import Testing

@testable import AuditCore

@Suite("read-only by construction")
struct ReadOnlyTests {
  @Test("the session refuses an INSERT, and its transaction is read-only")
  func refusesWrites() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v3.1")
    // The superuser could write if the session let it: the refusal comes from the session.
    let database = try openSession(cluster.superuserConninfo(name))
    #expect(try database.connection.query("SHOW transaction_read_only").first?[0] == "on")
    #expect(try database.connection.query("SHOW transaction_isolation").first?[0] == "repeatable read")
    #expect(try database.connection.query("SELECT current_setting('application_name')").first?[0] == "immich-audit")
    do {
      try database.connection.query("INSERT INTO tag (\"userId\", value) VALUES ('\(Fixture.admin)', 'x')")
      Issue.record("the INSERT was accepted")
    } catch {
      #expect(error.code == .readOnlyViolation)
      #expect(error.message.contains("read-only transaction"))
    }
    database.close()
    #expect(try cluster.psql(name, "SELECT count(*) FROM tag") == "2")
  }

  @Test("explain, counts and compare leave the database byte-for-byte unchanged", arguments: ["immich-v1.106", "immich-v3.1"])
  func unchanged(generation: String) throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: generation)
    let before = try cluster.dump(name)
    let folder = try TemporaryFolder()
    let manifest = folder.url.appendingPathComponent("m.json").path
    let conninfo = cluster.superuserConninfo(name)
    #expect(try CLI.run(["explain", "--sql", "--db", conninfo]).status == 0)
    #expect(try CLI.run(["counts", "--format", "json", "--output", manifest, "--db", conninfo]).status == 0)
    #expect(try CLI.run(["compare", manifest, "--db", conninfo]).status == 0)
    #expect(try CLI.run(["compare", "--baseline-db", conninfo, "--db", conninfo]).status == 0)
    #expect(try cluster.dump(name) == before)
  }
}
