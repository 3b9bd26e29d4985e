import Foundation

/// The finding kinds of DESIGN.md (a contract: names, order, default severities).
public enum FindingKind: String, Sendable, CaseIterable, Comparable {
  case missingOriginal = "missing-original"
  case missingOriginalTrashed = "missing-original-trashed"
  case offlinePresent = "offline-present"
  case unindexedOriginal = "unindexed-original"
  case untrackedUpload = "untracked-upload"
  case missingSidecar = "missing-sidecar"
  case missingDerivative = "missing-derivative"
  case missingPersonThumbnail = "missing-person-thumbnail"
  case missingProfileImage = "missing-profile-image"
  case orphanedDerivative = "orphaned-derivative"
  case sizeMismatch = "size-mismatch"
  case checksumMismatch = "checksum-mismatch"
  case pathChecksumMismatch = "path-checksum-mismatch"
  case unreadable
  case notAFile = "not-a-file"
  case likelyMoved = "likely-moved"
  case rootOffline = "root-offline"
  case bootBlocker = "boot-blocker"
  case willGoOffline = "will-go-offline"
  case pathAlias = "path-alias"
  case restoreSkew = "restore-skew"
  case corruptDbDump = "corrupt-db-dump"

  /// The table's order, used to sort findings and summaries (`allCases` is built anew on
  /// each use: kept once here, as the sort of 200,000 findings asks it millions of times).
  var order: Int { Self.ordered.firstIndex(of: self)! }
  static let ordered = allCases

  public static func < (lhs: FindingKind, rhs: FindingKind) -> Bool { lhs.order < rhs.order }

  /// Default severity; `root-offline` depends on the root (see `Severity.forOfflineRoot`).
  public var defaultSeverity: Severity {
    switch self {
    case .missingOriginal, .sizeMismatch, .checksumMismatch, .unreadable, .notAFile, .rootOffline, .bootBlocker:
      return .error
    case .unindexedOriginal, .untrackedUpload, .missingSidecar, .missingProfileImage, .pathChecksumMismatch,
      .likelyMoved, .willGoOffline, .pathAlias, .restoreSkew, .corruptDbDump:
      return .warning
    case .missingOriginalTrashed, .offlinePresent, .missingDerivative, .missingPersonThumbnail, .orphanedDerivative:
      return .info
    }
  }

  /// Kinds that fail a run unless `--fail-on` says otherwise (`root-offline` only for roots
  /// holding originals, `boot-blocker` only where Immich does not ignore mount check errors:
  /// the others are not errors).
  public static let defaultFailing: Set<FindingKind> = [
    .missingOriginal, .sizeMismatch, .checksumMismatch, .unreadable, .notAFile, .rootOffline, .bootBlocker,
  ]

  /// Kinds whose findings fail a run only at severity `error`: an offline thumbs folder, or a
  /// missing marker that the `.env` tells Immich to ignore, is told but fails nothing.
  public var failsOnlyAsError: Bool { self == .rootOffline || self == .bootBlocker }
}

public enum Severity: String, Sendable, Comparable {
  case error, warning, info

  var rank: Int {
    switch self {
    case .error: return 0
    case .warning: return 1
    case .info: return 2
    }
  }

  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// `--fail-on KIND,…` and `--max KIND=N`: which findings fail a run (exit 1).
public struct FailurePolicy: Sendable, Equatable {
  public var failing: Set<FindingKind>
  /// Up to N findings of a kind are allowed; above N the kind fails (whether or not in `failing`).
  public var maxima: [FindingKind: Int]

  public init(failing: Set<FindingKind> = FindingKind.defaultFailing, maxima: [FindingKind: Int] = [:]) {
    self.failing = failing
    self.maxima = maxima
  }

  /// The flags as given: each `--fail-on` value's kinds (none given: the default set), and
  /// each `--max` limit.
  public init(failOn: [[FindingKind]], maxima: [Limit]) {
    var limits: [FindingKind: Int] = [:]
    for maximum in maxima { limits[maximum.kind] = maximum.limit }
    self.init(failing: failOn.isEmpty ? FindingKind.defaultFailing : Set(failOn.joined()), maxima: limits)
  }

  /// One `--fail-on` value: finding kinds, comma-separated.
  public static func kinds(failOn text: String) throws(FailurePolicyError) -> [FindingKind] {
    var kinds: [FindingKind] = []
    for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
      guard let kind = FindingKind(rawValue: part) else {
        throw FailurePolicyError.unknownKind(part, flag: "--fail-on")
      }
      kinds.append(kind)
    }
    return kinds
  }

  /// One `--max` value: KIND=N.
  public static func limit(max text: String) throws(FailurePolicyError) -> Limit {
    let pieces = text.split(separator: "=", maxSplits: 1).map(String.init)
    guard pieces.count == 2 else { throw FailurePolicyError.malformed(text) }
    guard let kind = FindingKind(rawValue: pieces[0]) else {
      throw FailurePolicyError.unknownKind(pieces[0], flag: "--max")
    }
    guard let limit = Int(pieces[1]), limit >= 0 else { throw FailurePolicyError.malformed(text) }
    return Limit(kind: kind, limit: limit)
  }

  /// One `--max KIND=N`.
  public struct Limit: Sendable, Equatable {
    public let kind: FindingKind
    public let limit: Int
  }

  /// The kinds whose counts fail the run. `root-offline` counts only for roots holding
  /// originals; the caller passes those counts.
  public func failingKinds(_ summary: [FindingKind: Int]) -> [FindingKind] {
    summary.filter { kind, count in
      guard count > 0 else { return false }
      if let limit = maxima[kind] { return count > limit }
      return failing.contains(kind)
    }.keys.sorted()
  }
}

public enum FailurePolicyError: Error, CustomStringConvertible, Sendable, Equatable {
  case unknownKind(String, flag: String)
  case malformed(String)

  public var description: String {
    switch self {
    case .unknownKind(_, let flag): return "\(flag): \(reason)"
    case .malformed(let text): return "--max \(text): \(reason)"
    }
  }

  /// What is wrong with the value, without naming the option (ArgumentParser names it).
  public var reason: String {
    switch self {
    case .unknownKind(let kind, _):
      return "unknown finding kind \(kind) (kinds: \(FindingKind.allCases.map(\.rawValue).joined(separator: ", ")))"
    case .malformed:
      return "expected KIND=N with N a whole number, e.g. --max missing-original=5"
    }
  }
}
