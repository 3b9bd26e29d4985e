import AuditCore
import Foundation
import Testing

/// A restored Immich for `check` tests: a fixture database and a host tree holding every file
/// that database references, at the size it records (offline assets' originals left out, as
/// an offline asset's file is gone). Container prefixes map to folders of a temporary folder:
/// the media location to `media/`, `/mnt/nas` to `nas/`, `/mnt/archive` to `archive/`.
///
/// The file list is read with psql and the fixture's own column names, not with the tool's
/// queries, so a path source the tool forgot shows up as a finding.
final class AuditScene {
  let cluster: TestCluster
  let database: String
  let generation: String
  let folder: TemporaryFolder
  /// Every referenced container path → host path.
  private(set) var files: [String: String] = [:]

  var media: String { folder.path + "/media" }

  init(_ generation: String = "immich-v3.1", writeOffline: Bool = false) throws {
    cluster = try TestCluster.shared()
    database = try cluster.database(fixture: generation)
    self.generation = generation
    folder = try TemporaryFolder()
    let plural = generation == "immich-v1.106" || generation == "immich-v1.123"
    let assets = plural ? "assets" : "asset"
    let exif = plural ? "exif" : "asset_exif"
    let users = plural ? "users" : "\"user\""
    for line in try cluster.psql(
      database,
      "SELECT coalesce(e.\"fileSizeInByte\"::text, '') || chr(9) || to_jsonb(a)::text FROM \(assets) a LEFT JOIN "
        + "\(exif) e ON e.\"assetId\" = a.id"
    ).split(separator: "\n") {
      let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
      let row = try JSONValue.parse(Data(parts[1].utf8))
      let size = Int(parts[0])
      if case .bool(true) = row["isOffline"] ?? .null, !writeOffline {
        files[row["originalPath"]!.stringValue!] = hostPath(row["originalPath"]!.stringValue!)
      } else {
        try create(row["originalPath"]!.stringValue!, size: size ?? 10)
      }
      for column in ["previewPath", "thumbnailPath", "sidecarPath", "encodedVideoPath"] {
        if let path = row[column]?.stringValue, !path.isEmpty { try create(path) }
      }
    }
    if generation != "immich-v1.106" {
      for path in try cluster.psql(database, "SELECT path FROM \(plural ? "asset_files" : "asset_file")").split(
        separator: "\n")
      { try create(String(path)) }
    }
    for path in try cluster.psql(database, "SELECT \"thumbnailPath\" FROM person WHERE \"thumbnailPath\" <> ''").split(
      separator: "\n")
    { try create(String(path)) }
    for path in try cluster.psql(database, "SELECT \"profileImagePath\" FROM \(users) WHERE \"profileImagePath\" <> ''")
      .split(separator: "\n")
    { try create(String(path)) }
    for folderName in ["upload", "library", "thumbs", "encoded-video", "profile", "backups"] {
      try FileManager.default.createDirectory(atPath: "\(media)/\(folderName)", withIntermediateDirectories: true)
      try Data("1732500000000".utf8).write(to: URL(fileURLWithPath: "\(media)/\(folderName)/.immich"))
    }
    // Immich's own database dump, whole: no finding.
    try Self.writeDump(at: "\(media)/backups/immich-db-backup-20241124T000000-v3.1.0-pg14.19.sql.gz")
    try FileManager.default.createDirectory(atPath: folder.path + "/nas/more photos", withIntermediateDirectories: true)
  }

  /// What pg_dumpall writes last (Immich's dumps are pg_dumpall's).
  static let dumpEnding = "--\n-- PostgreSQL database cluster dump complete\n--\n\n"

  /// A gzip-compressed SQL dump at host path `path`, by gzip(1): `sql` compressed, then cut to
  /// `keepBytes` bytes if given (a dump cut short).
  static func writeDump(at path: String, sql: String = "SELECT 1;\n" + dumpEnding, keepBytes: Int? = nil) throws {
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-n", "-c"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    try input.fileHandleForWriting.write(contentsOf: Data(sql.utf8))
    try input.fileHandleForWriting.close()
    var compressed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if let keepBytes { compressed = compressed.prefix(keepBytes) }
    try compressed.write(to: URL(fileURLWithPath: path))
  }

  /// A dump at a container path (see `writeDump`).
  func createDump(_ container: String, sql: String = "SELECT 1;\n" + AuditScene.dumpEnding, keepBytes: Int? = nil)
    throws
  {
    try Self.writeDump(at: hostPath(container), sql: sql, keepBytes: keepBytes)
  }

  /// The media location's container prefix in this generation's paths.
  var mediaPrefix: String {
    switch generation {
    case "immich-v1.106", "immich-v1.123": return "upload"
    case "immich-v2.5": return "/usr/src/app/upload"
    default: return "/data"
    }
  }

  func hostPath(_ container: String) -> String {
    for (prefix, host) in [
      ("/mnt/nas/", folder.path + "/nas/"), ("/mnt/archive/", folder.path + "/archive/"),
      (mediaPrefix + "/", media + "/"),
    ] {
      if container.hasPrefix(prefix) { return host + container.dropFirst(prefix.count) }
    }
    Issue.record("no host folder for \(container)")
    return container
  }

  /// Creates a file at a container path, `size` bytes long.
  @discardableResult
  func create(_ container: String, size: Int = 10) throws -> String {
    let host = hostPath(container)
    files[container] = host
    try FileManager.default.createDirectory(
      atPath: (host as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(repeating: UInt8(ascii: "x"), count: size).write(to: URL(fileURLWithPath: host))
    return host
  }

  func remove(_ container: String) throws {
    try FileManager.default.removeItem(atPath: hostPath(container))
  }

  /// The container path the scene created that ends with `suffix` (exactly one).
  func path(endingWith suffix: String) -> String {
    let matches = files.keys.filter { $0.hasSuffix(suffix) }
    #expect(matches.count == 1, "\(suffix): \(matches)")
    return matches.first ?? suffix
  }

  var mappingArguments: [String] {
    ["--media-root", media, "--map", "/mnt/nas=\(folder.path)/nas", "--map", "/mnt/archive=\(folder.path)/archive"]
  }

  var conninfo: String { cluster.readerConninfo(database) }

  /// Runs `check` with the scene's mappings; the JSON report when `--format json` (the default here).
  func check(_ extra: [String] = [], format: String = "json", environment: [String: String] = [:]) throws -> (
    result: CLI.Result, report: JSONValue?
  ) {
    let result = try CLI.run(
      ["check", "--db", conninfo, "--format", format] + mappingArguments + extra, environment: environment)
    let report = format == "json" ? try? JSONValue.parse(Data(result.stdout.utf8)) : nil
    return (result, report)
  }
}

extension JSONValue {
  /// `summary` of a check report, without the zeros.
  var nonZeroSummary: [String: Int] {
    var result: [String: Int] = [:]
    for (key, value) in self["summary"]?.objectMembers ?? [] where value.intValue != 0 { result[key] = value.intValue }
    return result
  }

  func findings(_ kind: String) -> [JSONValue] {
    guard case .array(let items) = self["findings"] ?? .null else { return [] }
    return items.filter { $0["kind"]?.stringValue == kind }
  }

  var arrayItems: [JSONValue] {
    if case .array(let items) = self { return items }
    return []
  }
}
