import Testing

@testable import AuditCore

@Suite("finding kinds and failure policy")
struct FailurePolicyTests {
  @Test("the contract's kinds, order and default severities")
  func kinds() {
    #expect(
      FindingKind.allCases.map(\.rawValue) == [
        "missing-original", "missing-original-trashed", "offline-present", "unindexed-original", "untracked-upload",
        "missing-sidecar", "missing-derivative", "missing-person-thumbnail", "missing-profile-image",
        "orphaned-derivative", "size-mismatch", "checksum-mismatch", "path-checksum-mismatch", "unreadable",
        "not-a-file", "likely-moved", "root-offline", "boot-blocker", "will-go-offline", "path-alias",
        "restore-skew", "corrupt-db-dump",
      ])
    #expect(FindingKind.bootBlocker.defaultSeverity == .error)
    #expect(FindingKind.willGoOffline.defaultSeverity == .warning)
    #expect(FindingKind.pathAlias.defaultSeverity == .warning)
    #expect(FindingKind.defaultFailing.contains(.bootBlocker))
    #expect(FindingKind.missingOriginal.defaultSeverity == .error)
    #expect(FindingKind.likelyMoved.defaultSeverity == .warning)
    #expect(FindingKind.orphanedDerivative.defaultSeverity == .info)
    #expect(FindingKind.missingProfileImage.defaultSeverity == .warning)
  }

  @Test("default failing kinds; --fail-on replaces the set; --max allows up to N")
  func policy() throws {
    let summary: [FindingKind: Int] = [
      .missingOriginal: 3, .unindexedOriginal: 2, .missingDerivative: 9, .sizeMismatch: 0,
    ]
    #expect(FailurePolicy().failingKinds(summary) == [.missingOriginal])
    #expect(try FailurePolicy(failOn: ["unindexed-original"], max: []).failingKinds(summary) == [.unindexedOriginal])
    #expect(
      try FailurePolicy(failOn: ["missing-original,unindexed-original"], max: []).failingKinds(summary) == [
        .missingOriginal, .unindexedOriginal,
      ])
    #expect(try FailurePolicy(failOn: [], max: ["missing-original=3"]).failingKinds(summary).isEmpty)
    #expect(try FailurePolicy(failOn: [], max: ["missing-original=2"]).failingKinds(summary) == [.missingOriginal])
    // --max makes a kind failing above N even when it is not in the failing set.
    #expect(
      try FailurePolicy(failOn: [], max: ["missing-derivative=8"]).failingKinds(summary) == [
        .missingOriginal, .missingDerivative,
      ])
  }

  @Test(
    "bad flags are refused with the valid kinds",
    arguments: [
      (["missing-orignal"], [String](), FailurePolicyError.unknownKind("missing-orignal", flag: "--fail-on")),
      ([String](), ["missing-original"], FailurePolicyError.malformed("missing-original")),
      ([String](), ["missing-original=-1"], FailurePolicyError.malformed("missing-original=-1")),
      ([String](), ["bogus=1"], FailurePolicyError.unknownKind("bogus", flag: "--max")),
    ])
  func refused(failOn: [String], max: [String], error: FailurePolicyError) {
    #expect(throws: error) { try FailurePolicy(failOn: failOn, max: max) }
  }
}
