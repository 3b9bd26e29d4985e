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

  @Test("a role that could write gets one warning; a read-only role none", arguments: ["immich-v1.106", "immich-v3.1"])
  func writableRoleWarning(generation: String) throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: generation)
    let asset = ["immich-v1.106", "immich-v1.123"].contains(generation) ? "assets" : "asset"
    let superuser = try CLI.run(["counts", "--db", cluster.superuserConninfo(name)])
    #expect(superuser.status == 0)
    #expect(
      superuser.stderr
        == "immich-audit: warning: role postgres is a superuser: this run stays read-only (one READ ONLY "
        + "transaction), but a restore drill should connect as a role that can only read (CREATE ROLE immich_audit "
        + "LOGIN; GRANT pg_read_all_data TO immich_audit; see README, Read-only guarantee)\n"
    )
    // A role with INSERT on the asset table, not a superuser.
    let role = "writer_\(name)"
    try cluster.psql(
      name,
      "CREATE ROLE \(role) LOGIN PASSWORD 'writer-pw' IN ROLE pg_read_all_data; GRANT INSERT ON \(asset) TO \(role)")
    let writer = try CLI.run(
      ["counts", "--db", "host=127.0.0.1 port=\(cluster.port) user=\(role) dbname=\(name)"],
      environment: ["PGPASSWORD": "writer-pw"])
    #expect(writer.status == 0, "\(writer.stderr)")
    #expect(writer.stderr.split(separator: "\n").count == 1)
    #expect(writer.stderr.contains("role \(role) may INSERT, UPDATE or DELETE on \(asset): this run stays read-only"))
    let reader = try CLI.run(
      ["counts", "--db", cluster.auditorConninfo(name, password: nil)],
      environment: ["PGPASSWORD": TestCluster.auditorPassword])
    #expect(reader.status == 0)
    #expect(reader.stderr.isEmpty, "\(reader.stderr)")
  }

  @Test(
    "explain, counts and compare leave the database byte-for-byte unchanged",
    arguments: ["immich-v1.106", "immich-v3.1"])
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
