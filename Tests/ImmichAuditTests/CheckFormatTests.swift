import AuditCore
import Foundation
import Testing

/// Every report format against a golden file (Tests/Golden/), on one scene with findings of
/// several kinds and two unusual names. Run with IMMICH_AUDIT_UPDATE_GOLDEN=1 to rewrite them
/// after an intended change, then read the diff.
@Suite("check: report formats (golden files)", .serialized)
struct CheckFormatTests {
  static let golden = repositoryRoot.appendingPathComponent("Tests/Golden")

  static func scene() throws -> AuditScene {
    let scene = try AuditScene()
    try scene.remove(scene.path(endingWith: "000000000002.jpg"))
    try scene.remove("/mnt/nas/photos/2024/img5.jpg")
    try scene.create("/mnt/nas/photos/2025/img5.jpg", size: 700)
    try scene.create("/data/thumbs/stray.webp")
    try scene.create(scene.path(endingWith: "000000000008.jpg"), size: 901)
    try scene.create("/mnt/nas/photos/2025/line\nbreak, \"quoted\" <&>.jpg")
    let bytes = Array((scene.folder.path + "/nas/photos/2025/caf").utf8) + [0xE9] + Array(".jpg".utf8) + [0]
    let fd = bytes.withUnsafeBufferPointer { buffer in
      buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
        open($0, O_CREAT | O_WRONLY, 0o644)
      }
    }
    close(fd)
    // What Immich would do next: refuse to start (a marker gone), take img5 offline at the
    // next scan (an exclusion pattern), and Bob's two spellings of one photo (a case alias).
    try FileManager.default.removeItem(atPath: scene.media + "/encoded-video/.immich")
    // The newest dump stops before pg_dumpall's closing comment.
    try scene.createDump("/data/backups/immich-db-backup-20241125T000000-v3.1.0-pg14.19.sql.gz", sql: "SELECT 1;\n")
    // A thumbnail to rebuild: the next steps name the job.
    try scene.remove(scene.path(endingWith: "000000000001_thumbnail.webp"))
    try scene.cluster.psql(
      scene.database,
      "UPDATE library SET \"exclusionPatterns\" = ARRAY['**/@eaDir/**', '**/2024/IMG5.*'] WHERE name = 'NAS Photos'")
    let bobs = scene.path(endingWith: "000000000008.jpg")
    try scene.cluster.psql(
      scene.database,
      "UPDATE asset SET \"originalPath\" = '\(bobs.replacingOccurrences(of: ".jpg", with: ".JPG"))' "
        + "WHERE id = 'a0000000-0000-4000-8000-000000000009'")
    return scene
  }

  /// Replaces what differs between runs: folders, the database's address, times.
  static func normalized(_ text: String, _ scene: AuditScene) -> String {
    // The exact bytes of the one host path that is not UTF-8 hold the temporary folder too.
    let invalidHost = Array((scene.folder.path + "/nas/photos/2025/caf").utf8) + [0xE9] + Array(".jpg".utf8)
    var text = text.replacingOccurrences(of: Data(invalidHost).base64EncodedString(), with: "$HOSTPATHBASE64")
    text = text.replacingOccurrences(of: scene.folder.path, with: "$TREE")
    text = text.replacingOccurrences(of: scene.cluster.directory, with: "$PGHOST")
    text = text.replacingOccurrences(of: "port=\(scene.cluster.port)", with: "port=$PGPORT")
    text = text.replacingOccurrences(of: "dbname=\(scene.database)", with: "dbname=$DB")
    let rules: [(String, String)] = [
      (#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"#, "$TIME"),
      (#"("(?:database|filesystem|verify|total)": ?)[0-9.]+"#, "$1$SECONDS"),
      (#"("walkThreads": ?)[0-9]+"#, "$1$THREADS"),
      (#"("serverVersion": ?")[^"]*""#, "$1$SERVERVERSION\""),
      (#"time="[0-9.]+""#, "time=\"$SECONDS\""),
      (#" in [0-9.]+ s([.;])"#, " in $SECONDS s$1"),
      (#"(immich_audit_duration_seconds\{phase="[a-z]+"\}) [0-9.]+"#, "$1 $SECONDS"),
      (#"(immich_audit_last_run_timestamp_seconds) [0-9.]+"#, "$1 $UNIXTIME"),
    ]
    for (pattern, template) in rules {
      let regex = try! NSRegularExpression(pattern: pattern)
      text = regex.stringByReplacingMatches(
        in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }
    return text
  }

  static func compare(_ actual: String, golden name: String) throws {
    let file = golden.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["IMMICH_AUDIT_UPDATE_GOLDEN"] == "1" {
      try FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true)
      try Data(actual.utf8).write(to: file)
      return
    }
    let expected = try String(contentsOf: file, encoding: .utf8)
    if actual != expected {
      let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
      let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
      let line = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
      let got = line < a.count ? String(a[line]) : "(end)"
      let want = line < e.count ? String(e[line]) : "(end)"
      Issue.record("\(name) differs from Tests/Golden/\(name) at line \(line + 1):\n  got: \(got)\n  expected: \(want)")
    }
  }

  @Test("text, json, ndjson, junit, markdown, csv and the Prometheus textfile match their golden files")
  func formats() throws {
    let scene = try Self.scene()
    let prometheus = scene.folder.url.deletingLastPathComponent().appendingPathComponent(
      "immich-audit-\(UUID().uuidString).prom"
    ).path
    defer { try? FileManager.default.removeItem(atPath: prometheus) }
    for (format, file) in [
      ("text", "check.txt"), ("json", "check.json"), ("ndjson", "check.ndjson"), ("junit", "check.junit.xml"),
      ("markdown", "check.md"), ("csv", "check.csv"),
    ] {
      let (result, _) = try scene.check(format == "json" ? ["--prometheus", prometheus] : [], format: format)
      #expect(result.status == 1, "\(format): \(result.stderr)")
      #expect(result.stderr.isEmpty, "\(format): \(result.stderr)")
      var text = Self.normalized(result.stdout, scene)
      // Table columns are as wide as the temporary folder's name: compare without the padding.
      if format == "text" { text = text.replacingOccurrences(of: #" {3,}"#, with: "  ", options: .regularExpression) }
      try Self.compare(text, golden: file)
    }
    try Self.compare(Self.normalized(String(contentsOfFile: prometheus, encoding: .utf8), scene), golden: "check.prom")
  }

  @Test("the JSON report has every contract key and every kind in summary")
  func jsonContract() throws {
    let scene = try Self.scene()
    let (result, json) = try scene.check()
    let report = try #require(json)
    // Key order as the contract lists it (the parser above sorts keys, so read the text).
    let topLevel = [
      "reportVersion", "tool", "startedAt", "finishedAt", "database", "mappings", "roots", "counts", "summary",
      "findings", "verification", "timings", "exitCode",
    ]
    let positions = topLevel.map { result.stdout.range(of: "\n  \"\($0)\": ")?.lowerBound }
    #expect(positions.allSatisfy { $0 != nil })
    #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
    let kinds = FindingKind.allCases.map { result.stdout.range(of: "\n    \"\($0.rawValue)\": ")?.lowerBound }
    #expect(kinds.allSatisfy { $0 != nil })
    #expect(kinds.compactMap { $0 } == kinds.compactMap { $0 }.sorted())
    #expect(report["summary"]?.objectMembers?.count == FindingKind.allCases.count)
    #expect(report["mappings"]?.arrayItems.map { $0["source"]!.stringValue! } == ["--map", "--map", "--media-root"])
    #expect(report["database"]?["target"]?.stringValue?.contains("password") == false)
    // NDJSON: the same findings, one a line, then the summary line.
    let (ndjson, _) = try scene.check(format: "ndjson")
    let lines = ndjson.stdout.split(separator: "\n").map { try! JSONValue.parse(Data($0.utf8)) }
    #expect(lines.dropLast().allSatisfy { $0["type"]?.stringValue == "finding" })
    #expect(lines.count - 1 == report["findings"]?.arrayItems.count)
    #expect(lines.last?["type"]?.stringValue == "summary")
    #expect(lines.last?["findings"] == nil)
  }

  @Test("--output to /dev/null, a FIFO or a symlink writes through it: none is replaced by a file")
  func outputSpecialFiles() throws {
    let scene = try AuditScene()
    var status = stat()
    // /dev/null stays the device (renamed over, it would be a file that every `> /dev/null` fills).
    let (toNull, _) = try scene.check(["--output", "/dev/null"])
    let nullIsDevice = stat("/dev/null", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR
    if !nullIsDevice {
      // Put the device back at once (1, 3), renamed into place: /dev/null is never missing.
      let fresh = "/dev/null.immich-audit-test"
      unlink(fresh)
      if mknod(fresh, S_IFCHR | 0o666, (1 << 8) | 3) == 0 && chmod(fresh, 0o666) == 0 { rename(fresh, "/dev/null") }
    }
    #expect(nullIsDevice)
    #expect(toNull.status == 0)
    #expect(toNull.stdout.isEmpty)
    // A FIFO, read by cat while check writes to it.
    let fifo = scene.folder.path + "/report.fifo"
    let received = scene.folder.path + "/received.json"
    #expect(mkfifo(fifo, 0o644) == 0)
    let reader = try TestCluster.spawn(
      "/bin/cat", [fifo], environment: nil, stdout: received, stderr: scene.folder.path + "/cat.err")
    let (toFifo, _) = try scene.check(["--output", fifo])
    var readerStatus: Int32 = 0
    for _ in 0..<250 where waitpid(reader, &readerStatus, WNOHANG) == 0 { usleep(20_000) }
    if kill(reader, 0) == 0 {
      kill(reader, SIGKILL)
      waitpid(reader, &readerStatus, 0)
      Issue.record("nothing was written to the FIFO")
    }
    #expect(toFifo.status == 0)
    #expect(try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: received)))["reportVersion"]?.intValue == 1)
    #expect(lstat(fifo, &status) == 0 && (status.st_mode & S_IFMT) == S_IFIFO)
    // A symbolic link to the latest report: the file it names is replaced, the link stays.
    try FileManager.default.createDirectory(atPath: scene.folder.path + "/reports", withIntermediateDirectories: true)
    let target = scene.folder.path + "/reports/latest.json"
    try "old".write(toFile: target, atomically: false, encoding: .utf8)
    let link = scene.folder.path + "/latest.json"
    #expect(symlink(target, link) == 0)
    let (toLink, _) = try scene.check(["--output", link])
    #expect(toLink.status == 0)
    #expect(lstat(link, &status) == 0 && (status.st_mode & S_IFMT) == S_IFLNK)
    #expect(try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: target)))["reportVersion"]?.intValue == 1)
    // A folder is refused, with exit 2.
    let (toFolder, _) = try scene.check(["--output", scene.folder.path])
    #expect(toFolder.status == 2)
    #expect(toFolder.stderr.contains("is a directory"), "\(toFolder.stderr)")
  }

  @Test("explain's preflight matches its golden file: probes, prefixes, libraries, mappings, roots, samples, SQL")
  func explain() throws {
    let scene = try Self.scene()
    let result = try CLI.run(["explain", "--db", scene.conninfo, "--samples", "2", "--sql"] + scene.mappingArguments)
    #expect(result.status == 0, "\(result.stderr)")
    // The server's version line and the catalog's answers differ by installation only in the version.
    var text = Self.normalized(result.stdout, scene)
    text = text.replacingOccurrences(
      of: #"(?m)^PostgreSQL: .*$"#, with: "PostgreSQL: $SERVERVERSION", options: .regularExpression)
    // Columns are padded to the temporary folder's length, which differs by machine: runs of spaces count as one gap.
    text = text.replacingOccurrences(of: " {2,}", with: "  ", options: .regularExpression)
    try Self.compare(text, golden: "explain.txt")
  }

  @Test("--output writes the report to a file, nothing on stdout")
  func outputFile() throws {
    let scene = try AuditScene()
    let file = scene.folder.url.deletingLastPathComponent().appendingPathComponent(
      "immich-audit-\(UUID().uuidString).json"
    ).path
    defer { try? FileManager.default.removeItem(atPath: file) }
    let (result, _) = try scene.check(["--output", file])
    #expect(result.status == 0)
    #expect(result.stdout.isEmpty)
    let report = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: file)))
    #expect(report["reportVersion"]?.intValue == 1)
  }
}
