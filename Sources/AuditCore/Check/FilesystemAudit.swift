import CompactStore
import Crypto
import FileScan
import Foundation
import PostgresClient
import Synchronization

/// Counters a progress line reads while the audit runs (any thread).
public final class AuditProgress: Sendable {
  public let rowsRead = Atomic<Int>(0)
  public let filesWalked = Atomic<Int>(0)
  public init() {}
}

/// `check`: every path the database references against the filesystem, and every media file on
/// disk against the database (DESIGN.md § Roots and the mount guard, § Finding kinds).
///
/// The database side streams into a compact `ReferenceIndex`; the roots are then walked once
/// (readdir with d_type; stat only where a size is needed or the type is unknown) by a pool of
/// threads of their own, a task per directory, matching each file against the index by hash;
/// what the walk did not see is missing if its folder was listed, else stat'ed one by one. A
/// root whose calls hang (a dead NFS server) times out and is reported offline; the others
/// finish.
public struct FilesystemAudit {
  public struct Options: Sendable {
    /// `--verify`: sizes (the default), nothing, or also content SHA-1s.
    public var verify = VerifyTier.size
    /// `--seed`: which sample `sample:` tiers hash.
    public var seed: UInt64 = UInt64.random(in: 0...UInt64(Int64.max))
    /// `--verify-time`: seconds hashing may take; what is not reached by then is not hashed.
    public var verifyTime: Double?
    /// How many assets the database holds (from the counts), to size the index up front.
    public var expectedAssets: Int?
    /// Threads doing filesystem calls at once (`--jobs`); nil: adapt (the number of cores, at
    /// least 2, to start with; up to `maxJobs` while more threads complete more calls: a cold
    /// disk, a network or FUSE mount whose server answers many requests at once).
    public var jobs: Int?
    /// A filesystem call that takes longer marks its root timed out (`--io-timeout`).
    public var ioTimeout: Double? = 15
    /// The `.env`'s `IMMICH_IGNORE_MOUNT_CHECK_ERRORS`: Immich starts despite a missing marker.
    public var ignoreMountCheckErrors = false
    public static let localJobs = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// The cold virtual disk gained nothing past 32 listings in flight (BENCHMARKS.md, issue 17).
    public static let maxJobs = 64
    public init() {}
  }

  public let mapper: PathMapper
  /// The media location in the database's own prefix style (`upload`, `/usr/src/app/upload`, `/data`, …).
  public let mediaLocation: String
  public let libraries: [DatabaseOverview.Library]
  public var options: Options
  public var progress: AuditProgress

  public init(
    mapper: PathMapper, mediaLocation: String, libraries: [DatabaseOverview.Library], options: Options = Options(),
    progress: AuditProgress = AuditProgress()
  ) {
    self.mapper = mapper
    self.mediaLocation = mediaLocation
    self.libraries = libraries
    self.options = options
    self.progress = progress
  }

  public struct Outcome: Sendable {
    public var roots: [AuditRoot]
    public var findings: FindingList
    public var databaseSeconds: Double
    public var filesystemSeconds: Double
    public var verifySeconds: Double
    public var walkThreads: Int
    public var verification: AuditReport.Verification
    public var restorePoint: AuditReport.RestorePoint
    public var atRisk: AtRisk
    public var atRiskAssets: (missing: Int, offline: Int)
    public var regeneration: [RegenerationStep]
  }

