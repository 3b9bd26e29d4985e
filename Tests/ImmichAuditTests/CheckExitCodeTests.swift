import AuditCore
import Foundation
import Testing

@Suite("check: exit codes, failure policy, mappings from compose")
struct CheckExitCodeTests {
  @Test("--fail-on replaces the failing set; --max allows up to N")
  func policy() throws {
    let scene = try AuditScene()
    try scene.remove(scene.path(endingWith: "000000000002.jpg"))
    try scene.create("/mnt/nas/photos/2025/new.jpg")
    #expect(try scene.check(format: "text").result.status == 1)
    #expect(try scene.check(["--fail-on", "orphaned-derivative"], format: "text").result.status == 0)
    #expect(try scene.check(["--fail-on", "missing-sidecar,unindexed-original"], format: "text").result.status == 1)
    #expect(try scene.check(["--max", "missing-original=1"], format: "text").result.status == 0)
    #expect(try scene.check(["--max", "missing-original=0"], format: "text").result.status == 1)
    // --max also makes a kind failing that is not in the set.
    #expect(
      try scene.check(["--max", "missing-original=1", "--max", "unindexed-original=0"], format: "text").result.status
        == 1)
    let text = try scene.check(format: "text").result.stdout
    #expect(text.hasSuffix("FAIL (exit 1): 1 missing-original\n"))
  }

  @Test("usage errors exit 64 with one line, before connecting")
  func usage() throws {
    for (arguments, message) in [
      (
        ["check", "--fail-on", "missing-originals"],
        "'missing-originals' is invalid for '--fail-on <kind,…>': unknown finding kind missing-originals (kinds: "
          + "missing-original,"
      ),
      (
        ["check", "--max", "missing-original=many"],
        "'missing-original=many' is invalid for '--max <kind=n>': expected KIND=N"
      ),
      (["check", "--verify", "everything"], "everything"),
      (["check", "--jobs", "0"], "--jobs must be between 1 and 1024"),
      (["check", "--map", "data"], "'data' is invalid for '--map <container=host>': expected CONTAINER=HOST"),
    ] {
      // An unreachable database: had it connected first, the exit would be 2.
      let result = try CLI.run(arguments + ["--db", "host=127.0.0.1 port=1 connect_timeout=1"])
      #expect(result.status == 64, "\(arguments): \(result.stderr)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
      #expect(
        result.stderr.hasPrefix("immich-audit: error: ") && result.stderr.split(separator: "\n").count == 1,
        "\(arguments): \(result.stderr)")
      #expect(result.stdout.isEmpty)
    }
  }

  @Test("could not audit: exit 2 and one line, no report")
  func cannotAudit() throws {
    let result = try CLI.run(["check", "--format", "json", "--db", "host=127.0.0.1 port=1 connect_timeout=2"])
    #expect(result.status == 2)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    let scene = try AuditScene()
    let unwritable = try scene.check(["--output", "/nonexistent/folder/report.json"])
    #expect(unwritable.result.status == 2)
    #expect(
      unwritable.result.stderr.hasPrefix(
        "immich-audit: error: --output /nonexistent/folder/report.json: cannot write it"))
  }

  @Test("check is the default command")
  func defaultCommand() throws {
    let scene = try AuditScene()
    let result = try CLI.run(["--db", scene.conninfo, "--format", "json"] + scene.mappingArguments)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try JSONValue.parse(Data(result.stdout.utf8))["reportVersion"]?.intValue == 1)
  }

  @Test("--compose maps the media folder and an external library the way Docker mounts them")
  func compose() throws {
    let scene = try AuditScene()
    try scene.folder.write(".env", "UPLOAD_LOCATION=./media\nPHOTOS=./nas/photos\n")
    let compose = try scene.folder.write(
      "docker-compose.yml",
      """
      services:
        immich-server:
          image: ghcr.io/immich-app/immich-server:release
          volumes:
            - ${UPLOAD_LOCATION}:/data
            - ${PHOTOS}:/mnt/nas/photos:ro
            - type: bind
              source: ./nas/more photos
              target: /mnt/nas/more photos
              read_only: true
      """)
    let result = try CLI.run(["check", "--db", scene.conninfo, "--format", "json", "--compose", compose])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    // The deleted library's folder is not mounted in the compose file: its trashed asset is absent.
    #expect(report.nonZeroSummary == ["missing-original-trashed": 2])
    #expect(
      Set(report.findings("missing-original-trashed").map { $0["path"]!.stringValue! }) == [
        "/mnt/archive/old.jpg", "/mnt/nas/photos/2024/img6.jpg",
      ])
    #expect(
      report["mappings"]?.arrayItems.map { $0["source"]!.stringValue! } == ["--compose", "--compose", "--compose"])
  }
}
