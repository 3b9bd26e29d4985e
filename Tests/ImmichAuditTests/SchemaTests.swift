import Foundation
import Testing

@testable import AuditCore

@Suite("schema generations")
struct SchemaTests {
  @Test("explain names the generation, the probes, libraries and sample paths", arguments: Fixture.generations)
  func explain(generation: String) throws {
    let cluster = try TestCluster.shared()
    let database = try cluster.database(fixture: generation)
    let result = try CLI.run(["explain", "--db", cluster.superuserConninfo(database)])
    #expect(result.status == 0, "\(result.stderr)")
    let expected = Fixture.schema[generation]!
    #expect(result.stdout.contains("Schema:     \(expected.generation) "))
    #expect(result.stdout.contains("Immich:     \(expected.version ?? "unknown")"))
    #expect(result.stdout.contains("NAS Photos (\(Fixture.nasLibrary))"))
    #expect(result.stdout.contains("import paths:       /mnt/nas/photos, /mnt/nas/more photos"))
    #expect(result.stdout.contains("exclusion patterns: **/@eaDir/**, **/._*"))
    #expect(result.stdout.contains("Old archive (\(Fixture.oldLibrary)) [deleted]"))
    // Every path kind the fixture holds, wherever this generation keeps it.
    for kind in ["original", "preview", "thumbnail", "sidecar", "encoded-video", "person-thumbnail", "profile-image"] {
      #expect(result.stdout.contains("\n  \(kind) "), "\(generation): no \(kind) sample")
    }
    // Each sample: its kind and id, then the database path on the next line.
    #expect(
      result.stdout.contains("  sidecar a0000000-0000-4000-8000-000000000005\n    /mnt/nas/photos/2024/img5.jpg.xmp\n"))
    let prefix =
      generation == "immich-v3.1" ? "/data/upload" : generation == "immich-v2.5" ? "/usr/src" : "upload/upload"
    #expect(result.stdout.contains("  \(prefix) "), "\(generation): prefix \(prefix)")
  }

  @Test("explain --sql prints the statements as renamed for the database")
  func explainSQL() throws {
    let cluster = try TestCluster.shared()
    let database = try cluster.database(fixture: "immich-v1.106")
    let result = try CLI.run(["explain", "--sql", "--db", cluster.superuserConninfo(database)])
    #expect(result.status == 0)
    #expect(result.stdout.contains("FROM libraries"))
    #expect(result.stdout.contains("assets.\"sidecarPath\""))
    #expect(!result.stdout.contains("FROM library\n"))
  }

  @Test("a database without Immich tables is refused with exit 2")
  func notImmich() throws {
    let cluster = try TestCluster.shared()
    let database = try cluster.emptyDatabase()
    try cluster.psql(database, "CREATE TABLE photos (id int)")
    let result = try CLI.run(["counts", "--db", cluster.superuserConninfo(database)])
    #expect(result.status == 2)
    #expect(result.stdout.isEmpty)
    #expect(
      result.stderr
        == "immich-audit: error: unsupported database: no Immich tables in schema public (looked for table asset or "
        + "assets; found tables photos): is this the Immich database?\n"
    )
  }

  @Test("Immich older than v1.106 is refused, naming what was found")
  func tooOld() throws {
    let cluster = try TestCluster.shared()
    let database = try cluster.database(fixture: "immich-v1.106")
    try cluster.psql(database, "ALTER TABLE assets DROP COLUMN \"duplicateId\"")
    let result = try CLI.run(["explain", "--db", cluster.superuserConninfo(database)])
    #expect(result.status == 2)
    #expect(result.stderr.contains("found table assets without column duplicateId: Immich older than v1.106?"))
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  @Test("a newer Immich with v3.1's structure runs with a warning naming the version")
  func newerRelease() throws {
    let cluster = try TestCluster.shared()
    let database = try cluster.database(fixture: "immich-v3.1")
    try cluster.psql(database, "INSERT INTO version_history (\"createdAt\", version) VALUES ('2026-10-01', '3.2.0')")
    let result = try CLI.run(["counts", "--format", "json", "--db", cluster.superuserConninfo(database)])
    #expect(result.status == 0)
    #expect(
      result.stderr.contains(
        "immich-audit: warning: Immich 3.2.0 is newer than the newest release this immich-audit knows (v3.1)"))
    #expect(intCounts(try parseJSON(result.stdout)["counts"]) == Fixture.counts("immich-v3.1"))
  }

  @Test("generation boundaries from catalog probes")
  func detectionTable() throws {
    func tables(_ edits: (inout [String: Set<String>]) -> Void) -> [String: Set<String>] {
      var t: [String: Set<String>] = [
        "asset": [
          "id", "ownerId", "libraryId", "originalPath", "type", "checksum", "isExternal", "isOffline", "isFavorite",
          "deletedAt", "createdAt", "duplicateId", "status", "visibility", "checksumAlgorithm",
        ],
        "asset_exif": ["assetId", "description", "latitude", "longitude", "fileSizeInByte"],
        "user": ["id", "email", "deletedAt", "profileImagePath"],
        "library": ["id", "name", "ownerId", "importPaths", "exclusionPatterns", "deletedAt"],
        "album": ["id", "deletedAt"], "album_asset": ["albumId", "assetId"],
        "album_user": ["albumId", "userId", "role"],
        "person": ["id", "name", "isHidden", "thumbnailPath"],
        "asset_face": ["id", "assetId", "personId", "deletedAt"],
        "tag": ["id"], "tag_asset": ["assetId", "tagId"], "stack": ["id"], "memory": ["id"], "shared_link": ["id"],
        "asset_file": ["id", "assetId", "type", "path", "isEdited"],
      ]
      edits(&t)
      return t
    }
    #expect(try ImmichSchema.detect(tables: tables { _ in }).generation == "v3.0")
    #expect(try ImmichSchema.detect(tables: tables { $0["album"]!.insert("ownerId") }).generation == "v2.7")
    let v26 = try ImmichSchema.detect(
      tables: tables {
        $0["album"]!.insert("ownerId")
        $0["asset"]!.remove("checksumAlgorithm")
      })
    #expect(v26.generation == "v2.6")
    #expect(v26.warnings.isEmpty)
    // A structure no release had: newest feature without an older one.
    let mixed = try ImmichSchema.detect(tables: tables { $0["asset_face"]!.remove("deletedAt") })
    #expect(mixed.generation == "v1.116")
    #expect(!mixed.warnings.isEmpty)
    #expect(!mixed.hasFaceDeletedAt)
    #expect(throws: SchemaError.self) { try ImmichSchema.detect(tables: tables { $0["asset"]!.remove("visibility") }) }
    #expect(throws: SchemaError.self) { try ImmichSchema.detect(tables: tables { $0["person"] = nil }) }
  }
}