  public func run(_ database: ImmichDatabase) throws(AuditError) -> Outcome {
    let databaseStart = Date()
    let index = try readReferences(database)
    let mountChecks = try database.mountChecks()
    let databaseSeconds = Date().timeIntervalSince(databaseStart)

    let filesystemStart = Date()
    let roots = roots()
    let facts = AuditFacts(
      index: index, libraries: libraries, roots: roots, rootOf: assignRoots(index, roots),
      checkSizes: options.verify.checksSizes)
    markSizesWanted(facts)
    let walker = RootWalker(facts: facts, options: options, progress: progress)
    let walkThreads: Int
    let spill: SpillFile?
    (facts.walks, walkThreads, spill) = walker.walk()
    LooseStats(facts: facts, options: options).stat(facts.settleUnseen())
    RootRules.decide(facts)
    let blockers = BootBlockerRule.findings(
      facts, mountChecks: mountChecks, backups: mountChecks.contains("backups") ? backups() : nil,
      ignoreErrors: options.ignoreMountCheckErrors)
    // Kept packed or spilled, made into findings one at a time as the report is written (issue 13).
    let disk = DiskFindings(facts, spill: spill)
    let filesystemSeconds = Date().timeIntervalSince(filesystemStart)

    let verifyStart = Date()
    var verification = AuditReport.Verification(
      tier: options.verify.description, seed: options.verify.hashesContent ? options.seed : nil)
    var outcome = VerificationOutcome()
    if options.verify.hashesContent {
      outcome = verify(facts, disk: disk)
      verification.filesHashed = outcome.filesHashed
      verification.bytesHashed = outcome.bytesHashed
      verification.complete = outcome.complete
    }
    // Immich's own dumps beside the media: read in this phase too (the newest in `size`).
    let dumpFolder = backupsFolder()
    let dumpRule = DumpRule(container: dumpFolder.container, host: dumpFolder.host, timeout: options.ioTimeout)
    let dumpFindings = dumpRule.findings(tier: options.verify, timeout: options.ioTimeout)
    let verifySeconds = Date().timeIntervalSince(verifyStart)
    let references = ReferenceRules.findings(facts, disk: disk, verification: outcome)
    let regeneration = references.regeneration
    var findings = references.findings + blockers + dumpFindings
    // What the database says of the files' age and of what hangs on the missing ones: read
    // once the findings are known.
    let restoreStart = Date()
    var restorePoint = AuditReport.RestorePoint()
    restorePoint.newestAssetCreatedAt = try database.newestAssetCreatedAt()
    let missing = Set(
      findings.lazy.filter { $0.kind == .missingOriginal }.compactMap { $0.assetId.flatMap(CompactID.init(lowercase:)) }
    )
    if let upload = facts.roots.first(where: { $0.kind == .upload }),
      let skew = try RestoreSkewRule.finding(
        database, newest: (facts.index.newestUploads, facts.index.ids), missing: missing,
        upload: (upload.container, upload.host))
    {
      restorePoint.skewAssets = skew.assets
      findings.append(skew.finding)
    }
    let (atRisk, atRiskAssets) = try AtRiskRule.apply(database, facts, to: &findings)
    let restoreSeconds = Date().timeIntervalSince(restoreStart)
    restorePoint.newestDump = dumpRule.newestDump
    return Outcome(
      roots: facts.roots, findings: FindingList(made: consume findings, disk: disk),
      databaseSeconds: databaseSeconds + restoreSeconds,
      filesystemSeconds: filesystemSeconds,
      verifySeconds: verifySeconds, walkThreads: walkThreads, verification: verification,
      restorePoint: restorePoint, atRisk: atRisk, atRiskAssets: atRiskAssets, regeneration: regeneration)
  }

  /// The folder of Immich's database dumps (not a root: nothing in it is a finding of its
  /// own) and whether its marker is readable (nil: no answer within the I/O timeout).
  private func backups() -> (container: String, host: [UInt8], marker: Bool?) {
    let (container, host) = backupsFolder()
    return (container, host, RootProbe.markersReadable(in: [host], timeout: options.ioTimeout)[0])
  }

  /// The media folder of Immich's database dumps: container and host path.
  func backupsFolder() -> (container: String, host: [UInt8]) {
    let location = PathMapper.trimmed(mediaLocation)
    let container = location == "/" ? "/backups" : "\(location)/backups"
    return (container, mapper.hostPath(Array(container.utf8)).path)
  }

  /// Each folder's root (and so each path's): the root whose host folder is the longest
  /// whole-component prefix (-1: none). Root numbers fit 2 bytes: roots are the media folders
  /// and the libraries' import paths.
  private func assignRoots(_ index: ReferenceIndex, _ roots: [AuditRoot]) -> RootAssignment {
    let order = roots.indices.sorted { roots[$0].host.count > roots[$1].host.count }
    var ofFolder = index.paths.firstFolder(containing: order.map { roots[$0].host })
    for folder in ofFolder.indices where ofFolder[folder] >= 0 {
      ofFolder[folder] = Int16(order[Int(ofFolder[folder])])
    }
    return RootAssignment(ofFolder: ofFolder, index: index)
  }

  /// Marks the paths whose size is compared: originals with a recorded size, unless `--verify none`.
  private func markSizesWanted(_ facts: AuditFacts) {
    guard options.verify.checksSizes else { return }
    for reference in facts.index.references where reference.kind == .original && reference.expectedSize >= 0 {
      facts.states.markSizeWanted(reference.path)
    }
  }
}
