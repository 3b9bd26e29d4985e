import CompactStore
import Foundation

/// One finding (DESIGN.md § Finding kinds). Paths are bytes: a file name need not be UTF-8.
public struct Finding: Sendable {
  public struct Candidate: Sendable, Equatable {
    public let path: [UInt8]
    public let hostPath: [UInt8]
  }

  public var kind: FindingKind
  public var severity: Severity
  /// As stored in the database, or the container path (in the database's prefix style) of a
  /// file found on disk.
  public var path: [UInt8]
  public var hostPath: [UInt8]
  public var assetId: String?
  public var libraryId: String?
  public var ownerId: String?
  public var detail: String?
  public var candidates: [Candidate] = []
  /// What hangs on the finding's assets (`missing-original`, `likely-moved`, and `root-offline`
  /// of a root holding originals): nil for the other kinds.
  public var atRisk: AtRisk?
  /// JSON members of the kind's own (`restore-skew`'s `window`, `assets`, `byOwner`), written
  /// in JSON and NDJSON after `detail`.
  public var members: [(key: String, value: JSONValue)] = []

  public init(
    kind: FindingKind, severity: Severity? = nil, path: [UInt8], hostPath: [UInt8], assetId: String? = nil,
    libraryId: String? = nil, ownerId: String? = nil, detail: String? = nil, candidates: [Candidate] = []
  ) {
    self.kind = kind
    self.severity = severity ?? kind.defaultSeverity
    self.path = path
    self.hostPath = hostPath
    self.assetId = assetId
    self.libraryId = libraryId
    self.ownerId = ownerId
    self.detail = detail
    self.candidates = candidates
  }

  /// The report order: severity error → info, then the kinds' table order, then path bytewise.
  public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
    if a.severity != b.severity { return a.severity < b.severity }
    if a.kind != b.kind { return a.kind < b.kind }
    let byPath = compareBytes(a.path, b.path)
    if byPath != 0 { return byPath < 0 }
    let byHost = compareBytes(a.hostPath, b.hostPath)
    if byHost != 0 { return byHost < 0 }
    // The same path can be a finding of two libraries (one share, two libraries): a fixed
    // order keeps reports comparable run to run.
    if a.assetId != b.assetId { return (a.assetId ?? "") < (b.assetId ?? "") }
    return (a.libraryId ?? "") < (b.libraryId ?? "")
  }
}

/// Bytewise three-way order (memcmp, then length): the generic `lexicographicallyPrecedes`,
/// unspecialised across modules, made sorting many findings slow (BENCHMARKS.md).
func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int32 {
  a.withUnsafeBytes { x in b.withUnsafeBytes { y in Bytes.compare(x, y) } }
}

/// A media folder or an import path, and what the audit found there (DESIGN.md § Roots).
public struct AuditRoot: Sendable {
  public enum Kind: String, Sendable, CaseIterable {
    case upload, library, thumbs
    case encodedVideo = "encoded-video"
    case profile
    case importPath = "import-path"

    /// The five media folders checked under the media location (never `backups`).
    public static let mediaFolders: [Kind] = [.upload, .library, .thumbs, .encodedVideo, .profile]

    /// Originals live here: an offline root of this kind exits 3.
    public var holdsOriginals: Bool { self == .upload || self == .library || self == .importPath }

    /// `root-offline`'s severity: thumbs and encoded videos are regenerable and often left out
    /// of backups on purpose; profile images are small but not regenerable.
    public var offlineSeverity: Severity {
      switch self {
      case .upload, .library, .importPath: return .error
      case .profile: return .warning
      case .thumbs, .encodedVideo: return .info
      }
    }
  }

  public enum Status: String, Sendable {
    case ok, missing
    case notADirectory = "not-a-directory"
    case unreadable
    case timedOut = "timed-out"
    case empty
  }

  public let kind: Kind
  /// The container path, in the prefix style the database uses.
  public let container: String
  public let host: [UInt8]
  public let libraryId: String?
  public internal(set) var status: Status = .ok
  public internal(set) var marker = false
  /// Distinct database paths (of any kind) under the root, and how many of them are present.
  public internal(set) var expectedFiles = 0
  public internal(set) var presentFiles = 0
  /// Missing, unreadable, or none of the expected files present: reported once as `root-offline`.
  public internal(set) var offline = false

  public var hostString: String { String(decoding: host, as: UTF8.self) }

  /// Whether the audit cannot vouch for originals here (exit 3): an offline root holding
  /// originals, unless it is missing while the database expects no file under it (Immich makes
  /// media folders on first use; a healthy v1.106 install may have no `library/`).
  public var originalsOffline: Bool { offline && kind.holdsOriginals && !isUnusedAndMissing }

  /// `root-offline`'s severity: the kind's, or `info` for a missing root nothing is expected in.
  public var offlineSeverity: Severity { isUnusedAndMissing ? .info : kind.offlineSeverity }

  private var isUnusedAndMissing: Bool { status == .missing && expectedFiles == 0 }
}

/// Metadata that hangs on assets whose original is missing or offline (DESIGN.md § What hangs
/// on a finding): what a restore loses unless the files come back.
public struct AtRisk: Sendable, Equatable {
  /// Album memberships (albums not deleted).
  public var albums = 0
  /// Faces (not deleted), and the distinct named people among them.
  public var faces = 0
  public var people = 0
  public var descriptions = 0
  public var locations = 0
  public var favorites = 0
  /// Tag, shared-link and memory memberships.
  public var tags = 0
  public var sharedLinks = 0
  /// Assets in a stack.
  public var stacks = 0
  public var memories = 0

