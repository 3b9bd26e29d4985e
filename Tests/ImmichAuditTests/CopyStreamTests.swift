import CompactStore
import Foundation
import Testing
import UUIDText

@testable import AuditCore
@testable import PostgresClient

/// `copyStream` reads PostgreSQL's binary COPY format: every value must come out as the text
/// protocol (`stream`) gives it, bytes exact, NULLs as NULLs.
@Suite("binary COPY stream: the same rows as the text protocol")
struct CopyStreamTests {
  static let query = """
    -- a comment first, as the query files have
    SELECT id, n, small, flag, label, kind, note
    FROM (VALUES
      ('0b1c2d3e-4f50-4617-8899-aabbccddeeff'::uuid, 9007199254740993::int8, 7::int4, true,
       E'tab\\there\\nnewline\\\\back', 'b'::mood, NULL::text),
      (NULL::uuid, -5::int8, NULL::int4, false, '', 'a'::mood, 'x'),
      ('00000000-0000-0000-0000-000000000000'::uuid, NULL::int8, '-2147483648'::int4, NULL::bool, 'ü €', NULL::mood,
       E'\\\\x00')
    ) AS v(id, n, small, flag, label, kind, note);
    """

  func connect() throws -> (Connection, TestCluster, String) {
    let cluster = try TestCluster.shared()
    let database = try cluster.emptyDatabase()
    _ = try cluster.psql(database, "CREATE TYPE mood AS ENUM ('a', 'b')")
    return (
      try Connection.connect(try ConnectionParameters.parse(cluster.superuserConninfo(database))), cluster, database
    )
  }

  @Test("uuid, int8, int4, bool, text with tabs and newlines, an enum, NULLs")
  func sameRows() throws {
    let (connection, _, _) = try connect()
    var text: [[String?]] = []
    try connection.stream(Self.query) { row in text.append((0..<row.count).map { row.string($0) }) }
    var binary: [[String?]] = []
    var uuids: [String?] = []
    var integers: [Int64?] = []
    try connection.copyStream(Self.query) { row in
      binary.append((0..<row.count).map { row.string($0) })
      uuids.append(row.uuid(0).map { UUIDText.string(high: $0.high, low: $0.low) })
      integers.append(row.int64(1))
    }
    #expect(text.count == 3)
    #expect(binary == text)
    #expect(uuids == ["0b1c2d3e-4f50-4617-8899-aabbccddeeff", nil, "00000000-0000-0000-0000-000000000000"])
    #expect(integers == [9_007_199_254_740_993, -5, nil])
  }

  @Test("no rows: the body is never called; an error in the query is the server's message")
  func emptyAndError() throws {
    let (connection, _, _) = try connect()
    var calls = 0
    try connection.copyStream("SELECT 1 AS one WHERE false;") { _ in calls += 1 }
    #expect(calls == 0)
    #expect(throws: PostgresError.self) { try connection.copyStream("SELECT no_such_column FROM pg_class") { _ in } }
    // The connection is usable afterwards.
    var after = 0
    try connection.copyStream("SELECT 2 AS two") { row in after = Int(row.int64(0) ?? 0) }
    #expect(after == 2)
  }

  @Test("ids read from binary rows spell back exactly, the all-ones one included")
  func ids() throws {
    let (connection, _, _) = try connect()
    let ids = [
      "0b1c2d3e-4f50-4617-8899-aabbccddeeff", "ffffffff-ffff-ffff-ffff-ffffffffffff",
      "ffffffff-ffff-ffff-0000-000000000000",
    ]
    var overflow = CompactID.Overflow()
    var read: [String?] = []
    try connection.copyStream("SELECT id FROM unnest(ARRAY['\(ids.joined(separator: "','"))']::uuid[]) AS id") { row in
      read.append(FilesystemAudit.compactID(row, 0, &overflow).string(overflow))
    }
    #expect(read == ids)
  }
}
