import CompactStore
import FileScan
import Foundation
import Synchronization

/// What one root's walk found besides the referenced paths it marked in `PathStates`.
struct RootWalk: Sendable {
  var status: AuditRoot.Status = .ok
  var marker = false
  var files = 0
  /// Files no reference accounts for (relative path, kind of finding, size): those not yet
  /// spilled, and the runs written to the spill file (`UnmatchedSpill`).
  var unmatched = UnmatchedFiles()
  var runs: [SpilledRun] = []
  /// No spill file, or a write to it failed: this root's files stay in memory.
  var keepsInMemory = false
  var problems: [WalkProblem] = []
  /// Hashes of the `.xmp` files seen (relative paths), for Immich's sidecar candidates.
  var xmpFiles: Set<UInt64> = []

  static func folderKey(_ relative: some Collection<UInt8>) -> UInt64 { Bytes.hash(relative) }
}

/// Each root's share of the index: every folder's root (the root whose host folder is the
/// longest whole-component prefix, -1: none); a path's root is its folder's.
/// A class, not a struct: it is read through `AuditFacts` for every path and every file, and
/// a struct's fields would be retained and released on each read.
final class RootAssignment: Sendable {
  let ofFolder: [Int16]
  let index: ReferenceIndex

  init(ofFolder: [Int16], index: ReferenceIndex) {
    self.ofFolder = ofFolder
    self.index = index
  }

  func folder(_ folder: FolderID?) -> Int16 { folder.map { ofFolder[$0.index] } ?? -1 }
  subscript(_ path: PathID) -> Int16 { ofFolder[index.paths.folder(of: path).index] }
}

/// Walks every root on a `WorkPool` under the I/O timeout and collects what each holds.
struct RootWalker {
  let facts: AuditFacts
  let options: FilesystemAudit.Options
  let progress: AuditProgress

  /// Each root's walk, the most threads the pool kept running at once, and the file the
  /// walks' spilled runs are in (nil: none was needed, or none could be made).
  func walk() -> (walks: [RootWalk], threads: Int, spill: SpillFile?) {
    let roots = facts.roots
    // Without --jobs the pool grows while more threads complete more calls (a cold disk, a
    // network or FUSE mount), and stays at one per core while calls cost only CPU.
    let pool = WorkPool(
      groups: max(roots.count, 1), threads: options.jobs ?? FilesystemAudit.Options.localJobs,
      timeout: options.ioTimeout, growUpTo: options.jobs == nil ? FilesystemAudit.Options.maxJobs : nil)
    let visitor = AuditVisitor(facts: facts, progress: progress)
    let walker = ParallelWalker(roots: roots.map(\.host), pool: pool, visitor: visitor)
    for (number, root) in roots.enumerated() {
      // The first call on a root (a stat) may itself hang on a dead mount: it runs in the pool too.
      pool.submit(group: number) {
        var probed = root
        RootProbe.probe(&probed)
        visitor.collectors[number].walk.withLock { walk in
          walk.status = probed.status
          walk.marker = probed.marker
        }
        guard probed.status == .ok else { return }
        walker.start(root: number)
      }
    }
    let timedOut = pool.wait()
    let walks = roots.indices.map { number in
      if timedOut[number] {
        // Whatever a stuck thread still adds is not read.
        return RootWalk(status: AuditRoot.Status.timedOut)
      }
      let files = visitor.collectors[number].files.load(ordering: .relaxed)
      return visitor.collectors[number].walk.withLock { walk in
        var walk = walk
        walk.files = files
        if walk.status == .ok && files == 0 { walk.status = .empty }
        return walk
      }
    }
    return (walks, pool.peakThreads, visitor.spill.spillFile)
  }
}

/// Matches what the walk finds against the index, from many threads: each referenced path is
/// written only by the walk of the root it belongs to, and each root's findings go to its own
/// collector.
final class AuditVisitor: WalkVisitor, @unchecked Sendable {
  // The facts' parts, read for every file: kept here once rather than read through `AuditFacts`.
  let roots: [AuditRoot]
  let index: ReferenceIndex
  let rootOf: RootAssignment
  let states: PathStates
  let listed: FolderMarks
  let progress: AuditProgress
  let unreferenced: UnreferencedFileRule
  let collectors: [Collector]
  let spill: UnmatchedSpill
  private let hostPrefixes: [[UInt8]]
  /// Per import-path root: other import paths of the same library inside it (walked as roots of their own).
  private let nestedRoots: [Set<[UInt8]>]

  private static let slash = UInt8(ascii: "/")

