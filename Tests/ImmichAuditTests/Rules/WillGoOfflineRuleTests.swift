import AuditCore
import Foundation
import Testing

/// WillGoOfflineRule (Sources/AuditCore/Check/Rules/WillGoOfflineRule.swift): external assets
/// Immich's next library scan takes offline; each case beside a near miss that must not be reported.
@Suite("WillGoOfflineRule: external assets the next library scan takes offline")
struct WillGoOfflineRuleTests: CheckScenes {
  static func libraryTable(_ generation: String) -> String {
    generation == "immich-v1.106" || generation == "immich-v1.123" ? "libraries" : "library"
  }

  @Test(
    "on every generation: an import path that no longer holds the asset; offline assets and motion parts are not",
    arguments: Fixture.generations)
  func importPathLeft(generation: String) throws {
    let scene = try AuditScene(generation)
    // The library was pointed at a sub-folder after the import: img5 lies outside it now.
    try scene.cluster.psql(
      scene.database,
      "UPDATE \(Self.libraryTable(generation)) SET \"importPaths\" = "
        + "ARRAY['/mnt/nas/photos/2023', '/mnt/nas/more photos'] WHERE id = '\(Fixture.nasLibrary)'")
    let report = try run(scene)
    // img6 is offline already, and the library's motion part (content-hashed, under the
    // encoded-video folder) is no scan's business: only img5.
    #expect(paths(report, "will-go-offline") == [Self.img5])
    let finding = try #require(report.findings("will-go-offline").first)
    #expect(finding["severity"]?.stringValue == "warning")
    #expect(finding["assetId"]?.stringValue == "a0000000-0000-4000-8000-000000000005")
    #expect(finding["libraryId"]?.stringValue == Fixture.nasLibrary)
    #expect(finding["detail"]?.stringValue?.contains("/mnt/nas/photos/2023, /mnt/nas/more photos") == true)
    // Not failing by default: the files are all there.
    #expect(report["exitCode"]?.intValue == 0)
    #expect(report["summary"]?["will-go-offline"]?.intValue == 1)
  }

  @Test(
    "on every generation: an exclusion pattern matching the asset names the pattern; a trailing slash is not a move",
    arguments: Fixture.generations)
  func exclusionPattern(generation: String) throws {
    let scene = try AuditScene(generation)
    try scene.cluster.psql(
      scene.database,
      "UPDATE \(Self.libraryTable(generation)) SET "
        + "\"importPaths\" = ARRAY['/mnt/nas/photos/', '/mnt/nas/more photos'], "
        + "\"exclusionPatterns\" = ARRAY['**/@eaDir/**', '**/IMG5.*'] WHERE id = '\(Fixture.nasLibrary)'")
    let report = try run(scene)
    #expect(paths(report, "will-go-offline") == [Self.img5])
    #expect(
      report.findings("will-go-offline").first?["detail"]?.stringValue?.hasPrefix(
        "matches its library's exclusion pattern **/IMG5.*") == true)
  }

  @Test("near miss: the fixture's own libraries, as Immich left them, give nothing", arguments: Fixture.generations)
  func nearMiss(generation: String) throws {
    let report = try run(try AuditScene(generation))
    #expect(paths(report, "will-go-offline") == [])
    #expect(report["summary"]?["will-go-offline"]?.intValue == 0)
  }
}
