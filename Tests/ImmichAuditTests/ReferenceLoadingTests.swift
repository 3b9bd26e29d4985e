import CompactStore
import Foundation
import PostgresClient
import Testing

@testable import AuditCore

/// What `check` reads from the database, as it reads it (binary COPY rows into the index), on
/// every schema generation of the fixture (Tests/Fixtures/generate.py).
@Suite("references read into the index on every generation")
struct ReferenceLoadingTests {
  /// The index `check` builds, paths unmapped, checksums kept (as `--verify all` keeps them).
  static func index(_ generation: String) throws -> ReferenceIndex {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: generation)
    let database = try openSession(cluster.auditorConninfo(name))
    defer { database.close() }
    var options = FilesystemAudit.Options()
    options.verify = .all
    let overview = try database.overview(samplesPerKind: 0)
    let audit = FilesystemAudit(
      mapper: PathMapper([]), mediaLocation: "/data", libraries: overview.libraries, options: options)
    return try audit.readReferences(database)
  }

  static func id(_ n: Int) -> String { String(format: "a0000000-0000-4000-8000-%012d", n) }

  @Test("every asset's original with its state, checksum kind, size and upload name", arguments: Fixture.generations)
  func originals(generation: String) throws {
    let index = try Self.index(generation)
    var originals: [String: ReferenceIndex.Reference] = [:]
    for reference in index.references where reference.kind == .original {
      originals[try #require(reference.rowId.string(index.ids))] = reference
    }
    #expect(originals.count == 10)
    func asset(_ n: Int) throws -> ReferenceIndex.Reference { try #require(originals[Self.id(n)]) }
    func path(_ n: Int) throws -> String { String(decoding: index.databasePath(try asset(n).path), as: UTF8.self) }
    // External assets are path-hashed (their checksum is sha1("path:" + path), and it matches).
    #expect(try !asset(5).flags.contains(.contentHashed) && !asset(5).flags.contains(.pathChecksumMismatch))
    #expect(try path(5) == "/mnt/nas/photos/2024/img5.jpg")
    #expect(try asset(7).flags.contains(.contentHashed))  // the motion part of an external photo
    #expect(try asset(1).flags.contains(.contentHashed) && asset(1).checksum >= 0)
    #expect(try asset(5).checksum == -1)  // a path hash is no content checksum: not kept
    #expect(try asset(1).expectedSize == 2048)
    #expect(try asset(9).expectedSize == -1)  // no exif row: no size check
    #expect(try asset(6).flags.isSuperset(of: [.offline, .trashed]))
    #expect(try asset(4).flags.contains(.trashed) && !asset(4).flags.contains(.offline))
    #expect(try !asset(4).flags.contains(.deletedStatus))
    #expect(try String(decoding: index.fileNames[Int(asset(3).fileName)], as: UTF8.self) == "MOV_0003.mp4")
    #expect(try asset(5).library >= 0 && asset(1).library == -1)
    let prefix = [
      "immich-v1.106": "upload/upload/", "immich-v1.123": "upload/upload/",
      "immich-v2.5": "/usr/src/app/upload/upload/", "immich-v3.1": "/data/upload/",
    ][generation]!
    #expect(try path(1).hasPrefix(prefix))
  }

  /// The originals of database `name` (v3.1 fixture), by asset number.
  static func originals(_ name: String) throws -> [Int: ReferenceIndex.Reference] {
    let cluster = try TestCluster.shared()
    let database = try openSession(cluster.auditorConninfo(name))
    defer { database.close() }
    let overview = try database.overview(samplesPerKind: 0)
    let audit = FilesystemAudit(
      mapper: PathMapper([]), mediaLocation: "/data", libraries: overview.libraries, options: .init())
    let index = try audit.readReferences(database)
    var originals: [Int: ReferenceIndex.Reference] = [:]
    for reference in index.references where reference.kind == .original {
      originals[Int(try #require(reference.rowId.string(index.ids)).suffix(12))!] = reference
    }
    return originals
  }

  @Test("status and checksum kind come from their enums; a type without the label reads as neither, not an error")
  func enumLabels() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v3.1")
    try cluster.psql(name, "UPDATE asset SET status = 'deleted' WHERE id = '\(Self.id(2))'")
    var originals = try Self.originals(name)
    #expect(originals.count == 10)
    #expect(originals.filter { $0.value.flags.contains(.deletedStatus) }.map(\.key) == [2])
    #expect(originals.filter { !$0.value.flags.contains(.contentHashed) }.keys.sorted() == [5, 6, 10])
    #expect(originals.values.allSatisfy { !$0.flags.contains(.pathChecksumMismatch) })
    // The same rows, with both enum types made again without those labels (as a later Immich
    // might): nothing is queued for deletion, nothing is path-hashed, and the audit still runs.
    try cluster.psql(
      name,
      """
      UPDATE asset SET status = 'trashed' WHERE status = 'deleted';
      ALTER TABLE asset ALTER COLUMN status DROP DEFAULT, ALTER COLUMN status TYPE text,
        ALTER COLUMN "checksumAlgorithm" TYPE text;
      DROP TYPE assets_status_enum; DROP TYPE asset_checksum_algorithm_enum;
      CREATE TYPE assets_status_enum AS ENUM ('active', 'trashed');
      CREATE TYPE asset_checksum_algorithm_enum AS ENUM ('sha1', 'sha256');
      UPDATE asset SET "checksumAlgorithm" = 'sha1';
      ALTER TABLE asset ALTER COLUMN status TYPE assets_status_enum USING status::assets_status_enum,
        ALTER COLUMN "checksumAlgorithm" TYPE asset_checksum_algorithm_enum
          USING "checksumAlgorithm"::asset_checksum_algorithm_enum;
      """)
    originals = try Self.originals(name)
    #expect(originals.count == 10)
    #expect(originals.values.allSatisfy { !$0.flags.contains(.deletedStatus) && $0.flags.contains(.contentHashed) })
  }

  @Test("derivatives, sidecars, person thumbnails and profile images, wherever kept", arguments: Fixture.generations)
  func referencedFiles(generation: String) throws {
    let index = try Self.index(generation)
    var byKind: [ReferenceIndex.Kind: [String]] = [:]
    for reference in index.references where reference.kind != .original {
      byKind[reference.kind, default: []].append(String(decoding: index.databasePath(reference.path), as: UTF8.self))
    }
    // With the old columns, a preview and thumbnail on the 7 non-external assets; as asset_file
    // rows, on assets 1–8; one edited preview from v2.5; sidecars of assets 1 and 5; one
    // encoded video.
    let oldColumns = generation == "immich-v1.106"
    let edited = generation == "immich-v2.5" || generation == "immich-v3.1"
    #expect(byKind[.preview]?.count == (oldColumns ? 7 : 8) + (edited ? 1 : 0))
    #expect(byKind[.thumbnail]?.count == (oldColumns ? 7 : 8))
    #expect(byKind[.sidecar]?.contains("/mnt/nas/photos/2024/img5.jpg.xmp") == true)
    #expect(byKind[.sidecar]?.count == 2)
    #expect(byKind[.encodedVideo]?.count == 1)
    #expect(byKind[.encodedVideo]?.first?.hasSuffix("a0000000-0000-4000-8000-000000000003.mp4") == true)
    #expect(byKind[.personThumbnail]?.count == 2)
    #expect(byKind[.profileImage]?.count == 1)
    #expect(byKind[.fullsize] == nil)
    // An asset's files belong to it and to its original's owner.
    let preview = try #require(index.references.first { $0.kind == .preview })
    #expect(preview.rowId.string(index.ids)?.hasPrefix("a0000000-") == true && index.ownerId(of: preview) != nil)
  }
}
