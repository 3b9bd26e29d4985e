import Foundation
import Testing

/// The report reaches its destination whole or not at all: standard output that cannot be
/// written, destinations checked before the audit, replaced files that keep their mode and
/// owner, interrupts that leave no temporary file, and a Prometheus textfile promtool accepts.
@Suite("report outputs: failures, interrupts, preflight", .serialized)
struct OutputSafetyTests {
  /// Runs `check` on a scene with the given standard output (a path opened for writing, or nil
  /// for a closed descriptor), optionally with SIGPIPE ignored, as a shell would start it.
  func check(_ scene: AuditScene, stdout: String?, ignorePipe: Bool = false, extra: [String] = []) throws -> (
    status: Int32, stderr: String
  ) {
    let arguments = ["check", "--db", scene.conninfo] + scene.mappingArguments + extra
    let quoted = ([CLI.executable] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
      .joined(separator: " ")
    let redirect = stdout.map { ">'\($0)'" } ?? ">&-"
    let script = (ignorePipe ? "trap '' PIPE; " : "") + "\(quoted) \(redirect)"
    let result = try TestCluster.run(
      "/bin/bash", ["-c", script], environment: ["PATH": "/usr/bin:/bin", "HOME": scene.folder.path])
    return (result.status, result.stderr)
  }

  func expectOneLine(_ stderr: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(stderr.split(separator: "\n").count == 1, "\(stderr)", sourceLocation: sourceLocation)
    #expect(stderr.hasPrefix("immich-audit: error: "), "\(stderr)", sourceLocation: sourceLocation)
    #expect(stderr.contains(text), "\(stderr)", sourceLocation: sourceLocation)
    #expect(!stderr.contains("Fatal error"), sourceLocation: sourceLocation)
  }

  @Test("standard output full, closed or a broken pipe: exit 2 and one sentence, never a crash")
  func standardOutputFailures() throws {
    let scene = try AuditScene()
    let full = try check(scene, stdout: "/dev/full")
    #expect(full.status == 2)
    expectOneLine(full.stderr, "cannot write the report to standard output: no space left on device")
    let closed = try check(scene, stdout: nil)
    #expect(closed.status == 2)
    expectOneLine(closed.stderr, "cannot write the report to standard output: bad file descriptor")
    // A reader that is gone before the report is written, with SIGPIPE ignored (as under
    // `trap '' PIPE`, or in a runner that ignores it): EPIPE is a write error like any other.
    let quoted = ([CLI.executable, "check", "--db", scene.conninfo] + scene.mappingArguments).map { "'\($0)'" }.joined(
      separator: " ")
    let pipe = try TestCluster.run(
      "/bin/bash", ["-c", "trap '' PIPE; exec 3>&1; { \(quoted); echo \"status $?\" >&3; } | true"],
      environment: ["PATH": "/usr/bin:/bin", "HOME": scene.folder.path])
    #expect(pipe.stdout == "status 2\n", "\(pipe.stdout) \(pipe.stderr)")
    expectOneLine(pipe.stderr, "cannot write the report to standard output: broken pipe")
    // With SIGPIPE at its default the run dies by it, as every Unix tool does (141).
    let died = try TestCluster.run(
      "/bin/bash", ["-c", "exec 3>&1; { \(quoted); echo \"status $?\" >&3; } | true"],
      environment: ["PATH": "/usr/bin:/bin", "HOME": scene.folder.path])
    #expect(died.stdout == "status 141\n", "\(died.stdout) \(died.stderr)")
  }

  @Test("--report writes more formats from the same run; two reports on stdout are a usage error")
  func reports() throws {
    let scene = try AuditScene()
    try scene.remove(scene.path(endingWith: "000000000002.jpg"))
    let main = scene.folder.path + "/main.json"
    let extra = scene.folder.path + "/extra.json"
    let result = try CLI.run(
      [
        "check", "--db", scene.conninfo, "--format", "json", "--output", main, "--report", "json:\(extra)", "--report",
        "csv:-",
      ] + scene.mappingArguments)
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stdout.hasPrefix("severity,kind,path,hostPath"))
    #expect(FileManager.default.contents(atPath: main) == FileManager.default.contents(atPath: extra))
    let twice = try CLI.run(["check", "--db", scene.conninfo, "--report", "json:-"] + scene.mappingArguments)
    #expect(twice.status == 64)
    expectOneLine(twice.stderr, "two reports would go to standard output")
    let malformed = try CLI.run(["check", "--report", "pdf:x.pdf"])
    #expect(malformed.status == 64)
    expectOneLine(
      malformed.stderr,
      "'pdf:x.pdf' is invalid for '--report <format:file>': expected FORMAT:FILE with FORMAT one of text, json, "
        + "ndjson, junit, markdown, csv"
    )
  }