  init(facts: AuditFacts, progress: AuditProgress) {
    roots = facts.roots
    index = facts.index
    rootOf = facts.rootOf
    states = facts.states
    listed = facts.listed
    self.progress = progress
    unreferenced = UnreferencedFileRule(facts: facts)
    collectors = roots.map { _ in Collector() }
    spill = UnmatchedSpill(roots: roots.map(\.host))
    hostPrefixes = roots.map { $0.host + [Self.slash] }
    let roots = facts.roots
    nestedRoots = roots.enumerated().map { number, root in
      guard root.kind == .importPath else { return [] }
      return Set(
        roots.enumerated().compactMap { other -> [UInt8]? in
          guard other.offset != number, other.element.libraryId == root.libraryId,
            other.element.host.count > root.host.count + 1, other.element.host.starts(with: root.host + [Self.slash])
          else { return nil }
          return Array(other.element.host[(root.host.count + 1)...])
        })
    }
  }

  private func relative(_ directory: [UInt8], _ name: UnsafeRawBufferPointer) -> [UInt8] {
    directory.isEmpty ? Array(name) : directory + [Self.slash] + name
  }

  /// Per folder: the folder looked up in the index once, then each name in it, and what a
  /// file no reference accounts for will be reported as (in `mark`), so Immich's rules run
  /// once per file.
  func plan(root: Int, listing: Listing) {
    let folder = withHostFolder(root: root, listing.directory) { index.paths.folder($0) }
    let atRoot = listing.directory.isEmpty
    listing.note = folder?.number ?? -1
    if let folder {
      index.paths.lookup(folder: folder, count: listing.count, name: listing.name) { position, path in
        listing[position].token = path.number
        states.prefetch(path)
      }
    }
    // Every path found here lies in this folder: its root is the folder's, asked once.
    let ownFolder = rootOf.folder(listing.folder) == Int16(root)
    for position in listing.indices {
      var entry = listing[position]
      if ownFolder, let path = entry.path, states.sizeWanted(path) { entry.wantsSize = true }
      if entry.kind != .directory,
        let kind = finding(root: root, atRoot: atRoot, listing: listing, position: position, path: entry.path)
      {
        entry.mark = Int8(kind.order)
        // A possible likely-moved candidate: its size is needed too.
        entry.wantsSize = true
      }
      listing[position] = entry
    }
  }

  /// The host folder of `directory` below root `root`, ending in "/", in scratch space (a
  /// folder's path is looked up once per folder: no array for it).
  private func withHostFolder<T>(root: Int, _ directory: [UInt8], _ body: (UnsafeRawBufferPointer) -> T) -> T {
    Bytes.withJoined(hostPrefixes[root], directory, terminator: Self.slash, body)
  }

  /// What a regular file is, if no reference accounts for it.
  private func finding(root: Int, atRoot: Bool, listing: Listing, position: Int, path: PathID?) -> FindingKind? {
    let isMarker = atRoot && listing.name(position).elementsEqual(RootProbe.marker)
    return unreferenced.kind(root: root, path: path, isMarker: isMarker) { listing.relativePath(position) }
  }

  func visit(root: Int, listing: Listing, range: Range<Int>) {
    progress.filesWalked.add(range.count, ordering: .relaxed)
    var files = 0
    var unmatched = UnmatchedFiles()
    var xmpFiles: [UInt64] = []
    // A path's state is recorded by the walk of its own root only (the listing's folder's).
    let ownFolder = rootOf.folder(listing.folder) == Int16(root)
    for position in range {
      let entry = listing[position]
      if entry.gone { continue }
      if ownFolder, let path = entry.path {
        switch entry.kind {
        case .file: states.record(path, .file, size: entry.size)
        case .directory: states.record(path, .directory)
        case .other: states.record(path, .other)
        }
      }
      guard entry.kind == .file else { continue }
      let name = listing.name(position)
      if !(listing.directory.isEmpty && name.elementsEqual(RootProbe.marker)) { files += 1 }
      if Self.isXMP(name) { xmpFiles.append(RootWalk.folderKey(listing.relativePath(position))) }
      if entry.mark >= 0 {
        unmatched.append(
          relative: listing.relativePath(position), kind: FindingKind.ordered[Int(entry.mark)], size: entry.size)
      }
    }
    let collector = collectors[root]
    if files > 0 { collector.files.add(files, ordering: .relaxed) }
    // Most ranges add neither: the lock, which every thread walking this root would meet once
    // per folder, is taken only when they do.
    guard !unmatched.isEmpty || !xmpFiles.isEmpty else { return }
    collector.walk.withLock { walk in
      if !unmatched.isEmpty {
        walk.unmatched.append(contentsOf: unmatched)
        spill.spillIfFull(&walk)
      }
      if !xmpFiles.isEmpty { walk.xmpFiles.formUnion(xmpFiles) }
    }
  }

