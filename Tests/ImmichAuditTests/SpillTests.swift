import Foundation
import Glibc
import Testing

@testable import AuditCore

/// Files nothing references are kept in memory up to a limit, then written sorted to a file
/// without a name in `$TMPDIR` and merged back as the report is written (DiskFindings): the
/// report is the same whether they were spilled, kept, or could not be spilled.
@Suite("check: unreferenced files spilled to a temporary file")
struct SpillTests: CheckScenes {
  /// A scene with 1,200 new files on the share, 150 in the upload folder, and img5 moved among them.
  func crowdedScene() throws -> AuditScene {
    let scene = try AuditScene()
    try scene.remove(Self.img5)
    for folder in 0..<12 {
      for file in 0..<100 {
        // Names that sort differently from the order they are made and walked in.
        try scene.create("/mnt/nas/photos/new \(11 - folder)/\(file % 2 == 0 ? "B" : "a")\(999 - file).jpg")
      }
    }
    for file in 0..<150 { try scene.create("\(scene.mediaPrefix)/upload/stray/\(file).jpg") }
    try scene.create("/mnt/nas/photos/new 3/img5.jpg", size: 700)
    return scene
  }

  func findings(_ report: JSONValue) -> [JSONValue] { report["findings"]?.arrayItems ?? [] }

