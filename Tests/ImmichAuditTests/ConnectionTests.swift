import Foundation
import PostgresClient
import Testing

@testable import AuditCore

@Suite("connecting like psql")
struct ConnectionTests {
  @Test("PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE apply without --db")
  func libpqEnvironment() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v2.5")
    let result = try CLI.run(
      ["counts", "--format", "json"],
      environment: [
        "PGHOST": "127.0.0.1", "PGPORT": String(cluster.port), "PGUSER": "auditor",
        "PGPASSWORD": TestCluster.auditorPassword, "PGDATABASE": name,
      ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(intCounts(try parseJSON(result.stdout)["counts"]) == Fixture.counts("immich-v2.5"))
    #expect(!result.output.contains(TestCluster.auditorPassword))
  }

  @Test("~/.pgpass supplies the password, as for psql")
  func pgpass() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v2.5")
    let home = try TemporaryFolder()
    try home.write(
      ".pgpass", "127.0.0.1:\(cluster.port):*:auditor:\(TestCluster.auditorPassword)\n", permissions: 0o600)
    let result = try CLI.run(
      ["counts", "--db", "host=127.0.0.1 port=\(cluster.port) user=auditor dbname=\(name)"], home: home.path)
    #expect(result.status == 0, "\(result.stderr)")
  }

  @Test("PGSERVICE with a service file, and sslmode from it")
  func service() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v1.106")
    let folder = try TemporaryFolder()
    let file = try folder.write(
      "pg_service.conf",
      """
      [restored-immich]
      host=127.0.0.1
      port=\(cluster.port)
      user=auditor
      password=\(TestCluster.auditorPassword)
      dbname=\(name)
      sslmode=disable
      """)
    let result = try CLI.run(
      ["counts", "--format", "json"], environment: ["PGSERVICEFILE": file, "PGSERVICE": "restored-immich"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(intCounts(try parseJSON(result.stdout)["counts"]) == Fixture.counts("immich-v1.106"))
    #expect(!result.output.contains(TestCluster.auditorPassword))
    // --db may name the service too.
    #expect(
      try CLI.run(["counts", "--db", "service=restored-immich"], environment: ["PGSERVICEFILE": file]).status == 0)
  }

  @Test("Immich's .env with DB_* variables and DB_PASSWORD_FILE")
  func immichEnv() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v3.1")
    let folder = try TemporaryFolder()
    try folder.write("db-password", "\(TestCluster.auditorPassword)\n")
    let env = try folder.write(
      ".env",
      """
      # Immich .env as the docs ship it, with the published database port
      UPLOAD_LOCATION=./library
      DB_HOSTNAME=127.0.0.1
      DB_PORT=\(cluster.port)   # published port
      DB_USERNAME="auditor"
      DB_PASSWORD_FILE=db-password
      DB_DATABASE_NAME='\(name)'
      """)
    let result = try CLI.run(["counts", "--format", "json", "--immich-env", env])
    #expect(result.status == 0, "\(result.stderr)")
    let manifest = try parseJSON(result.stdout)
    #expect(intCounts(manifest["counts"]) == Fixture.counts("immich-v3.1"))
    let target = (manifest["database"] as? [String: Any])?["target"] as? String
    #expect(target == "host=127.0.0.1 port=\(cluster.port) user=auditor dbname=\(name)")
  }

  @Test("--db overrides the .env per keyword; DB_URL wins over DB_HOSTNAME")
  func precedence() throws {
    let env = try DotEnv(
      parsing: """
        DB_URL=postgresql://immich:envpass@dbhost:5433/immich
        DB_HOSTNAME=database
        """)
    let configuration = ConnectionConfiguration(
      database: "dbname=restored host=/run/postgresql", immichEnv: env, environment: [:])
    let parameters = try configuration.parameters()
    #expect(parameters["host"] == "/run/postgresql")
    #expect(parameters["dbname"] == "restored")
    #expect(parameters["user"] == "immich")
    #expect(parameters["port"] == "5433")
    #expect(parameters["password"] == "envpass")
    #expect(parameters["connect_timeout"] == "10")
    #expect(parameters["fallback_application_name"] == "immich-audit")
    // A timeout from the user is kept: in the string, or in PGCONNECT_TIMEOUT for libpq to apply.
    #expect(
      try ConnectionConfiguration(database: "connect_timeout=3", immichEnv: nil, environment: [:]).parameters()[
        "connect_timeout"] == "3")
    #expect(
      try ConnectionConfiguration(database: nil, immichEnv: nil, environment: ["PGCONNECT_TIMEOUT": "5"]).parameters()[
        "connect_timeout"] == nil)
    // Immich's own defaults (host "database") are not applied.
    #expect(
      try ConnectionConfiguration(database: nil, immichEnv: try DotEnv(parsing: "UPLOAD_LOCATION=/x"), environment: [:])
        .parameters()["host"] == nil)
  }

  @Test("a bare word is a database name, as for psql")
  func bareDatabaseName() throws {
    #expect(try ConnectionParameters.parse("immich")["dbname"] == "immich")
    #expect(try ConnectionParameters.parse("postgresql://u@h:5/d?sslmode=require")["sslmode"] == "require")
  }
}