  public init() {}

  /// The contract's keys and values, in its order.
  public var entries: [(key: String, value: Int)] {
    [
      ("albums", albums), ("faces", faces), ("people", people), ("descriptions", descriptions),
      ("locations", locations), ("favorites", favorites), ("tags", tags), ("sharedLinks", sharedLinks),
      ("stacks", stacks), ("memories", memories),
    ]
  }
}

/// The outcome of `check`: everything a report format needs.
public struct AuditReport: Sendable {
  public var startedAt: String
  public var finishedAt: String
  public var database: DatabaseDescription
  public var mappings: [PathMapper.Mapping]
  public var roots: [AuditRoot]
  public var counts: Counts
  public var findings: FindingList
  public var summary: [FindingKind: Int]
  public var verification: Verification
  public var timings: Timings
  public var restorePoint = RestorePoint()
  /// What hangs on the missing (not trashed) originals and the offline roots, each asset once.
  public var atRisk = AtRisk()
  /// How many assets `atRisk` sums over: missing originals, and not-trashed assets under offline roots.
  public var atRiskAssets = (missing: 0, offline: 0)
  /// The Immich jobs that rebuild the missing derivatives (empty: nothing to rebuild).
  public var regeneration: [RegenerationStep] = []
  public var exitCode: Int32

  public init(
    startedAt: String, finishedAt: String, database: DatabaseDescription, mappings: [PathMapper.Mapping],
    roots: [AuditRoot],
    counts: Counts, findings: FindingList, summary: [FindingKind: Int], verification: Verification, timings: Timings,
    exitCode: Int32
  ) {
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.database = database
    self.mappings = mappings
    self.roots = roots
    self.counts = counts
    self.findings = findings
    self.summary = summary
    self.verification = verification
    self.timings = timings
    self.exitCode = exitCode
  }

  public struct Verification: Sendable {
    public var tier: String
    public var seed: UInt64?
    public var filesHashed = 0
    public var bytesHashed: Int64 = 0
    public var complete = true
    public init(tier: String, seed: UInt64? = nil) {
      self.tier = tier
      self.seed = seed
    }
  }

  /// How far apart the database and the files are (DESIGN.md § What hangs on a finding).
  public struct RestorePoint: Sendable {
    /// The newest `asset.createdAt` over every row (ISO-8601, UTC), nil without assets.
    public var newestAssetCreatedAt: String?
    /// The file name of the newest dump in the media `backups/` folder, nil when there is none.
    public var newestDump: String?
    /// N of the `restore-skew` finding, 0 without one.
    public var skewAssets = 0
    public init() {}
  }

  public struct Timings: Sendable {
    public var database = 0.0
    public var filesystem = 0.0
    public var verify = 0.0
    public var total = 0.0
    /// The most threads the walk kept running at once (more than the cores when calls waited
    /// and more of them in flight completed more: a cold disk, a network mount).
    public var walkThreads = 0
    public init(database: Double, filesystem: Double, verify: Double, total: Double, walkThreads: Int = 0) {
      self.database = database
      self.filesystem = filesystem
      self.verify = verify
      self.total = total
      self.walkThreads = walkThreads
    }
  }

  /// The exit code a run with these findings earns: 3 when a root holding originals is offline
  /// (whatever `--fail-on` says), 1 when the policy fails a kind, else 0.
  public static func exitCode(findings: FindingList, roots: [AuditRoot], policy: FailurePolicy) -> Int32 {
    if roots.contains(where: \.originalsOffline) { return 3 }
    return failingKinds(findings, policy: policy).isEmpty ? 0 : 1
  }

  /// The kinds that fail the run. `root-offline` counts only for roots holding originals (its
  /// `error` findings); offline thumbs, encoded-video and profile folders never fail a run. A
  /// `boot-blocker` Immich is told to ignore (`info`) fails nothing either.
  public static func failingKinds(_ findings: FindingList, policy: FailurePolicy) -> [FindingKind] {
    policy.failingKinds(findings.failingCounts)
  }

  public static func summary(_ findings: FindingList) -> [FindingKind: Int] {
    var summary = Dictionary(uniqueKeysWithValues: FindingKind.allCases.map { ($0, 0) })
    summary.merge(findings.kindCounts) { $1 }
    return summary
  }
}

extension AuditReport {
  /// The report of a finished check: its outcome, with the overall counts, the database and
  /// mappings it ran against, its clock times (`setupSeconds`: the database work before the
  /// audit proper, counted in its database time) and the exit code `policy` gives it.
  public init(
    _ outcome: FilesystemAudit.Outcome, counts: Counts, database: DatabaseDescription, mappings: [PathMapper.Mapping],
    started: Date, finished: Date, setupSeconds: Double, policy: FailurePolicy
  ) {
    self.init(
      startedAt: Timestamp.format(started), finishedAt: Timestamp.format(finished), database: database,
      mappings: mappings, roots: outcome.roots, counts: counts, findings: outcome.findings,
      summary: AuditReport.summary(outcome.findings), verification: outcome.verification,
      timings: .init(
        database: setupSeconds + outcome.databaseSeconds, filesystem: outcome.filesystemSeconds,
        verify: outcome.verifySeconds, total: finished.timeIntervalSince(started), walkThreads: outcome.walkThreads),
      exitCode: 0)
    restorePoint = outcome.restorePoint
    atRisk = outcome.atRisk
    atRiskAssets = outcome.atRiskAssets
    regeneration = outcome.regeneration
    exitCode = AuditReport.exitCode(findings: findings, roots: roots, policy: policy)
  }
}