@Suite("SQL renaming")
struct SQLRenamerTests {
  static func schema(plural: Bool, oldJoins: Bool) throws -> ImmichSchema {
    let asset = plural ? "assets" : "asset"
    var t: [String: Set<String>] = [
      asset: [
        "id", "ownerId", "libraryId", "originalPath", "type", "checksum", "isExternal", "isOffline", "isFavorite",
        "deletedAt", "createdAt", "duplicateId", "isArchived", "previewPath", "thumbnailPath",
      ],
      plural ? "exif" : "asset_exif": ["assetId", "description", "latitude", "longitude", "fileSizeInByte"],
      plural ? "users" : "user": ["id", "email", "deletedAt", "profileImagePath"],
      plural ? "libraries" : "library": ["id", "name", "ownerId", "importPaths", "exclusionPatterns", "deletedAt"],
      plural ? "albums" : "album": ["id", "deletedAt", "ownerId"],
      "person": ["id", "name", "isHidden", "thumbnailPath"],
      plural ? "asset_faces" : "asset_face": ["id", "assetId", "personId"],
      plural ? "tags" : "tag": ["id"], plural ? "asset_stack" : "stack": ["id"], plural ? "memories" : "memory": ["id"],
      plural ? "shared_links" : "shared_link": ["id"],
    ]
    t[plural ? "albums_assets_assets" : "album_asset"] = oldJoins ? ["albumsId", "assetsId"] : ["albumId", "assetId"]
    t[plural ? "albums_shared_users_users" : "album_user"] =
      oldJoins ? ["albumsId", "usersId", "role"] : ["albumId", "userId", "role"]
    t["tag_asset"] = oldJoins ? ["assetsId", "tagsId"] : ["assetId", "tagId"]
    return try ImmichSchema.detect(tables: t)
  }

  @Test("tables and qualified join columns are renamed; strings, comments and keywords are not")
  func renames() throws {
    let sql = """
      -- asset and album_asset."albumId" stay in comments
      SELECT asset."originalPath", 'asset', "user".email, album_asset."albumId", asset_exif."assetId"
      FROM asset
      JOIN album_asset ON album_asset."assetId" = asset.id JOIN "user" ON TRUE
      WHERE type = 'IMAGE'
      """
    let old = SQLRenamer(schema: try Self.schema(plural: true, oldJoins: true), extraIdentifiers: [:]).rewrite(sql)
    #expect(
      old == """
        -- asset and album_asset."albumId" stay in comments
        SELECT assets."originalPath", 'asset', "users".email, albums_assets_assets."albumsId", exif."assetId"
        FROM assets
        JOIN albums_assets_assets ON albums_assets_assets."assetsId" = assets.id JOIN "users" ON TRUE
        WHERE type = 'IMAGE'
        """)
    let v2 = SQLRenamer(schema: try Self.schema(plural: false, oldJoins: true), extraIdentifiers: [:]).rewrite(sql)
    #expect(v2.contains("album_asset.\"albumsId\""))
    #expect(v2.contains("FROM asset\n"))
    let current = SQLRenamer(schema: try Self.schema(plural: false, oldJoins: false), extraIdentifiers: [:]).rewrite(
      sql)
    #expect(current == sql)
  }
}