  @Test("explain, counts and compare on a full disk: exit 2 and one sentence, for stdout and --output")
  func otherCommandsFull() throws {
    let scene = try AuditScene()
    let manifest = scene.folder.path + "/counts.json"
    #expect(try CLI.run(["counts", "--format", "json", "--db", scene.conninfo, "--output", manifest]).status == 0)
    let commands: [[String]] = [
      ["explain", "--db", scene.conninfo] + scene.mappingArguments,
      ["counts", "--db", scene.conninfo],
      ["compare", manifest, "--db", scene.conninfo],
    ]
    for command in commands {
      let quoted = ([CLI.executable] + command).map { "'\($0)'" }.joined(separator: " ")
      let full = try TestCluster.run(
        "/bin/bash", ["-c", "\(quoted) >/dev/full"], environment: ["PATH": "/usr/bin:/bin", "HOME": scene.folder.path])
      #expect(full.status == 2, "\(command[0]): \(full.stderr)")
      expectOneLine(full.stderr, "cannot write the report to standard output: no space left on device")
      if command[0] == "explain" { continue }
      let file = try CLI.run(command + ["--output", "/dev/full"])
      #expect(file.status == 2, "\(command[0]): \(file.stderr)")
      expectOneLine(file.stderr, "--output /dev/full: cannot write it (no space left on device)")
    }
    // check's --prometheus too.
    let prometheus = try CLI.run(
      ["check", "--db", scene.conninfo, "--output", "/dev/null", "--prometheus", "/dev/full"] + scene.mappingArguments)
    #expect(prometheus.status == 2)
    expectOneLine(prometheus.stderr, "--prometheus /dev/full: cannot write it (no space left on device)")
  }

  @Test("an --output or --prometheus file that cannot be written fails before the audit, in one sentence")
  func preflight() throws {
    let scene = try AuditScene()
    // A missing folder: exit 2 before any database I/O, so a database that does not exist is
    // never reached.
    let missing = try CLI.run([
      "check", "--db", scene.cluster.superuserConninfo("no_such_db"), "--output",
      scene.folder.path + "/no/such/folder/report.json",
    ])
    #expect(missing.status == 2)
    expectOneLine(
      missing.stderr,
      "--output \(scene.folder.path)/no/such/folder/report.json: cannot write it (no such file or directory)")
    let prometheus = try CLI.run([
      "check", "--db", scene.cluster.superuserConninfo("no_such_db"), "--prometheus", scene.folder.path,
    ])
    #expect(prometheus.status == 2)
    expectOneLine(prometheus.stderr, "--prometheus \(scene.folder.path): is a directory")
    // A folder the run's user cannot write (nobody, in a root-owned 0755 folder).
    let locked = try TemporaryFolder()
    chmod(locked.path, 0o755)
    let copy = try CLI.copyExecutable(to: locked.path)
    let asNobody = try TestCluster.run(
      "/usr/bin/setpriv",
      [
        "--reuid=nobody", "--regid=nogroup", "--clear-groups", copy,
        "counts", "--db", scene.cluster.superuserConninfo("no_such_db"), "--output", locked.path + "/counts.json",
      ], environment: ["PATH": "/usr/bin:/bin"])
    #expect(asNobody.status == 2)
    expectOneLine(asNobody.stderr, "--output \(locked.path)/counts.json: cannot write it (permission denied)")
    // Two options naming one file (in two spellings) is a usage error.
    let same = try CLI.run([
      "check", "--db", scene.conninfo, "--output", scene.folder.path + "/r.txt", "--prometheus",
      scene.folder.path + "/./x/../r.txt",
    ])
    #expect(same.status == 64)
    expectOneLine(same.stderr, "name the same file: give each its own")
    // Nothing was left behind by the checks.
    #expect(try FileManager.default.contentsOfDirectory(atPath: scene.folder.path).filter { $0.hasPrefix(".") }.isEmpty)
  }

