import AuditCore
import Foundation
import Testing

/// DumpRule (Sources/AuditCore/Check/Rules/DumpRule.swift) and GzipSQLDump
/// (Sources/DumpCheck): Immich's database dumps read whole; each case beside a near miss.
@Suite("DumpRule: database dumps in backups/ that would not restore")
struct DumpRuleTests: CheckScenes {
  static let old = "/backups/immich-db-backup-20241101T000000-v3.1.0-pg14.19.sql.gz"
  static let newest = "/backups/immich-db-backup-20241130T000000-v3.1.0-pg14.19.sql.gz"

  @Test(
    "on every generation: a truncated newest dump is reported at --verify size; an older broken one only at all",
    arguments: Fixture.generations)
  func tiers(generation: String) throws {
    let scene = try AuditScene(generation)
    let big = String(repeating: "INSERT INTO t VALUES (42, 'some text to compress');\n", count: 20_000)
    try scene.createDump(scene.mediaPrefix + Self.newest, sql: big + AuditScene.dumpEnding, keepBytes: 2_000)
    // An older dump whose SQL stops before the closing comment (pg_dump died).
    try scene.createDump(scene.mediaPrefix + Self.old, sql: big)
    var report = try run(scene)
    #expect(paths(report, "corrupt-db-dump") == [scene.mediaPrefix + Self.newest])
    let finding = try #require(report.findings("corrupt-db-dump").first)
    #expect(finding["severity"]?.stringValue == "warning")
    #expect(finding["detail"]?.stringValue?.hasPrefix("the gzip stream ends early") == true)
    #expect(
      report["restorePoint"]?["newestDump"]?.stringValue == "immich-db-backup-20241130T000000-v3.1.0-pg14.19.sql.gz")
    // Not failing by default.
    #expect(report["exitCode"]?.intValue == 0)

    report = try run(scene, ["--verify", "all"])
    #expect(paths(report, "corrupt-db-dump") == [scene.mediaPrefix + Self.old, scene.mediaPrefix + Self.newest])
    #expect(
      report.findings("corrupt-db-dump").first?["detail"]?.stringValue?.hasPrefix(
        "the SQL stops before pg_dump's closing comment") == true)

    // --verify none reads no dump.
    report = try run(scene, ["--verify", "none"])
    #expect(paths(report, "corrupt-db-dump") == [])
  }

  @Test("near misses: pg_dump's frame lines, blank lines and \\unrestrict after the comment; a multi-member file")
  func wholeDumps() throws {
    let scene = try AuditScene()
    try scene.createDump(
      "/data" + Self.newest,
      sql: "SELECT 1;\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict abc123\n\n  \n")
    // Two gzip members end to end (gzip -c a b > c): still one whole dump.
    let first = scene.folder.path + "/part1.gz"
    let second = scene.folder.path + "/part2.gz"
    try AuditScene.writeDump(at: first, sql: "SELECT 1;\n")
    try AuditScene.writeDump(at: second, sql: AuditScene.dumpEnding)
    try (Data(contentsOf: URL(fileURLWithPath: first)) + Data(contentsOf: URL(fileURLWithPath: second))).write(
      to: URL(fileURLWithPath: scene.media + Self.old))
    let report = try run(scene, ["--verify", "all"])
    #expect(paths(report, "corrupt-db-dump") == [])
    #expect(report["summary"]?["corrupt-db-dump"]?.intValue == 0)
  }

  @Test("a dump that is not gzip at all, and one whose compressed bytes were damaged")
  func brokenStreams() throws {
    let scene = try AuditScene()
    try Data("not a gzip file\n".utf8).write(to: URL(fileURLWithPath: scene.media + Self.old))
    try scene.createDump(
      "/data" + Self.newest, sql: String(repeating: "SELECT 42;\n", count: 5000) + AuditScene.dumpEnding)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: scene.media + Self.newest))
    // The CRC-32 at the end: the data no longer matches it.
    bytes[bytes.count - 6] ^= 0xFF
    try bytes.write(to: URL(fileURLWithPath: scene.media + Self.newest))
    let report = try run(scene, ["--verify", "all"])
    let details = report.findings("corrupt-db-dump").map { $0["detail"]?.stringValue ?? "" }
    #expect(details.count == 2)
    #expect(details.allSatisfy { $0.hasPrefix("the gzip stream is broken") }, "\(details)")
  }
}