  func shouldDescend(root: Int, directory: [UInt8], name: UnsafeRawBufferPointer) -> Bool {
    switch roots[root].kind {
    case .encodedVideo:
      // HLS session folders: anything more than four levels below encoded-video/.
      return Self.depth(directory) + 1 < 4
    case .importPath:
      // Immich never imports below a hidden folder; referenced files there are stat'ed one by one.
      guard name.first != UInt8(ascii: ".") else { return false }
      return nestedRoots[root].isEmpty || !nestedRoots[root].contains(relative(directory, name))
    default:
      return true
    }
  }

  /// Only folders of the index matter (the others hold no referenced path), and only when
  /// listed by the walk of the root their paths belong to (another root's walk does not
  /// record them).
  func listed(root: Int, listing: Listing) {
    if let folder = listing.folder, rootOf.folder(folder) == Int16(root) { listed.mark(folder) }
  }

  func problem(root: Int, path: [UInt8], errno: Int32) {
    collectors[root].walk.withLock { walk in
      if path.isEmpty {
        walk.status = .unreadable
      } else {
        walk.problems.append(WalkProblem(relativePath: path, errno: errno))
      }
    }
  }

  /// Ends in `.xmp`, the name Immich's sidecar candidates have. Asked of every file walked, so
  /// one 4-byte load (`Bytes.hasSuffix`).
  static func isXMP(_ name: UnsafeRawBufferPointer) -> Bool { Bytes.hasSuffix(name, xmpSuffix) }

  private static let xmpSuffix = Bytes.FourBytes(".xmp")

  static func depth(_ relative: [UInt8]) -> Int {
    relative.isEmpty ? 0 : relative.reduce(1) { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) }
  }
}

/// One root's `RootWalk`, filled from several threads.
final class Collector: Sendable {
  let walk = Mutex(RootWalk())
  /// The files walked, kept apart from `walk` so that counting them takes no lock.
  let files = Atomic<Int>(0)
}

/// `stat` of referenced paths the walk could not settle (outside every root, or below a folder
/// it does not enter), on a pool under the I/O timeout: a path whose `stat` hangs, and every
/// one not reached by then, is unreadable with ETIMEDOUT.
///
/// Their folders are stat'ed first: a path in a folder that is not there (ENOENT, ENOTDIR) is
/// missing as its own `stat` would say, without one. A database restored without its files
/// leaves millions of such paths in a few hundred thousand folders.
struct LooseStats {
  let facts: AuditFacts
  let options: FilesystemAudit.Options

  func stat(_ paths: [PathID]) {
    let states = facts.states
    let table = facts.index.paths
    let threads = options.jobs ?? FilesystemAudit.Options.localJobs
    // Each folder once, by its number in the index: its place in `folders`, -1 until seen.
    var place = [Int32](repeating: -1, count: table.folderCount)
    var folders: [FolderID] = []
    for path in paths {
      let folder = table.folder(of: path)
      guard place[folder.index] < 0 else { continue }
      place[folder.index] = Int32(folders.count)
      folders.append(folder)
    }
    let folderStatuses = FileStatus.of(count: folders.count, threads: threads, timeout: options.ioTimeout) {
      [folders] in table.hostFolder(folders[$0])
    }
    // Decided once per folder. The empty folder is relative paths': "" is no folder to stat.
    let relative = [UInt8]().withUnsafeBytes { table.folder($0) }
    let absent = folders.indices.map { slot in
      if case .missing? = folderStatuses[slot] { return folders[slot] != relative }
      return false
    }
    var pending: [PathID] = []
    for path in paths {
      let slot = Int(place[table.folder(of: path).index])
      if absent[slot] {
        states.record(path, .missing)
      } else if folderStatuses[slot] == nil {
        states.record(path, .unreadable, errno: ETIMEDOUT)
      } else {
        pending.append(path)
      }
    }
    let index = facts.index
    let statuses = FileStatus.of(count: pending.count, threads: threads, timeout: options.ioTimeout) {
      [pending] in index.hostPath(pending[$0])
    }
    for (path, status) in zip(pending, statuses) {
      switch status {
      case .file(let size): states.record(path, .file, size: size)
      case .directory: states.record(path, .directory)
      case .other: states.record(path, .other)
      case .missing: states.record(path, .missing)
      case .failed(let code): states.record(path, .unreadable, errno: code)
      case nil: states.record(path, .unreadable, errno: ETIMEDOUT)
      }
    }
  }
}

/// The walk's notes on a listing, as the index's numbers (FileScan keeps them as -1 or a number).
extension Listing {
  /// The index's number of the folder listed, if it holds referenced paths.
  var folder: FolderID? { note >= 0 ? FolderID(note) : nil }
}

extension Listing.Entry {
  /// The referenced path this entry is, if any.
  var path: PathID? { token >= 0 ? PathID(token) : nil }
}
