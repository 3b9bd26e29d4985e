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
    let parameters = try ConnectionConfiguration(database: cluster.auditorConninfo(name), immichEnv: nil, environment: [:]).parameters()
    let database = try ImmichDatabase.open(parameters)
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
    let prefix = ["immich-v1.106": "upload/upload/", "immich-v1.123": "upload/upload/", "immich-v2.5": "/usr/src/app/upload/upload/", "immich-v3.1": "/data/upload/"][generation]!
    #expect(try String(decoding: asset(1).path, as: UTF8.self).hasPrefix(prefix))
  }
}
