import AuditCore
import Foundation
import Testing

/// Slow and dead network mounts, for real: a FUSE filesystem whose every call takes a
/// millisecond, and one whose calls in one folder never return.
@Suite("check on FUSE: calls in flight, dead mounts", .serialized)
struct FuseTests {
  /// The fixture's NAS library moved onto the FUSE mount (/mnt/fuse).
  func scene(on mount: FuseMount) throws -> AuditScene {
    let scene = try AuditScene()
    try scene.cluster.psql(
      scene.database, "UPDATE library SET \"importPaths\" = ARRAY['/mnt/fuse'] WHERE name = 'NAS Photos'")
    return scene
  }

  /// Runs check in the background; returns its status and report, or records a hang.
  func check(
    _ scene: AuditScene, mount: FuseMount, extra: [String], interruptAfter: Double? = nil,
    environment: [String: String] = [:]
  ) throws -> (
    status: Int32, stdout: String, stderr: String, seconds: Double
  ) {
    let out = scene.folder.path + "/check.out"
    let err = scene.folder.path + "/check.err"
    let arguments =
      ["check", "--db", scene.conninfo, "--format", "json", "--map", "/mnt/fuse=\(mount.mountpoint)"]
      + scene.mappingArguments + extra
    let started = Date()
    let pid = try TestCluster.spawn(
      CLI.executable, arguments,
      environment: ["PATH": "/usr/bin:/bin", "HOME": scene.folder.path].merging(environment) { $1 }, stdout: out,
      stderr: err)
    var status: Int32 = 0
    var interruptedAt: Date?
    while waitpid(pid, &status, WNOHANG) == 0 {
      if let interruptAfter, interruptedAt == nil, Date().timeIntervalSince(started) > interruptAfter {
        kill(pid, SIGINT)
        interruptedAt = Date()
      }
      if Date().timeIntervalSince(started) > 120 {
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        Issue.record("check did not end within 120 s")
        break
      }
      usleep(20_000)
    }
    let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let seconds = Date().timeIntervalSince(interruptedAt ?? started)
    return (
      exit, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
      (try? String(contentsOfFile: err, encoding: .utf8)) ?? "", seconds
    )
  }

  @Test("20,000 files on a slow FUSE mount: many calls in flight at once, every file found")
  func inFlight() throws {
    let mount = try FuseMount(dirs: 20, files: 1000, delayMilliseconds: 1)
    let scene = try scene(on: mount)
    let result = try check(scene, mount: mount, extra: [])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    #expect(report.findings("unindexed-original").count == 20_000)
    let root = report["roots"]?.arrayItems.first { $0["container"]?.stringValue == "/mnt/fuse" }
    #expect(root?["status"]?.stringValue == "ok")
    let inFlight = try mount.maxInFlight()
    #expect(inFlight >= 8, "at most \(inFlight) calls were in flight")
  }

  /// The walk's threads as the report states them, and the most calls the daemon saw at once.
  func walkConcurrency(
    delayMilliseconds: Double, files: Int = 1000, serial: Bool = false, environment: [String: String] = [:]
  ) throws -> (threads: Int, inFlight: Int, stderr: String) {
    let mount = try FuseMount(dirs: 20, files: files, delayMilliseconds: delayMilliseconds, serial: serial)
    let scene = try scene(on: mount)
    let result = try check(scene, mount: mount, extra: [], environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    #expect(report.findings("unindexed-original").count == 20 * files)
    return (report["timings"]?["walkThreads"]?.intValue ?? -1, try mount.maxInFlight(), result.stderr)
  }

  /// The governor's windows as `IMMICH_AUDIT_TRACE_GOVERNOR=1` prints them: the limit each
  /// window ran at and the one chosen after it.
  static func governorWindows(_ stderr: String) -> [(limit: Int, next: Int)] {
    stderr.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      // governor SECONDS limit N calls N busy S cpu S queued N -> N
      guard fields.count == 14, fields[0] == "governor", fields[2] == "limit", fields[4] == "calls",
        fields[6] == "busy", fields[8] == "cpu", fields[10] == "queued", fields[12] == "->",
        let limit = Int(fields[3]), let next = Int(fields[13]), Int(fields[5]) != nil
      else { return nil }
      return (limit, next)
    }
  }

  @Test("a server that answers calls of 0.2 ms in parallel: the walk keeps more threads than cores")
  func concurrencyRisesWhenCallsWait() throws {
    let (threads, inFlight, _) = try walkConcurrency(delayMilliseconds: 0.2)
    #expect(threads >= 2 * FilesystemAudit.Options.localJobs, "the walk kept \(threads) threads")
    #expect(inFlight >= 2 * FilesystemAudit.Options.localJobs, "at most \(inFlight) calls were in flight")
  }

