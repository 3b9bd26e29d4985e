import AuditCore
import Crypto
import Foundation
import Testing

/// Content verification: `--verify sample:N% | sample:N | all`, `--seed`, `--verify-time`.
@Suite("check: content verification")
struct CheckVerifyTests {
  /// The content-hashed originals: uploads, and the motion part extracted from an external photo.
  static let uploads = [
    "upload/11111111-1111-4111-8111-111111111111/a0/00/a0000000-0000-4000-8000-000000000001.jpg",
    "upload/11111111-1111-4111-8111-111111111111/a0/00/a0000000-0000-4000-8000-000000000002.jpg",
    "upload/11111111-1111-4111-8111-111111111111/a0/00/a0000000-0000-4000-8000-000000000003.mp4",
    "upload/11111111-1111-4111-8111-111111111111/a0/00/a0000000-0000-4000-8000-000000000004.jpg",
    "upload/22222222-2222-4222-8222-222222222222/a0/00/a0000000-0000-4000-8000-000000000008.jpg",
    "upload/22222222-2222-4222-8222-222222222222/a0/00/a0000000-0000-4000-8000-000000000009.jpg",
    "-MP.mp4",
  ]

  static func sha1Hex(_ data: Data) -> String {
    Insecure.SHA1.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }

  /// A scene whose uploads' checksums are the SHA-1 of the files it wrote (the fixture's are stand-ins).
  static func scene() throws -> AuditScene {
    let scene = try AuditScene()
    for suffix in uploads {
      let path = scene.path(endingWith: suffix)
      let digest = sha1Hex(try Data(contentsOf: URL(fileURLWithPath: scene.hostPath(path))))
      try scene.cluster.psql(
        scene.database, "UPDATE asset SET checksum = '\\x\(digest)'::bytea WHERE \"originalPath\" = '\(path)'")
    }
    return scene
  }

  func run(_ scene: AuditScene, _ extra: [String]) throws -> JSONValue {
    let (result, json) = try scene.check(extra)
    return try #require(json, "\(result.stderr)")
  }