  @Test("spilled in runs of a few files, kept in memory, or with no usable TMPDIR: the same findings, in report order")
  func spilledOrNotTheSameReport() throws {
    let scene = try crowdedScene()
    let temporary = scene.folder.path + "/tmp"
    try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
    let notAFolder = scene.folder.path + "/tmp-file"
    #expect(FileManager.default.createFile(atPath: notAFolder, contents: Data()))
    var reports: [JSONValue] = []
    for environment in [
      ["IMMICH_AUDIT_SPILL_BYTES": "600", "TMPDIR": temporary], [:],
      ["IMMICH_AUDIT_SPILL_BYTES": "600", "TMPDIR": notAFolder],
    ] {
      let (result, report) = try scene.check(environment: environment)
      #expect(result.status == 1, "\(result.stderr)")
      #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
      reports.append(try #require(report, "\(result.stderr)"))
    }
    let spilled = reports[0]
    let unindexed = paths(spilled, "unindexed-original")
    #expect(unindexed.count == 1201)
    #expect(unindexed == unindexed.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    #expect(paths(spilled, "untracked-upload").count == 150)
    let moved = try #require(spilled.findings("likely-moved").first)
    #expect(moved["candidates"]?.arrayItems.map { $0["path"]!.stringValue! } == ["/mnt/nas/photos/new 3/img5.jpg"])
    #expect(spilled["summary"] == reports[1]["summary"])
    #expect(findings(spilled) == findings(reports[1]))
    #expect(findings(spilled) == findings(reports[2]))
    // The spill file has no name: nothing is left in TMPDIR, whatever becomes of the process.
    #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty)
  }

  @Test("a TMPDIR inside an audited folder, however it is spelled, is not spilled to; one outside them is")
  func neverInsideARoot() throws {
    let folder = try TemporaryFolder()
    let share = folder.path + "/nas"
    try FileManager.default.createDirectory(atPath: share + "/.cache", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: folder.path + "/tmp", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: folder.path + "/link", withDestinationPath: share + "/.cache")
    let roots = [Array((folder.path + "/media").utf8), Array(share.utf8)]
    #expect(!UnmatchedSpill.mayUse(share, roots: roots))
    #expect(!UnmatchedSpill.mayUse(share + "/.cache", roots: roots))
    #expect(!UnmatchedSpill.mayUse(folder.path + "/link", roots: roots))
    #expect(UnmatchedSpill.mayUse(folder.path + "/tmp", roots: roots))
    #expect(UnmatchedSpill.mayUse(folder.path + "/nas2", roots: roots))
  }

  @Test("the spill file cut short while a report is written: exit 2, one line naming TMPDIR, no report kept")
  func spillReadBackFails() throws {
    let scene = try AuditScene()
    // 10,000 new files, spilled in runs of about 100 KB: each run is read back 64 KB at a time,
    // so most of it is still on disk when the report to the FIFO stops on a full pipe.
    for folder in 0..<20 {
      for file in 0..<500 { try scene.create("/mnt/nas/photos/import \(folder)/picture-\(file).jpg") }
    }
    let temporary = scene.folder.path + "/tmp"
    try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
    let fifo = scene.folder.path + "/report.fifo"
    let kept = scene.folder.path + "/out/report.json"
    try FileManager.default.createDirectory(atPath: scene.folder.path + "/out", withIntermediateDirectories: true)
    #expect(mkfifo(fifo, 0o600) == 0)
    // Opened before the audit so its open does not wait; nothing is read until the cut.
    let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    #expect(reader >= 0)
    defer { close(reader) }
    let capacity = fcntl(reader, 1032)  // F_GETPIPE_SZ, which Glibc's module does not export
    let out = scene.folder.path + "/audit.out"
    let err = scene.folder.path + "/audit.err"
    let audit = try TestCluster.spawn(
      CLI.executable,
      ["check", "--db", scene.conninfo, "--format", "json", "--output", fifo, "--report", "json:\(kept)"]
        + scene.mappingArguments,
      environment: [
        "PATH": "/usr/bin:/bin", "HOME": scene.folder.path, "TMPDIR": temporary, "IMMICH_AUDIT_SPILL_BYTES": "100000",
      ],
      stdout: out, stderr: err)
    var reaped = false
    defer {
      if !reaped {
        kill(audit, SIGKILL)
        waitpid(audit, nil, 0)
      }
    }
    // The file report is written first and whole; the FIFO's then fills and its writer waits.
    var queued: Int32 = 0
    for _ in 0..<600 where queued < capacity {
      usleep(50_000)
      _ = ioctl(reader, UInt(FIONREAD), &queued)
    }
    #expect(queued == capacity, "the report never filled the FIFO: \(queued) of \(capacity) bytes")
    // The spill file has no name; its descriptor in /proc reaches it, as a failing disk would.
    // It is the working process's (the supervisor's child): found by the test's own TMPDIR.
    let files = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { Int($0) != nil }.flatMap {
      process in
      ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process)/fd")) ?? []).map {
        "/proc/\(process)/fd/\($0)"
      }
    }
    let spill = files.filter {
      ((try? FileManager.default.destinationOfSymbolicLink(atPath: $0)) ?? "").hasPrefix(temporary + "/#")
    }
    #expect(spill.count == 1, "\(spill)")
    for path in spill { #expect(truncate(path, 0) == 0) }
    // Drains the FIFO until the audit closes it.
    var block = [UInt8](repeating: 0, count: 1 << 16)
    var closed = false
    for _ in 0..<6000 where !closed {
      let read = Glibc.read(reader, &block, block.count)
      closed = read == 0
      if read < 0 { usleep(10_000) }
    }
    try #require(closed, "the audit never finished its report to the FIFO")
    var status: Int32 = 0
    while waitpid(audit, &status, 0) == -1 && errno == EINTR {}
    reaped = true
    let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let stderr = String(decoding: FileManager.default.contents(atPath: err) ?? Data(), as: UTF8.self)
    #expect(exit == 2, "\(stderr)")
    // One line: what failed, where, and what to do; not the FIFO blamed for it.
    #expect(
      stderr
        == "immich-audit: error: cannot read back the unreferenced files kept in a temporary file in \(temporary) "
        + "(input/output error): the report is incomplete and no report file was kept; check the disk that holds "
        + "\(temporary), or set TMPDIR to another folder, and run again\n")
    // The file report was whole, but it is not kept beside an incomplete one, nor its temporary.
    #expect(try FileManager.default.contentsOfDirectory(atPath: scene.folder.path + "/out").isEmpty)
  }

  @Test("every format reads the spilled findings: NDJSON lists each once, in the JSON report's order")
  func ndjsonFromSpilledRuns() throws {
    let scene = try crowdedScene()
    let environment = ["IMMICH_AUDIT_SPILL_BYTES": "600"]
    let (jsonResult, json) = try scene.check(environment: environment)
    #expect(jsonResult.status == 1)
    let report = try #require(json)
    let (result, _) = try scene.check(format: "ndjson", environment: environment)
    let lines = result.stdout.split(separator: "\n").map { try? JSONValue.parse(Data($0.utf8)) }
    let listed = lines.dropLast().compactMap { $0?["path"]?.stringValue }
    #expect(listed == findings(report).compactMap { $0["path"]?.stringValue })
    #expect(lines.last??["type"]?.stringValue == "summary")
    let (text, _) = try scene.check(["--limit", "2"], format: "text", environment: environment)
    #expect(text.stdout.contains("unindexed-original (1201):"))
    #expect(text.stdout.contains("…and 1199 more"))
  }
}