  @Test("a replaced report keeps its mode and owner; no temporary file is left")
  func replacedFileKeepsModeAndOwner() throws {
    let scene = try AuditScene()
    let output = try scene.folder.write("report.json", "previous\n", permissions: 0o600)
    let nobody = getpwnam("nobody")!.pointee
    chown(output, nobody.pw_uid, nobody.pw_gid)
    let result = try CLI.run(
      ["check", "--db", scene.conninfo, "--format", "json", "--output", output] + scene.mappingArguments)
    #expect(result.status == 0, "\(result.stderr)")
    var status = stat()
    stat(output, &status)
    #expect(status.st_mode & 0o7777 == 0o600)
    #expect(status.st_uid == nobody.pw_uid)
    #expect(status.st_gid == nobody.pw_gid)
    #expect(try String(contentsOfFile: output, encoding: .utf8).hasPrefix("{"))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: scene.folder.path).filter { $0.contains(".tmp-") }.isEmpty)
  }

  /// The run is held in its write phase: `--prometheus` names a FIFO, whose opening for
  /// writing blocks until a reader comes, after the `--output` file's temporary copy is
  /// written. An interrupt there must remove it and leave the previous report as it was.
  @Test("Ctrl-C or SIGTERM while reports are written: exit 130/143, previous report untouched, no temporary file")
  func interruptDuringWrite() throws {
    let scene = try AuditScene()
    for signal in [SIGINT, SIGTERM] {
      let output = try scene.folder.write("report.json", "previous\n")
      let fifo = scene.folder.path + "/metrics.prom"
      unlink(fifo)
      #expect(mkfifo(fifo, 0o644) == 0)
      let audit = try TestCluster.spawn(
        CLI.executable,
        ["check", "--db", scene.conninfo, "--format", "json", "--output", output, "--prometheus", fifo]
          + scene.mappingArguments,
        environment: ["PATH": "/usr/bin:/bin", "HOME": scene.folder.path], stdout: "/dev/null",
        stderr: scene.folder.path + "/err")
      // Wait (a condition, not a duration) until the temporary report exists and is complete:
      // the run is then blocked on the FIFO.
      var waited = 0
      while waited < 600 {
        let names = try FileManager.default.contentsOfDirectory(atPath: scene.folder.path).filter {
          $0.hasPrefix(".report.json.tmp-")
        }
        if let name = names.first, let data = FileManager.default.contents(atPath: scene.folder.path + "/" + name),
          data.last == UInt8(ascii: "\n"), data.count > 1000
        {
          break
        }
        usleep(20_000)
        waited += 1
      }
      kill(audit, signal)
      var status: Int32 = 0
      waitpid(audit, &status, 0)
      let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
      #expect(exit == (signal == SIGINT ? 130 : 143))
      #expect(try String(contentsOfFile: output, encoding: .utf8) == "previous\n")
      #expect(
        try FileManager.default.contentsOfDirectory(atPath: scene.folder.path).filter { $0.contains(".tmp-") }.isEmpty)
    }
  }

  /// Interrupts at every moment of many runs (sampled, not synchronised): whatever the moment,
  /// exit 130 leaves the previous report, any other exit is the audit's own with the new one,
  /// and no temporary file is ever left.
  @Test("interrupted at any moment: either 130 with the previous report or the audit's code with the new one")
  func interruptAnyMoment() throws {
    let scene = try AuditScene()
    try scene.remove(scene.path(endingWith: "000000000002.jpg"))
    var outcomes: Set<Int32> = []
    var untouched: [String] = []
    for attempt in 0..<16 {
      // A file per attempt: a run that went on after "exiting 130" (a child left behind by
      // its supervisor) would replace it later, and the check at the end sees that.
      let output = try scene.folder.write("report-\(attempt).json", "previous\n")
      let audit = try TestCluster.spawn(
        CLI.executable,
        ["check", "--db", scene.conninfo, "--format", "json", "--output", output] + scene.mappingArguments,
        environment: ["PATH": "/usr/bin:/bin", "HOME": scene.folder.path], stdout: "/dev/null", stderr: "/dev/null")
      usleep(useconds_t(attempt * 25_000))
      kill(audit, SIGINT)
      var status: Int32 = 0
      waitpid(audit, &status, 0)
      let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
      outcomes.insert(exit)
      let text = try String(contentsOfFile: output, encoding: .utf8)
      if exit == 130 {
        #expect(text == "previous\n", "attempt \(attempt)")
        untouched.append(output)
      } else {
        #expect(exit == 1, "attempt \(attempt)")
        #expect(text.contains("\"missing-original\""), "attempt \(attempt)")
      }
      #expect(
        try FileManager.default.contentsOfDirectory(atPath: scene.folder.path).filter { $0.contains(".tmp-") }.isEmpty,
        "attempt \(attempt)")
    }
    // The sample covered both sides of the commit.
    #expect(outcomes.contains(130))
    for output in untouched {
      #expect(try String(contentsOfFile: output, encoding: .utf8) == "previous\n", "\(output)")
    }
  }

  @Test("the Prometheus textfile passes promtool, also when the check could not audit (exit 2)")
  func prometheus() throws {
    let scene = try AuditScene()
    let metrics = scene.folder.path + "/audit.prom"
    let ok = try CLI.run(["check", "--db", scene.conninfo, "--prometheus", metrics] + scene.mappingArguments)
    #expect(ok.status == 0, "\(ok.stderr)")
    let text = try String(contentsOfFile: metrics, encoding: .utf8)
    #expect(text.contains("immich_audit_metadata_items{key=\"albums\"} 2"))
    #expect(text.contains("immich_audit_completed 1"))
    #expect(!text.contains("immich_audit_count"))
    #expect(try promtool(metrics).status == 0)
    let failed = try CLI.run(
      ["check", "--db", scene.cluster.superuserConninfo("no_such_db"), "--prometheus", metrics] + scene.mappingArguments
    )
    #expect(failed.status == 2)
    let incomplete = try String(contentsOfFile: metrics, encoding: .utf8)
    #expect(incomplete.contains("immich_audit_completed 0"))
    #expect(incomplete.contains("immich_audit_exit_code 2"))
    let lint = try promtool(metrics)
    #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
    // Another output that fails its check before the audit: the textfile says so too, and the
    // one error is told once.
    let other = scene.folder.path + "/other.prom"
    let preflight = try CLI.run(
      ["check", "--db", scene.conninfo, "--output", scene.folder.path + "/no/such/report.json", "--prometheus", other]
        + scene.mappingArguments)
    #expect(preflight.status == 2)
    expectOneLine(preflight.stderr, "no/such/report.json: cannot write it (no such file or directory)")
    #expect(try String(contentsOfFile: other, encoding: .utf8).contains("immich_audit_completed 0"))
  }

  func promtool(_ file: String) throws -> (status: Int32, stdout: String, stderr: String) {
    let result = try TestCluster.run(
      "/bin/sh", ["-c", "promtool check metrics < '\(file)'"], environment: ["PATH": "/usr/bin:/bin"])
    return (result.status, result.stdout, result.stderr)
  }
}