  @Test("all: a changed file of the right size is a checksum mismatch; a size mismatch is not hashed")
  func all() throws {
    let scene = try Self.scene()
    let changed = scene.path(endingWith: "000000000001.jpg")
    try Data(repeating: UInt8(ascii: "y"), count: 2048).write(to: URL(fileURLWithPath: scene.hostPath(changed)))
    let truncated = scene.path(endingWith: "000000000008.jpg")
    try scene.create(truncated, size: 10)
    let report = try run(scene, ["--verify", "all"])
    #expect(report.findings("checksum-mismatch").map { $0["path"]!.stringValue! } == [changed])
    #expect(
      report.findings("checksum-mismatch").first?["detail"]?.stringValue?.hasPrefix(
        "content SHA-1 \(Self.sha1Hex(Data(repeating: UInt8(ascii: "y"), count: 2048))), the database has ") == true)
    #expect(report.findings("size-mismatch").map { $0["path"]!.stringValue! } == [truncated])
    #expect(report["exitCode"]?.intValue == 1)
    let verification = try #require(report["verification"])
    #expect(verification["tier"]?.stringValue == "all")
    // Present, right-sized, content-hashed originals: 1, 2, 3, 4 (trashed, still there), 9 (no size, so no size
    // check); 7 is the motion part.
    #expect(verification["filesHashed"]?.intValue == 6)
    #expect(verification["bytesHashed"]?.intValue == 2048 + 1024 + 4096 + 512 + 10 + 300)
    #expect(verification["complete"] == JSONValue.bool(true))
    #expect(verification["seed"]?.intValue != nil)
    // Path-hashed external assets are never read: their check is the path checksum.
    #expect(report.findings("path-checksum-mismatch").isEmpty)
    let sizeOnly = try run(scene, [])
    #expect(sizeOnly.findings("checksum-mismatch").isEmpty)
    #expect(sizeOnly["verification"]?["filesHashed"]?.intValue == 0)
    // What ran is said: hashed files in --verify all; "not run" and a skipped JUnit case in
    // --verify size, never a pass.
    let mapping = scene.mappingArguments
    let hashedText = try CLI.run(["check", "--db", scene.conninfo, "--verify", "all"] + mapping)
    #expect(hashedText.stdout.contains("checksums: 6 files hashed (--verify all)"), "\(hashedText.stdout)")
    let hashedJUnit = try CLI.run(["check", "--db", scene.conninfo, "--verify", "all", "--format", "junit"] + mapping)
    #expect(!hashedJUnit.stdout.contains("<skipped"))
    let sizeText = try CLI.run(["check", "--db", scene.conninfo] + mapping)
    #expect(sizeText.stdout.contains("checksums: not verified, not run (--verify size)"))
    let sizeJUnit = try CLI.run(["check", "--db", scene.conninfo, "--format", "junit"] + mapping)
    #expect(
      sizeJUnit.stdout.contains(
        "<testsuite name=\"checksum-mismatch\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\""))
    #expect(sizeJUnit.stdout.contains("<skipped message=\"checksums: not verified, not run (--verify size)\"/>"))
  }

  @Test("sample:N with a seed hashes the same files again; sample:100% hashes all")
  func sample() throws {
    // The fixture's own checksums are stand-ins: every hashed upload mismatches, so the
    // mismatches show which files the sample took.
    let scene = try AuditScene()
    let first = try run(scene, ["--verify", "sample:2", "--seed", "42"])
    let again = try run(scene, ["--verify", "sample:2", "--seed", "42"])
    let paths = { (report: JSONValue) in report.findings("checksum-mismatch").map { $0["path"]!.stringValue! } }
    #expect(paths(first).count == 2)
    #expect(paths(first) == paths(again))
    #expect(first["verification"]?["seed"]?.intValue == 42)
    #expect(first["verification"]?["tier"]?.stringValue == "sample:2")
    let other = try run(scene, ["--verify", "sample:2", "--seed", "43"])
    #expect(paths(other).count == 2)
    let everything = try run(scene, ["--verify", "sample:100%"])
    #expect(paths(everything).count == 7)
    #expect(Set(paths(first)).isSubset(of: Set(paths(everything))))
  }

  @Test("--verify-time ends hashing cleanly and says the verification is incomplete")
  func timeBudget() throws {
    let scene = try AuditScene()
    let report = try run(scene, ["--verify", "all", "--verify-time", "0.000001"])
    #expect(report["verification"]?["complete"] == JSONValue.bool(false))
    #expect((report["verification"]?["filesHashed"]?.intValue ?? 99) < 7)
  }

  @Test("a renamed and moved upload is found by its content")
  func movedByContent() throws {
    let scene = try Self.scene()
    let original = scene.path(endingWith: "000000000002.jpg")
    let data = try Data(contentsOf: URL(fileURLWithPath: scene.hostPath(original)))
    try scene.remove(original)
    let renamed = "/data/library/11111111-1111-4111-8111-111111111111/2024/holiday.jpg"
    try FileManager.default.createDirectory(
      atPath: scene.media + "/library/11111111-1111-4111-8111-111111111111/2024", withIntermediateDirectories: true)
    try data.write(to: URL(fileURLWithPath: scene.hostPath(renamed)))
    let sizeOnly = try run(scene, [])
    #expect(sizeOnly.findings("likely-moved").isEmpty)
    let report = try run(scene, ["--verify", "sample:1"])
    let moved = try #require(report.findings("likely-moved").first)
    #expect(moved["path"]?.stringValue == original)
    #expect(moved["candidates"]?.arrayItems.map { $0["path"]!.stringValue! } == [renamed])
    #expect(moved["detail"]?.stringValue?.hasPrefix("same content found at") == true)
  }

  @Test("a malformed tier is a usage error")
  func badTier() throws {
    for tier in ["sample:0", "sample:101%", "sample:x", "most"] {
      let result = try CLI.run(["check", "--verify", tier])
      #expect(result.status == 64, "\(tier)")
      #expect(result.stderr.contains(tier), "\(result.stderr)")
    }
  }
}