  @Test("a server that answers without delay: its calls still wait for the daemon, but more threads gain nothing")
  func concurrencyStaysAtZeroLatency() throws {
    // slowfs.py's own Python work per call is the latency here, one call at a time (its lock):
    // the threads wait most of their time, so trials start, and must be undone.
    let (threads, _, stderr) = try walkConcurrency(delayMilliseconds: 0)
    #expect(threads == FilesystemAudit.Options.localJobs, "the walk kept \(threads) threads")
    // Without IMMICH_AUDIT_TRACE_GOVERNOR the windows are not printed.
    #expect(Self.governorWindows(stderr).isEmpty, "\(stderr)")
  }

  @Test("a server that answers one call of 1 ms at a time: more threads gain nothing, the walk stays at one per core")
  func concurrencyStaysWhenTheServerIsSerial() throws {
    let (threads, _, stderr) = try walkConcurrency(
      delayMilliseconds: 1, files: 250, serial: true, environment: ["IMMICH_AUDIT_TRACE_GOVERNOR": "1"])
    #expect(threads == FilesystemAudit.Options.localJobs, "the walk kept \(threads) threads")
    // The trace README promises: a line per window (100 ms; this walk takes seconds), never a
    // limit below the cores the walk started with (a trial may still be on in the last one).
    let windows = Self.governorWindows(stderr)
    #expect(windows.count >= 10, "\(stderr)")
    let cores = FilesystemAudit.Options.localJobs
    #expect(windows.allSatisfy { $0.limit >= cores && $0.next >= cores }, "\(stderr)")
  }

  @Test("--verify all on a mount whose reads take 3 ms: more files read at once than cores, every one hashed")
  func hashingKeepsReadsInFlight() throws {
    let (files, size) = (1000, 65536)
    let mount = try FuseMount(dirs: 1, files: files, size: size, delayMilliseconds: 0, readDelayMilliseconds: 3)
    let scene = try scene(on: mount)
    // Content-hashed originals on the mount (checksum = SHA-1 of what slowfs.py serves), rows
    // copied from the library's one live, online asset.
    let rows = (0..<files).map { number in
      let name = String(format: "/d0000/f%05d.jpg", number)
      return "('/mnt/fuse\(name)', '\\x\(CheckVerifyTests.sha1Hex(FuseMount.content(of: name, size: size)))')"
    }
    try scene.cluster.psql(
      scene.database,
      """
      INSERT INTO asset SELECT (jsonb_populate_record(NULL::asset, to_jsonb(a) || jsonb_build_object(
        'id', gen_random_uuid(), 'originalPath', v.path, 'checksum', v.checksum, 'checksumAlgorithm', 'sha1'))).*
      FROM asset a, (VALUES \(rows.joined(separator: ","))) v(path, checksum)
      WHERE a.id = 'a0000000-0000-4000-8000-000000000005'
      """)
    let result = try check(scene, mount: mount, extra: ["--verify", "all"])
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    let hashed = report["verification"]?["filesHashed"]?.intValue ?? 0
    #expect(hashed > files, "\(result.stderr)")
    let mismatched = report.findings("checksum-mismatch").compactMap { $0["path"]?.stringValue }
    #expect(!mismatched.contains { $0.hasPrefix("/mnt/fuse/") })
    let missing = report.findings("missing-original").compactMap { $0["path"]?.stringValue }
    #expect(!missing.contains { $0.hasPrefix("/mnt/fuse/") })
    let reads = try mount.maxReadsInFlight()
    #expect(reads >= 2 * FilesystemAudit.Options.localJobs, "at most \(reads) reads were in flight")
  }

