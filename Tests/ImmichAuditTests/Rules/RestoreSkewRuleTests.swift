import Foundation
import Testing

@testable import AuditCore

/// RestoreSkewRule (Sources/AuditCore/Check/Rules/RestoreSkewRule.swift): the newest uploads
/// all without an original, and the report's restore point; each case beside a near miss.
@Suite("RestoreSkewRule: a file backup older than the database")
struct RestoreSkewRuleTests: CheckScenes {
  /// Makes Bob's two photos the newest uploads and the admin's photo 2 the third newest.
  static func newestUploads(_ scene: AuditScene) throws {
    let table = scene.generation == "immich-v1.106" || scene.generation == "immich-v1.123" ? "assets" : "asset"
    for (asset, createdAt) in [
      (9, "2024-07-01 11:00:00+00"), (8, "2024-07-01 10:00:00+00"), (2, "2024-06-30 00:00:00+00"),
    ] {
      try scene.cluster.psql(
        scene.database,
        "UPDATE \(table) SET \"createdAt\" = '\(createdAt)' WHERE id = 'a0000000-0000-4000-8000-00000000000\(asset)'")
    }
  }

  @Test(
    "on every generation: the three newest uploads missing make one finding with its window",
    arguments: Fixture.generations)
  func skew(generation: String) throws {
    let scene = try AuditScene(generation)
    try Self.newestUploads(scene)
    for suffix in ["000000000009.jpg", "000000000008.jpg", "000000000002.jpg"] {
      try scene.remove(scene.path(endingWith: suffix))
    }
    try scene.createDump(scene.mediaPrefix + "/backups/immich-db-backup-1733000000000.sql.gz")
    try scene.create(scene.mediaPrefix + "/backups/immich-db-backup-20250101T000000-v3.1.0-pg14.19.sql.gz.tmp")
    let report = try run(scene)
    #expect(paths(report, "restore-skew") == ["\(scene.mediaPrefix)/upload"])
    let finding = try #require(report.findings("restore-skew").first)
    #expect(finding["severity"]?.stringValue == "warning")
    #expect(finding["assets"]?.intValue == 3)
    #expect(
      finding["window"]
        == .object([("from", .string("2024-06-30T00:00:00Z")), ("to", .string("2024-07-01T11:00:00Z"))]))
    #expect(finding["byOwner"] == .object([(Fixture.admin, .int(1)), (Fixture.bob, .int(2))]))
    #expect(
      report["restorePoint"]
        == .object([
          ("newestAssetCreatedAt", .string("2024-07-01T11:00:00Z")),
          ("newestDump", .string("immich-db-backup-1733000000000.sql.gz")), ("skewAssets", .int(3)),
        ]))
    // Not failing of its own: the missing originals fail the run.
    #expect(report["exitCode"]?.intValue == 1)
  }

  @Test("near misses: the newest upload present; a single missing newest upload", arguments: Fixture.generations)
  func nearMiss(generation: String) throws {
    let scene = try AuditScene(generation)
    try Self.newestUploads(scene)
    try scene.remove(scene.path(endingWith: "000000000008.jpg"))
    try scene.remove(scene.path(endingWith: "000000000002.jpg"))
    var report = try run(scene)
    #expect(paths(report, "restore-skew") == [])
    #expect(report["restorePoint"]?["skewAssets"]?.intValue == 0)
    #expect(
      report["restorePoint"]?["newestDump"]?.stringValue == "immich-db-backup-20241124T000000-v3.1.0-pg14.19.sql.gz")

    try scene.remove(scene.path(endingWith: "000000000009.jpg"))
    try scene.create(scene.path(endingWith: "000000000008.jpg"), size: 900)
    report = try run(scene)
    #expect(paths(report, "restore-skew") == [])
    #expect(report["summary"]?["restore-skew"]?.intValue == 0)
  }

  /// Adds `count` uploads of the admin's, newer than every other asset, none with a file:
  /// upload n created at 2025-01-01 00:00:00 plus n seconds and n milliseconds.
  static func addMissingUploads(_ scene: AuditScene, count: Int) throws {
    try scene.cluster.psql(
      scene.database,
      """
      INSERT INTO asset (id, "ownerId", type, "originalPath", "fileCreatedAt", "fileModifiedAt", "localDateTime",
        "createdAt", "originalFileName", checksum, "checksumAlgorithm")
      SELECT ('b1000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, '\(Fixture.admin)', 'IMAGE',
        '/data/upload/\(Fixture.admin)/b1/00/' || n || '.jpg', now(), now(), now(),
        timestamptz '2025-01-01 00:00:00+00' + n * interval '1 second' + n * interval '1 millisecond',
        'new' || n || '.jpg', decode(md5(n::text) || '00000000', 'hex'), 'sha1'
      FROM generate_series(1, \(count)) AS n
      """)
  }

  @Test(
    "the run within the newest uploads kept while reading, and past them (the database asked again): same window",
    arguments: [(10, "2025-01-01T00:00:10.01Z"), (NewestUploads.kept + 6, "2025-01-01T00:01:10.07Z")])
  func longRuns(count: Int, newest: String) throws {
    let scene = try AuditScene()
    try Self.addMissingUploads(scene, count: count)
    let report = try run(scene)
    let finding = try #require(report.findings("restore-skew").first)
    #expect(finding["assets"]?.intValue == count)
    #expect(finding["window"] == .object([("from", .string("2025-01-01T00:00:01.001Z")), ("to", .string(newest))]))
    #expect(finding["byOwner"] == .object([(Fixture.admin, .int(count))]))
    #expect(report["restorePoint"]?["skewAssets"]?.intValue == count)
  }

  @Test("createdAt as the report writes it, from the binary COPY: the server's own text, made ISO-8601")
  func timestampsFromMicroseconds() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.emptyDatabase()
    let values = [
      "2024-06-01 10:10:00+00", "2024-06-01 10:10:00.5+00", "2024-06-01 10:10:00.123456+00",
      "2024-06-01 10:10:00.000001+00", "2024-06-01 10:10:00.12+00", "1999-12-31 23:59:59.999999+00",
      "2000-01-01 00:00:00+00", "2000-02-29 12:00:00+00", "1970-01-01 00:00:00+00", "1900-03-01 01:02:03.04+00",
      "2100-03-01 00:00:00+00", "0001-01-01 00:00:00+00", "9999-12-31 23:59:59.999999+00",
    ]
    let rows = try cluster.psql(
      name,
      "SET TimeZone = 'UTC'; SELECT (extract(epoch FROM t - timestamptz '2000-01-01 00:00:00+00') * 1000000)::bigint, "
        + "t::text FROM unnest(ARRAY['\(values.joined(separator: "','"))']::timestamptz[]) AS t"
    ).split(separator: "\n").filter { $0.contains("|") }.map { $0.split(separator: "|").map(String.init) }
    #expect(rows.count == values.count)
    for row in rows {
      let micros = try #require(Int64(row[0]))
      #expect(Timestamp.iso8601(microsecondsSince2000: micros) == Timestamp.fromPostgres(row[1]), "\(row)")
    }
    // A microsecond before 0001-01-01 is 1 BC, which the server writes otherwise: no answer.
    let first = try #require(rows.first { $0[1].hasPrefix("0001-") }.flatMap { Int64($0[0]) })
    #expect(Timestamp.iso8601(microsecondsSince2000: first - 1) == nil)
  }

  @Test("no dump in backups/: newestDump is null")
  func noDump() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(
      atPath: scene.media + "/backups/immich-db-backup-20241124T000000-v3.1.0-pg14.19.sql.gz")
    let report = try run(scene)
    #expect(report["restorePoint"]?["newestDump"] == .null)
    #expect(report["restorePoint"]?["newestAssetCreatedAt"]?.stringValue != nil)
  }
}
