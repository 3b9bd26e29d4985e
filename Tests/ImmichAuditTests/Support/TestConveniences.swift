import CompactStore

@testable import AuditCore

// Spellings the tests find convenient and production has no use for: kept here, so that the
// libraries carry no test-only API.

extension FailurePolicy {
  /// The flags as their texts, each parsed as ArgumentParser's transforms parse them.
  init(failOn: [String], max: [String]) throws(FailurePolicyError) {
    var kinds: [[FindingKind]] = []
    for text in failOn { kinds.append(try Self.kinds(failOn: text)) }
    var limits: [Limit] = []
    for text in max { limits.append(try Self.limit(max: text)) }
    self.init(failOn: kinds, maxima: limits)
  }
}

extension ReferenceIndex {
  func intern(databasePath: UnsafeRawBufferPointer, hostPath: [UInt8], namedAfter asset: Int32? = nil) -> PathID {
    hostPath.withUnsafeBytes { intern(databasePath: databasePath, host: $0, namedAfter: asset) }
  }

  func lookup(_ hostPath: [UInt8]) -> PathID? { paths.lookup(hostPath) }
}