  @Test("a folder whose calls never return: that root times out, the others are audited, exit 3")
  func deadMount() throws {
    let mount = try FuseMount(dirs: 5, files: 10, delayMilliseconds: 0, hang: "/d0003")
    let scene = try scene(on: mount)
    let lost = scene.path(endingWith: "000000000002.jpg")
    try scene.remove(lost)
    let result = try check(scene, mount: mount, extra: ["--io-timeout", "2"])
    #expect(result.status == 3, "\(result.stderr)")
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    let root = report["roots"]?.arrayItems.first { $0["container"]?.stringValue == "/mnt/fuse" }
    #expect(root?["status"]?.stringValue == "timed-out")
    #expect(report.findings("root-offline").map { $0["path"]!.stringValue! } == ["/mnt/fuse"])
    #expect(
      report.findings("root-offline").first?["detail"]?.stringValue?.hasPrefix("folder did not answer in time") == true)
    // Every other root was still audited.
    #expect(report.findings("missing-original").map { $0["path"]!.stringValue! } == [lost])
    #expect(report.findings("unindexed-original").isEmpty)
  }

  @Test("files that vanish between the listing and the stat are simply not there: no finding, no error")
  func vanishing() throws {
    let mount = try FuseMount(dirs: 2, files: 100, delayMilliseconds: 0, vanishOdd: true)
    let scene = try scene(on: mount)
    let result = try check(scene, mount: mount, extra: [])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    #expect(report.findings("unindexed-original").count == 100)
    #expect(report.findings("unreadable").isEmpty)
  }

  @Test("folders that vanish between listing and opening are not there: their referenced files are missing, no error")
  func vanishingFolders() throws {
    let mount = try FuseMount(dirs: 6, files: 10, delayMilliseconds: 0, vanishOddDirs: true)
    let scene = try scene(on: mount)
    // One asset of the library lived in a folder that is gone by the time the walk opens it;
    // another one's folder stays (so the mount guard sees the share is there).
    for (offset, path, size) in [(0, "/mnt/fuse/d0001/f00003.jpg", 10), (1, "/mnt/fuse/d0000/f00003.jpg", 10)] {
      try scene.cluster.psql(
        scene.database,
        """
        WITH target AS (SELECT id FROM asset WHERE "libraryId" = (SELECT id FROM library WHERE name = 'NAS Photos')
          AND "deletedAt" IS NULL ORDER BY "originalPath" OFFSET \(offset) LIMIT 1)
        UPDATE asset SET "originalPath" = '\(path)' FROM target WHERE asset.id = target.id;
        UPDATE asset_exif SET "fileSizeInByte" = \(size)
        WHERE "assetId" = (SELECT id FROM asset WHERE "originalPath" = '\(path)')
        """)
    }
    let result = try check(scene, mount: mount, extra: [])
    #expect(result.status == 1, "\(result.stderr)")
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    #expect(report.findings("missing-original").map { $0["path"]!.stringValue! }.contains("/mnt/fuse/d0001/f00003.jpg"))
    #expect(report.findings("unreadable").isEmpty)
    // The three folders still there were audited, file by file.
    let unindexed = report.findings("unindexed-original").map { $0["path"]!.stringValue! }
    #expect(unindexed.count == 29)
    #expect(
      unindexed.allSatisfy {
        $0.hasPrefix("/mnt/fuse/d0000/") || $0.hasPrefix("/mnt/fuse/d0002/") || $0.hasPrefix("/mnt/fuse/d0004/")
      })
    let root = report["roots"]?.arrayItems.first { $0["container"]?.stringValue == "/mnt/fuse" }
    #expect(root?["status"]?.stringValue == "ok")
  }

  @Test("files and folders that appear during the walk: judged as the walk found them, no error")
  func appearing() throws {
    let mount = try FuseMount(dirs: 4, files: 10, delayMilliseconds: 0, appear: true)
    let scene = try scene(on: mount)
    // An asset of the library lives in a folder that appears only after the root was listed:
    // no listing holds it, so it is stat'ed on its own, and found.
    try scene.cluster.psql(
      scene.database,
      """
      WITH target AS (SELECT id FROM asset WHERE "libraryId" = (SELECT id FROM library WHERE name = 'NAS Photos')
        AND "deletedAt" IS NULL ORDER BY "originalPath" LIMIT 1)
      UPDATE asset SET "originalPath" = '/mnt/fuse/late/f00003.jpg' FROM target WHERE asset.id = target.id;
      UPDATE asset_exif SET "fileSizeInByte" = 10
      WHERE "assetId" = (SELECT id FROM asset WHERE "originalPath" = '/mnt/fuse/late/f00003.jpg')
      """)
    let result = try check(scene, mount: mount, extra: [])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    #expect(report.findings("missing-original").isEmpty)
    #expect(report.findings("unreadable").isEmpty)
    // Every file of the four folders as listed, and new.jpg in each folder listed after the
    // first; nothing of what appeared in the root after its listing (late/, late.jpg).
    let unindexed = report.findings("unindexed-original").map { $0["path"]!.stringValue! }
    #expect(unindexed.count == 4 * 10 + 3, "\(unindexed)")
    #expect(unindexed.filter { $0.hasSuffix("/new.jpg") }.count == 3)
    #expect(!unindexed.contains { $0.hasPrefix("/mnt/fuse/late") })
    let root = report["roots"]?.arrayItems.first { $0["container"]?.stringValue == "/mnt/fuse" }
    #expect(root?["status"]?.stringValue == "ok")
  }

  @Test("Ctrl-C ends a run stuck on a dead mount at once: exit 130")
  func interruptDeadMount() throws {
    let mount = try FuseMount(dirs: 5, files: 10, delayMilliseconds: 0, hang: "/d0001")
    let scene = try scene(on: mount)
    let result = try check(scene, mount: mount, extra: ["--io-timeout", "600"], interruptAfter: 3)
    #expect(result.status == 130, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(result.stderr == "immich-audit: interrupted\n")
  }
}
