import Foundation
import PostgresClient
import Testing

@testable import AuditCore

@Suite("original paths on every generation")
struct OriginalPathsTests {
  @Test("every asset's original with its state, checksum kind and size", arguments: Fixture.generations)
  func originals(generation: String) throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: generation)
    let database = try openSession(cluster.auditorConninfo(name))
    var records: [String: OriginalRecord] = [:]
    try database.streamOriginals { records[$0.assetId] = $0 }
    database.close()
    #expect(records.count == 10)
    func asset(_ n: Int) throws -> OriginalRecord {
      try #require(records[String(format: "a0000000-0000-4000-8000-%012d", n)])
    }
    // External assets are path-hashed, and their checksum is sha1("path:" + path).
    #expect(try asset(5).pathHashed)
    #expect(try asset(5).path == Array("/mnt/nas/photos/2024/img5.jpg".utf8))
    #expect(try !asset(7).pathHashed)  // the motion part of an external photo: content-hashed
    #expect(try !asset(1).pathHashed)
    #expect(try asset(1).size == 2048)
    #expect(try asset(9).size == nil)  // no exif row: no size check
    #expect(try asset(6).offline && asset(6).trashed)
    #expect(try asset(4).trashed && !asset(4).offline)
    let hasStatus = generation != "immich-v1.106"
    #expect(try asset(4).status == (hasStatus ? "trashed" : "active"))
    #expect(try asset(10).checksum.count == 40)
    #expect(try asset(3).fileName == "MOV_0003.mp4")
    let prefix = [
      "immich-v1.106": "upload/upload/", "immich-v1.123": "upload/upload/",
      "immich-v2.5": "/usr/src/app/upload/upload/", "immich-v3.1": "/data/upload/",
    ][generation]!
    #expect(try String(decoding: asset(1).path, as: UTF8.self).hasPrefix(prefix))
  }
}

@Suite("referenced files on every generation")
struct ReferencedFilesTests {
  @Test("derivatives, sidecars, person thumbnails and profile images, wherever kept", arguments: Fixture.generations)
  func referenced(generation: String) throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: generation)
    let database = try openSession(cluster.superuserConninfo(name))
    var byKind: [ReferencedFile.Kind: [String]] = [:]
    try database.streamReferencedFiles { byKind[$0.kind, default: []].append(String(decoding: $0.path, as: UTF8.self)) }
    database.close()
    // The fixture (Tests/Fixtures/generate.py): with the old columns, a preview and thumbnail on
    // the 7 non-external assets; as asset_file rows, on assets 1–8; one edited preview from v2.5;
    // sidecars of assets 1 and 5; one encoded video.
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
  }
}
