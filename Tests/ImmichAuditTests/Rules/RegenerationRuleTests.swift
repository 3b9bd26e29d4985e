import AuditCore
import Foundation
import Testing

/// RegenerationRule (Sources/AuditCore/Check/Rules/RegenerationRule.swift): the Immich jobs
/// that rebuild missing derivatives; each case beside a near miss.
@Suite("RegenerationRule: which Immich job rebuilds what is missing")
struct RegenerationRuleTests: CheckScenes {
  /// The scene's one file whose container path holds every part (and not "edited").
  static func file(_ scene: AuditScene, _ parts: String...) throws -> String {
    let matches = scene.files.keys.filter { path in
      parts.allSatisfy { path.contains($0) } && !path.contains("edited")
    }
    #expect(matches.count == 1, "\(parts): \(matches)")
    return try #require(matches.first)
  }

  /// The plan as (job, mode, derivatives, assets or people).
  static func plan(_ report: JSONValue) -> [String] {
    (report["regeneration"]?.arrayItems ?? []).map { step in
      let job = step["job"]?.stringValue ?? "null"
      let mode = step["mode"]?.stringValue ?? "null"
      let derivatives = step["derivatives"]?.arrayItems.compactMap(\.stringValue).joined(separator: "+") ?? ""
      let scope = step["assets"].map { "\($0.intValue ?? -1) assets" } ?? "\(step["people"]?.intValue ?? -1) people"
      return "\(job) \(mode) \(derivatives) \(scope)"
    }
  }

  @Test(
    "on every generation: a preview and thumbnail, an encoded video and a face thumbnail make three steps",
    arguments: Fixture.generations)
  func steps(generation: String) throws {
    let scene = try AuditScene(generation)
    try scene.remove(try Self.file(scene, "thumbs/", "000000000001", "preview"))
    try scene.remove(try Self.file(scene, "thumbs/", "000000000001", "thumbnail"))
    try scene.remove(try Self.file(scene, "thumbs/", "000000000002", "thumbnail"))
    try scene.remove(try Self.file(scene, "encoded-video/", "000000000003.mp4"))
    try scene.remove(try Self.file(scene, "c0000000-0000-4000-8000-000000000001.jpeg"))
    let report = try run(scene)
    #expect(
      Self.plan(report) == [
        "Generate Thumbnails missing preview+thumbnail 2 assets", "Transcode Videos missing encoded-video 1 assets",
        "null null person-thumbnail 1 people",
      ])
    #expect(report["regeneration"]?.arrayItems.last?["note"]?.stringValue?.hasPrefix("no job rebuilds") == true)
    let text = try scene.check([], format: "text").result.stdout
    #expect(
      text.contains(
        "Next steps (rebuild what Immich can):\n  Generate Thumbnails (Missing): preview, thumbnail of 2 assets."))
  }

  @Test("an offline thumbs folder: every derivative under it is to be rebuilt; an edited preview counts for its asset")
  func offlineThumbs() throws {
    let scene = try AuditScene()
    try FileManager.default.removeItem(atPath: scene.media + "/thumbs")
    let report = try run(scene)
    // Assets 1 to 8 have previews and thumbnails (9 has none; 1's edited ones count for 1);
    // Alice and the unnamed person have face thumbnails.
    let thumbnailAssets = Set(
      scene.files.keys.filter { $0.hasPrefix("/data/thumbs/") && !$0.contains("/c0/") }.map {
        String($0.split(separator: "/").last!.prefix(36))
      })
    #expect(
      Self.plan(report) == [
        "Generate Thumbnails missing preview+thumbnail \(thumbnailAssets.count) assets",
        "null null person-thumbnail 2 people",
      ])
  }

  @Test("near miss: nothing missing, no step", arguments: Fixture.generations)
  func nearMiss(generation: String) throws {
    let report = try run(try AuditScene(generation))
    #expect(report["regeneration"] == .array([]))
  }
}
