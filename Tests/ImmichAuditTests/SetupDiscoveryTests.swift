import AuditCore
import Foundation
import Testing

/// Setup that finds Immich: run in Immich's folder with no option, `check` and `explain` use its
/// `.env` and compose file; `--compose` reads the database settings from the `.env` its server
/// service names; a failed connection with Immich's settings says why and what to do; a missing
/// root names the flag that maps it.
@Suite("setup that finds Immich", .serialized)
struct SetupDiscoveryTests {
  /// Immich's two files, written into the scene's folder as Immich's own install has them.
  static func immichFiles(_ scene: AuditScene, host: String? = nil) throws {
    var env =
      "DB_PORT=\(scene.cluster.port)\nDB_USERNAME=auditor\nDB_DATABASE_NAME=\(scene.database)\n"
      + "UPLOAD_LOCATION=./media\n"
    if let host { env = "DB_HOSTNAME=\(host)\n" + env }
    try scene.folder.write(".env", env)
    try scene.folder.write(
      "docker-compose.yml",
      """
      name: immich
      services:
        immich-server:
          image: ghcr.io/immich-app/immich-server:${IMMICH_VERSION:-release}
          env_file:
            - .env
          volumes:
            - ${UPLOAD_LOCATION}:/data
            - ./nas:/mnt/nas:ro
            - ./archive:/mnt/archive:ro
        database:
          image: ghcr.io/immich-app/postgres:14-vectorchord0.4.3-pgvectors0.2.0

      """)
  }

  /// Runs the tool in `folder` with a clean environment.
  static func run(_ arguments: [String], in folder: String, environment: [String: String] = [:]) throws -> CLI.Result {
    let quoted = ([CLI.executable] + arguments).map { "'\($0)'" }.joined(separator: " ")
    var env = ["PATH": "/usr/bin:/bin", "HOME": folder]
    for (key, value) in environment { env[key] = value }
    let result = try TestCluster.run("/bin/bash", ["-c", "cd '\(folder)' && exec \(quoted)"], environment: env)
    return CLI.Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
  }

  @Test("in Immich's folder, check and explain use its .env and compose file, say so, and map as Docker does")
  func discovery() throws {
    let scene = try AuditScene()
    try Self.immichFiles(scene, host: scene.cluster.directory)
    let check = try Self.run(["check", "--format", "json"], in: scene.folder.path)
    #expect(check.status == 0, "\(check.stderr)")
    #expect(
      check.stderr
        == "immich-audit: using Immich's .env and docker-compose.yml in this folder (--db, --immich-env or --compose "
        + "choose others)\n"
    )
    let report = try JSONValue.parse(Data(check.stdout.utf8))
    let sources = Set(
      report["mappings"]!.arrayItems.map { "\($0["container"]!.stringValue!) \($0["source"]!.stringValue!)" })
    #expect(sources == ["/data --compose", "/mnt/nas --compose", "/mnt/archive --compose"], "\(sources)")
    // explain shows exactly the mappings check used: one step builds both.
    let explain = try Self.run(["explain"], in: scene.folder.path)
    #expect(explain.status == 0, "\(explain.stderr)")
    for mapping in report["mappings"]!.arrayItems {
      let row =
        "\(mapping["container"]!.stringValue!) \(mapping["host"]!.stringValue!) \(mapping["source"]!.stringValue!)"
      #expect(
        explain.stdout.split(separator: "\n").map {
          $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }.contains(row), "\(row)")
    }
    // A way to connect given (here libpq's environment): the folder's files are not read.
    let given = try Self.run(
      ["check", "--format", "json"], in: scene.folder.path,
      environment: [
        "PGHOST": scene.cluster.directory, "PGPORT": String(scene.cluster.port), "PGUSER": "auditor",
        "PGDATABASE": scene.database,
      ])
    #expect(!given.stderr.contains("using Immich's"))
  }

  @Test("--compose alone takes the database settings from the .env its server service reads")
  func composeEnvFile() throws {
    let scene = try AuditScene()
    try Self.immichFiles(scene, host: scene.cluster.directory)
    let elsewhere = try TemporaryFolder()
    let result = try Self.run(["check", "--compose", scene.folder.path + "/docker-compose.yml"], in: elsewhere.path)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("PASS"))
    #expect(result.stderr.isEmpty, "\(result.stderr)")
  }

  @Test(
    "Immich's settings that cannot reach the database from here: the hint names the .env's host and the two ways out")
  func connectionHint() throws {
    let scene = try AuditScene()
    // Immich's own .env: no DB_HOSTNAME (Immich's default is the container `database`).
    try Self.immichFiles(scene)
    let result = try Self.run(
      ["check", "--compose", "docker-compose.yml"], in: scene.folder.path,
      environment: ["PGHOST": scene.folder.path + "/no-server-here"])
    #expect(result.status == 2)
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    #expect(
      result.stderr.contains(".env gives no DB_HOSTNAME (Immich itself then connects to its container `database`"),
      "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "publishes no database port. Either publish one for the drill (ports: [\"127.0.0.1:5432:5432\"] under the "
          + "database service) and add --db host=127.0.0.1, or run the audit where the restored cluster listens"
      ))
    try Self.immichFiles(scene, host: "database")
    let named = try Self.run(["check", "--compose", "docker-compose.yml"], in: scene.folder.path)
    #expect(named.status == 2)
    #expect(
      named.stderr.contains(".env gives DB_HOSTNAME=database, a container name only Docker's network knows"),
      "\(named.stderr)")
  }

  @Test("a missing import path or media folder names the flag that maps it, in check and explain")
  func missingRootAdvice() throws {
    let scene = try AuditScene()
    // The NAS share not mapped: /mnt/nas/photos is looked for as it is, and is not there.
    let arguments = [
      "--db", scene.conninfo, "--media-root", scene.media, "--map", "/mnt/archive=\(scene.folder.path)/archive",
    ]
    let check = try CLI.run(["check"] + arguments)
    #expect(check.status == 3)
    #expect(
      check.stderr.contains(
        "immich-audit: warning: import path /mnt/nas/photos of library NAS Photos not found as it is: map it with "
          + "--map /mnt/nas/photos=HOST"
      ), "\(check.stderr)")
    let explain = try CLI.run(["explain"] + arguments)
    #expect(
      explain.stdout.contains(
        "import path /mnt/nas/photos of library NAS Photos not found as it is: map it with --map /mnt/nas/photos=HOST"))
    // The media location mapped to a folder without the media folders.
    let empty = try TemporaryFolder()
    let media = try CLI.run([
      "check", "--db", scene.conninfo, "--media-root", empty.path, "--map", "/mnt/nas=\(scene.folder.path)/nas",
      "--map", "/mnt/archive=\(scene.folder.path)/archive",
    ])
    #expect(media.status == 3)
    #expect(
      media.stderr.contains(
        "media folders /data/upload, /data/library, /data/thumbs, /data/encoded-video, /data/profile missing under "
          + "\(empty.path) (mapped by --media-root)"
      ), "\(media.stderr)")
  }

  @Test("bare immich-audit with no way to connect: a short usage and the first command to try, exit 64")
  func bare() throws {
    let empty = try TemporaryFolder()
    let result = try Self.run([], in: empty.path)
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("usage: immich-audit"))
    #expect(result.stderr.contains("immich-audit explain"))
    #expect(!result.stderr.contains("socket"))
  }
}
