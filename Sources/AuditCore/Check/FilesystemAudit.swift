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
    /// Threads doing filesystem calls at once (`--jobs`); nil: adapt to the filesystem (the
    /// number of cores, at least 2, on local disks; `networkJobs` once a root is on a network
    /// or FUSE filesystem, where each call waits on a round trip).
    public var jobs: Int?
    /// A filesystem call that takes longer marks its root timed out (`--io-timeout`).
    public var ioTimeout: Double? = 15
    public static let localJobs = max(2, ProcessInfo.processInfo.activeProcessorCount)
    public static let networkJobs = 32
    public init() {}
  }

  public let mapper: PathMapper
  /// The media location in the database's own prefix style (`upload`, `/usr/src/app/upload`, `/data`, …).
  public let mediaLocation: String
  public let libraries: [DatabaseOverview.Library]
  public var options: Options
  public var progress: AuditProgress

  public init(mapper: PathMapper, mediaLocation: String, libraries: [DatabaseOverview.Library], options: Options = Options(), progress: AuditProgress = AuditProgress()) {
    self.mapper = mapper
    self.mediaLocation = mediaLocation
    self.libraries = libraries
    self.options = options
    self.progress = progress
  }

  public struct Outcome: Sendable {
    public var roots: [AuditRoot]
    public var findings: [Finding]
    public var databaseSeconds: Double
    public var filesystemSeconds: Double
    public var verifySeconds: Double
    public var verification: AuditReport.Verification
  }

  /// The roots: the five media folders, then every import path of every non-deleted library.
  public func roots() -> [AuditRoot] {
    var roots: [AuditRoot] = []
    let location = PathMapper.trimmed(mediaLocation)
    for kind in AuditRoot.Kind.mediaFolders {
      let container = location == "/" ? "/\(kind.rawValue)" : "\(location)/\(kind.rawValue)"
      roots.append(AuditRoot(kind: kind, container: container, host: mapper.hostPath(Array(container.utf8)).path, libraryId: nil))
    }
    for library in libraries where !library.deleted {
      for importPath in library.importPaths where !importPath.isEmpty {
        let container = PathMapper.trimmed(importPath)
        // The same folder listed twice in one library is walked once.
        if roots.contains(where: { $0.libraryId == library.id && $0.container == container }) { continue }
        roots.append(AuditRoot(kind: .importPath, container: container, host: mapper.hostPath(Array(container.utf8)).path, libraryId: library.id))
      }
    }
    return roots
  }

  /// A quick look at each root without walking it (for `explain`): exists, is a readable
  /// directory, has its marker, holds anything besides the marker. Under the I/O timeout, so a
  /// dead mount shows as timed out instead of hanging.
  public func probedRoots() -> [AuditRoot] {
    let roots = roots()
    let pool = WorkPool(groups: roots.count, threads: max(roots.count, 2), timeout: options.ioTimeout)
    let results = Mutex<[AuditRoot]>(roots)
    for (index, root) in roots.enumerated() {
      pool.submit(group: index) {
        var probed = root
        RootProbe.probe(&probed)
        if probed.status == .ok {
          let listing = ParallelWalker.collect(root.host, threads: 1, sizes: false, shouldDescend: { _, _ in false })
          probed.status = !listing.problems.isEmpty ? .unreadable : listing.entries.contains { $0.relativePath != RootProbe.marker } ? .ok : .empty
        }
        results.withLock { $0[index] = probed }
      }
    }
    let timedOut = pool.wait()
    return results.withLock { current in
      current.enumerated().map { index, root in
        var root = root
        if timedOut[index] { root.status = .timedOut }
        return root
      }
    }
  }

  public func run(_ database: ImmichDatabase) throws(AuditError) -> Outcome {
    let databaseStart = Date()
    let index = try readReferences(database)
    let databaseSeconds = Date().timeIntervalSince(databaseStart)

    let filesystemStart = Date()
    var roots = roots()
    let rootOf = assignRoots(index, roots)
    let states = PathStates(count: index.pathCount)
    let listed = FolderMarks(count: index.folderCount)
    // Handed over whole: the walks' unmatched files are let go once they are findings.
    let walks = RootWalker(roots: roots, index: index, rootOf: rootOf, wantsSize: sizeWanted(index), states: states,
                           listed: listed, libraries: libraries, options: options, progress: progress).walk()
    var evaluation = Evaluation(
      index: index, roots: roots, rootOf: rootOf, walks: consume walks, listed: listed, states: states, libraries: libraries,
      checkSizes: options.verify.checksSizes)
    let loose = evaluation.resolveUnseen()
    LooseStats(index: index, states: states, options: options).stat(loose)
    evaluation.decideRoots()
    roots = evaluation.roots
    let disk = evaluation.diskFindings()
    let filesystemSeconds = Date().timeIntervalSince(filesystemStart)

    let verifyStart = Date()
    var verification = AuditReport.Verification(tier: options.verify.description, seed: options.verify.hashesContent ? options.seed : nil)
    var outcome = VerificationOutcome()
    if options.verify.hashesContent {
      outcome = verify(index: index, states: states, evaluation: evaluation, disk: disk)
      verification.filesHashed = outcome.filesHashed
      verification.bytesHashed = outcome.bytesHashed
      verification.complete = outcome.complete
    }
    let verifySeconds = Date().timeIntervalSince(verifyStart)
    var findings = evaluation.findings(disk: disk, verification: outcome)
    findings.sort(by: Finding.reportOrder)
    return Outcome(
      roots: roots, findings: findings, databaseSeconds: databaseSeconds, filesystemSeconds: filesystemSeconds,
      verifySeconds: verifySeconds, verification: verification)
  }

  /// Content SHA-1s: the tier's selection of present, right-sized, content-hashed originals
  /// (a size mismatch is not hashed: one finding per fact), then, if some content-hashed
  /// original is missing, the disk-found files that could be it (same SHA-1: renamed, not only
  /// moved).
  private func verify(index: ReferenceIndex, states: PathStates, evaluation: Evaluation, disk: [Finding]) -> VerificationOutcome {
    var outcome = VerificationOutcome()
    var eligible: [PathID] = []
    var seen = Set<PathID>()
    var missingContentHashed = false
    for reference in index.references where reference.kind == .original && reference.checksum >= 0 {
      let path = reference.path
      if evaluation.isUnderOfflineRoot(path) || reference.flags.contains(.deletedStatus) || reference.flags.contains(.offline) { continue }
      if states[path] == .missing { missingContentHashed = true }
      guard states[path] == .file, reference.expectedSize < 0 || states.size(path) == reference.expectedSize else { continue }
      if seen.insert(path).inserted { eligible.append(path) }
    }
    let selected = options.verify.select(count: eligible.count, seed: options.seed).map { eligible[$0] }
    let deadline = options.verifyTime.map { WorkPool.now() + $0 }
    let threads = options.jobs ?? FilesystemAudit.Options.localJobs
    let hashed = ContentHasher.hash(selected.map { index.hostPath($0) }, threads: threads, timeout: options.ioTimeout, deadline: deadline)
    outcome.filesHashed = hashed.files
    outcome.bytesHashed = hashed.bytes
    outcome.complete = hashed.complete
    var digestOf: [PathID: [UInt8]] = [:]
    for (path, digest) in zip(selected, hashed.digests) { if let digest { digestOf[path] = digest } }
    for reference in index.references where reference.kind == .original && reference.checksum >= 0 {
      if let digest = digestOf[reference.path], !index.checksum(reference.checksum).elementsEqual(digest) {
        outcome.mismatched[reference.path] = digest
      }
    }
    let candidates = disk.indices.filter { disk[$0].kind == .unindexedOriginal || disk[$0].kind == .untrackedUpload }
    if missingContentHashed && !candidates.isEmpty {
      let more = ContentHasher.hash(candidates.map { disk[$0].hostPath }, threads: threads, timeout: options.ioTimeout, deadline: deadline)
      outcome.filesHashed += more.files
      outcome.bytesHashed += more.bytes
      for (position, digest) in zip(candidates, more.digests) { if let digest { outcome.candidateDigests[position] = digest } }
    }
    return outcome
  }

  // MARK: Database side

  /// Streams every referenced path into the index, reading each value straight from libpq's
  /// buffer: no `String` or array per row but the host path's reused one.
  private func readReferences(_ database: ImmichDatabase) throws(AuditError) -> ReferenceIndex {
    typealias C = ImmichDatabase.OriginalColumn
    let index = ReferenceIndex()
    if let assets = options.expectedAssets { index.reserve(assets: assets) }
    var libraryIndex: [CompactID: Int32] = [:]
    for (position, library) in libraries.enumerated() { libraryIndex[CompactID(library.id, overflow: &index.ids)] = Int32(position) }
    let progress = progress
    let keepChecksums = options.verify.hashesContent
    var host = Column<UInt8>()
    var absolute = Column<UInt8>()
    host.reserveCapacity(4096)
    absolute.reserveCapacity(4096)
    var digest: [UInt8] = []
    try database.streamOriginalRows { row in
      var flags: ReferenceIndex.Flags = []
      if row.bool(C.trashed) { flags.insert(.trashed) }
      if row.bool(C.offline) { flags.insert(.offline) }
      if row.withBytes(C.status, { $0.map(Self.isDeletedStatus) ?? false }) { flags.insert(.deletedStatus) }
      let pathHashed = row.bool(C.pathHashed)
      let path = row.withBytes(C.path) { raw -> PathID in
        let raw = raw ?? UnsafeRawBufferPointer(start: nil, count: 0)
        mapper.hostPath(raw, into: &host, absolute: &absolute)
        if pathHashed {
          // Immich's checksum of an external file: sha1("path:" + originalPath).
          var hasher = Insecure.SHA1()
          hasher.update(data: Array("path:".utf8))
          hasher.update(bufferPointer: raw)
          digest.removeAll(keepingCapacity: true)
          let matches = row.withBytes(C.checksum) { hex in hex.map { Bytes.appendSHA1(hex: $0, to: &digest) } ?? false }
          if !matches || !hasher.finalize().elementsEqual(digest) { flags.insert(.pathChecksumMismatch) }
        }
        return index.intern(databasePath: raw, host: host.bytes(0..<host.count))
      }
      var checksum: Int32 = -1
      if !pathHashed {
        flags.insert(.contentHashed)
        // The content checksum is kept only when content may be hashed.
        if keepChecksums { checksum = row.withBytes(C.checksum) { index.addChecksum(hex: $0) } ?? -1 }
      }
      let name = row.withBytes(C.fileName) { raw -> Int32 in
        guard let raw, !raw.isEmpty else { return -1 }
        return index.addFileName(raw)
      }
      let libraryId = Self.compactID(row, C.libraryId, &index.ids)
      let library = libraryId == .none ? -1 : libraryIndex[libraryId] ?? -1
      index.add(.init(
        path: path, kind: .original, flags: flags, library: library,
        expectedSize: -1,
        rowId: Self.compactID(row, C.assetId, &index.ids),
        owner: index.internOwner(Self.compactID(row, C.ownerId, &index.ids)), fileName: name, checksum: checksum))
      progress.rowsRead.add(1, ordering: .relaxed)
    }
    // Sizes come apart from the originals (a join cost the server more than both scans).
    try database.streamSizeRows { row in
      guard let size = row.int64(1), size >= 0, let asset = index.assetNumber(Self.compactID(row, 0, &index.ids)) else { return }
      index.setExpectedSize(size, ofAsset: asset)
    }
    try database.streamReferencedFileRows { kind, row, pathColumn in
      let rowId = Self.compactID(row, 0, &index.ids)
      // Thumbnails and encoded videos are named after their asset's id: kept without a UUID of their own.
      let asset = kind == .personThumbnail || kind == .profileImage ? nil : index.assetNumber(rowId)
      let path = row.withBytes(pathColumn) { raw -> PathID in
        let raw = raw ?? UnsafeRawBufferPointer(start: nil, count: 0)
        mapper.hostPath(raw, into: &host, absolute: &absolute)
        return index.intern(databasePath: raw, host: host.bytes(0..<host.count), namedAfter: asset)
      }
      index.add(.init(
        path: path, kind: ReferenceIndex.Kind(kind), flags: [], library: -1, expectedSize: -1, rowId: rowId,
        owner: index.internOwner(Self.compactID(row, 1, &index.ids)), fileName: -1))
      progress.rowsRead.add(1, ordering: .relaxed)
    }
    index.finishReading()
    return index
  }

  static let deleted = Array("deleted".utf8)

  static func isDeletedStatus(_ status: UnsafeRawBufferPointer) -> Bool {
    deleted.withUnsafeBytes { Bytes.equal($0, status) }
  }

  /// A uuid column (binary, or text), or whatever else is there kept in the overflow list;
  /// NULL: `.none`.
  static func compactID(_ row: RowView, _ column: Int, _ overflow: inout CompactID.Overflow) -> CompactID {
    if let (high, low) = row.uuid(column) {
      if high != CompactID.overflowMarker { return CompactID(high: high, low: low) }
      // The one id whose first half marks the overflow list: kept there as its text.
      return CompactID(row.string(column), overflow: &overflow)
    }
    return row.withBytes(column) { CompactID($0, overflow: &overflow) }
  }

  /// Each folder's root (and so each path's): the root whose host folder is the longest
  /// whole-component prefix (-1: none). Root numbers fit 2 bytes: roots are the media folders
  /// and the libraries' import paths.
  private func assignRoots(_ index: ReferenceIndex, _ roots: [AuditRoot]) -> RootAssignment {
    let order = roots.indices.sorted { roots[$0].host.count > roots[$1].host.count }
    var ofFolder = index.paths.firstFolder(containing: order.map { roots[$0].host })
    for folder in ofFolder.indices where ofFolder[folder] >= 0 { ofFolder[folder] = Int16(order[Int(ofFolder[folder])]) }
    return RootAssignment(ofFolder: ofFolder, index: index)
  }

  /// Paths whose size is compared: an original with a recorded size, unless `--verify none`.
  private func sizeWanted(_ index: ReferenceIndex) -> [Bool] {
    var wanted = [Bool](repeating: false, count: index.pathCount)
    guard options.verify.checksSizes else { return wanted }
    for reference in index.references where reference.kind == .original && reference.expectedSize >= 0 {
      wanted[reference.path.index] = true
    }
    return wanted
  }
}
