import CompactStore
import FileScan
import Foundation
import Synchronization

/// A file the walk found that no reference accounts for.
struct UnmatchedFile {
  var kind: FindingKind
  var size: Int64
  /// Below its root.
  var relative: [UInt8]
}

/// Files of one root that no reference accounts for, packed: their relative paths end to end,
/// each with its finding kind and size. A file is about 40 bytes here; as a `Finding` with its
/// paths and detail as arrays and strings it was about 440 (BENCHMARKS.md, issue 13).
struct UnmatchedFiles: Sendable {
  private var bytes: [UInt8] = []
  private var ends: [Int] = []
  private var kinds: [FindingKind] = []
  private var sizes: [Int64] = []

  var count: Int { ends.count }
  var isEmpty: Bool { ends.isEmpty }
  /// Bytes of the files' records once spilled (`SpilledRun`).
  var recordBytes: Int { bytes.count + count * SpilledRun.headerSize }

  mutating func append(relative: some Collection<UInt8>, kind: FindingKind, size: Int64) {
    bytes.append(contentsOf: relative)
    ends.append(bytes.count)
    kinds.append(kind)
    sizes.append(size)
  }

  mutating func append(contentsOf other: UnmatchedFiles) {
    let base = bytes.count
    bytes.append(contentsOf: other.bytes)
    ends.append(contentsOf: other.ends.lazy.map { $0 + base })
    kinds.append(contentsOf: other.kinds)
    sizes.append(contentsOf: other.sizes)
  }

  /// How many files of each kind. Counted in a list of the few kinds present (at most three),
  /// not a dictionary: this runs under the walk's lock for every file spilled, where a
  /// comparison per file is cheaper than hashing the kind.
  var kindCounts: [FindingKind: Int] {
    var counts: [(kind: FindingKind, count: Int)] = []
    for kind in kinds {
      if let known = counts.firstIndex(where: { $0.kind == kind }) {
        counts[known].count += 1
      } else {
        counts.append((kind, 1))
      }
    }
    return Dictionary(uniqueKeysWithValues: counts)
  }

  subscript(file: Int) -> UnmatchedFile {
    UnmatchedFile(kind: kinds[file], size: sizes[file], relative: Array(bytes[range(file)]))
  }

  private func range(_ file: Int) -> Range<Int> { (file == 0 ? 0 : ends[file - 1])..<ends[file] }

  /// The files' numbers in a root's report order: kind, then relative path bytewise (the
  /// root's prefixes and library are the same for all).
  func reportOrder() -> [Int] {
    bytes.withUnsafeBytes { all in
      (0..<count).sorted { a, b in
        if kinds[a] != kinds[b] { return kinds[a] < kinds[b] }
        let x = UnsafeRawBufferPointer(rebasing: all[range(a)])
        let y = UnsafeRawBufferPointer(rebasing: all[range(b)])
        return Bytes.compare(x, y) < 0
      }
    }
  }

  /// The files as records in `order` (`SpilledRun`'s layout).
  func records(_ order: [Int]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(recordBytes)
    for file in order {
      let range = range(file)
      out.append(UInt8(kinds[file].order))
      withUnsafeBytes(of: sizes[file].littleEndian) { out.append(contentsOf: $0) }
      withUnsafeBytes(of: UInt32(range.count).littleEndian) { out.append(contentsOf: $0) }
      out.append(contentsOf: bytes[range])
    }
    return out
  }
}

/// Files of one root written to the spill file in the root's report order, as records: the
/// kind's number (1 byte), the size (8, little-endian), the relative path's length (4) and bytes.
struct SpilledRun: Sendable {
  static let headerSize = 13
  let offset: Int64
  let bytes: Int
  let count: Int
  let kindCounts: [FindingKind: Int]
}

/// Where the walk keeps the unmatched files of all roots: in memory up to `limit` record bytes
/// per root, then sorted and written to a `SpillFile` as a run (so that 2,000,000 new files on
/// a share cost the memory of a few hundred thousand). Without a spill file (no `$TMPDIR`, a
/// filesystem without O_TMPFILE, or a `$TMPDIR` inside an audited folder, which the tool never
/// writes to) everything stays in memory, as it did before.
final class UnmatchedSpill: Sendable {
  /// `IMMICH_AUDIT_SPILL_BYTES` sets it (tests spill a few files at a time).
  let limit: Int
  /// The roots' host folders: no spill file inside them.
  private let roots: [[UInt8]]
  private let file = Mutex<(opened: Bool, file: SpillFile?)>((false, nil))

  init(roots: [[UInt8]]) {
    let set = ProcessInfo.processInfo.environment["IMMICH_AUDIT_SPILL_BYTES"].flatMap { Int($0) }
    limit = max(set ?? 2 << 20, 1)
    self.roots = roots
  }

  /// Whether `folder` (as given, and with its links resolved) lies outside every root. The
  /// roots are compared as written, not resolved: resolving one on a dead mount would hang.
  static func mayUse(_ folder: String, roots: [[UInt8]]) -> Bool {
    var spellings = [Array(folder.utf8)]
    if let resolved = realpath(folder, nil) {
      spellings.append(Array(String(cString: resolved).utf8))
      free(resolved)
    }
    return !spellings.contains { spelling in roots.contains { PathMapper.hasComponentPrefix(spelling[...], $0) } }
  }

  var spillFile: SpillFile? { file.withLock { $0.file } }

  /// Writes the walk's unmatched files out as one sorted run once they reach the limit. Without
  /// a spill file, or after a failed write, the root's files stay in memory from then on.
  func spillIfFull(_ walk: inout RootWalk) {
    guard !walk.keepsInMemory, walk.unmatched.recordBytes >= limit, !walk.unmatched.isEmpty else { return }
    let target = file.withLock { state -> SpillFile? in
      if !state.opened {
        let folder = SpillFile.temporaryFolder
        state = (true, Self.mayUse(folder, roots: roots) ? SpillFile(folder: folder) : nil)
      }
      return state.file
    }
    guard let target else {
      walk.keepsInMemory = true
      return
    }
    let records = walk.unmatched.records(walk.unmatched.reportOrder())
    let written = records.withUnsafeBytes { bytes in
      Result { () throws(SystemError) -> Int64 in try target.append(bytes) }
    }
    guard case .success(let offset) = written else {
      // A full $TMPDIR: these files stay in memory, and so do the next ones of this root.
      walk.keepsInMemory = true
      return
    }
    walk.runs.append(
      SpilledRun(
        offset: offset, bytes: records.count, count: walk.unmatched.count, kindCounts: walk.unmatched.kindCounts))
    walk.unmatched = UnmatchedFiles()
  }
}

/// The files nothing references (`UnreferencedFileRule`) of every online root, made into
/// `Finding`s one at a time as a report reads them, in report order: each root's spilled runs
/// and the files still in memory are merged (kind, then container path bytewise, then host
/// path, then library) as `sort(1)` merges its temporary files.
final class DiskFindings: Sendable {
  fileprivate struct Root: Sendable {
    let files: UnmatchedFiles
    /// `files` in report order.
    let order: [Int]
    let runs: [SpilledRun]
    /// "/mnt/nas/" and "/srv/nas/": each file's paths are these and its relative path.
    let containerPrefix: [UInt8]
    let hostPrefix: [UInt8]
    let libraryId: String?
    let ownerId: String?
    /// Hashes of the `.xmp` files the walk saw, for the "with its sidecar" detail.
    let xmpFiles: Set<UInt64>
  }

  fileprivate let roots: [Root]
  fileprivate let spill: SpillFile?
  let count: Int
  /// How many files of each kind.
  let kindCounts: [FindingKind: Int]
  /// The first error reading the spill file back (the findings then end early: the caller
  /// must not present them as complete).
  private let failure = Mutex<SystemError?>(nil)
  var readError: SystemError? { failure.withLock { $0 } }

  static let unindexedDetail =
    "no asset of this library references it: the next library scan imports it as a new asset"
  static let untrackedDetail = "no asset references it"

  init(_ facts: AuditFacts, spill: SpillFile?) {
    var roots: [Root] = []
    var count = 0
    var kindCounts: [FindingKind: Int] = [:]
    for (number, walk) in facts.walks.enumerated() where !facts.roots[number].offline {
      guard !walk.unmatched.isEmpty || !walk.runs.isEmpty else { continue }
      let root = facts.roots[number]
      roots.append(
        Root(
          files: walk.unmatched, order: walk.unmatched.reportOrder(), runs: walk.runs,
          containerPrefix: Array(root.container.utf8) + [UInt8(ascii: "/")],
          hostPrefix: root.host + [UInt8(ascii: "/")], libraryId: root.libraryId,
          ownerId: root.libraryId.flatMap { id in facts.libraries.first { $0.id == id }?.ownerId },
          xmpFiles: walk.xmpFiles))
      for counts in walk.runs.map(\.kindCounts) + [walk.unmatched.kindCounts] {
        for (kind, number) in counts {
          kindCounts[kind, default: 0] += number
          count += number
        }
      }
    }
    self.roots = roots
    self.spill = spill
    self.count = count
    self.kindCounts = kindCounts
  }

  /// The files of `kind` (nil: all), in report order, with their root's number in `roots`.
  func files(of kind: FindingKind? = nil) -> Merge { Merge(self, kind: kind) }

  func note(_ error: SystemError) { failure.withLock { if $0 == nil { $0 = error } } }

  /// A file's container path, in the database's prefix style, and its host path.
  func paths(_ root: Int, _ file: UnmatchedFile) -> (path: [UInt8], hostPath: [UInt8]) {
    (roots[root].containerPrefix + file.relative, roots[root].hostPrefix + file.relative)
  }

  /// The finding of a file of root `root`.
  func finding(_ number: Int, _ file: UnmatchedFile) -> Finding {
    let root = roots[number]
    var detail: String
    switch file.kind {
    case .unindexedOriginal:
      detail = Self.unindexedDetail
      // Seen by the walk, not stat'ed again: a slow mount answers each stat in a round trip.
      if let sidecar = MissingFileRule.sidecarCandidates(file.relative).first(where: {
        root.xmpFiles.contains(RootWalk.folderKey($0))
      }) {
        detail += " (with its sidecar \(String(decoding: LikelyMovedRule.fileName(sidecar[...]), as: UTF8.self)))"
      }
    case .untrackedUpload: detail = Self.untrackedDetail
    default: detail = DerivativeRule.orphanedDetail
    }
    let (path, hostPath) = paths(number, file)
    return Finding(
      kind: file.kind, path: path, hostPath: hostPath, libraryId: root.libraryId, ownerId: root.ownerId,
      detail: detail)
  }

  /// The merge of every root's runs and in-memory files: a heap of cursors, the smallest
  /// file in report order on top.
  struct Merge: Sequence, IteratorProtocol {
    private let disk: DiskFindings
    private let kind: FindingKind?
    private var cursors: [Cursor] = []
    /// Cursor numbers ordered as a binary heap by their current file.
    private var heap: [Int] = []
    /// Per root: the first root with the same container and host prefixes.
    private let prefixGroup: [Int]

    fileprivate init(_ disk: DiskFindings, kind: FindingKind?) {
      self.disk = disk
      self.kind = kind
      prefixGroup = disk.roots.map { root in
        disk.roots.firstIndex { $0.containerPrefix == root.containerPrefix && $0.hostPrefix == root.hostPrefix }!
      }
      for (number, root) in disk.roots.enumerated() {
        for run in root.runs { cursors.append(Cursor(root: number, run: run)) }
        cursors.append(Cursor(root: number, memory: root.order))
      }
      for number in cursors.indices where advance(number) { push(number) }
    }

    mutating func next() -> (root: Int, file: UnmatchedFile)? {
      guard let top = heap.first else { return nil }
      let result = (cursors[top].root, cursors[top].current!)
      if advance(top) {
        siftDown(0)
      } else {
        heap[0] = heap[heap.count - 1]
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
      }
      return result
    }

    /// Moves cursor `number` to its next file of the kind wanted; false at its end.
    private mutating func advance(_ number: Int) -> Bool {
      while let file = cursors[number].next(disk) {
        if kind == nil || file.kind == kind { return true }
        // Runs are sorted by kind first: past the kind wanted, nothing more is.
        if let kind, kind < file.kind { break }
      }
      cursors[number].current = nil
      return false
    }

    /// Reads the cursors' and roots' fields in place: copying a `Cursor` or a `Root` out of its
    /// array retained and released each of its arrays, on every comparison of the merge.
    private func precedes(_ a: Int, _ b: Int) -> Bool {
      let (rootX, rootY) = (cursors[a].root, cursors[b].root)
      let (kindX, kindY) = (cursors[a].current!.kind, cursors[b].current!.kind)
      if kindX != kindY { return kindX < kindY }
      // Mostly files of one root, or of roots with the same prefixes: their relative paths decide.
      if prefixGroup[rootX] == prefixGroup[rootY] {
        let byRelative = compareBytes(cursors[a].current!.relative, cursors[b].current!.relative)
        if byRelative != 0 { return byRelative < 0 }
      } else {
        let (fileX, fileY) = (cursors[a].current!.relative, cursors[b].current!.relative)
        let byPath = compareBytes(
          disk.roots[rootX].containerPrefix + fileX, disk.roots[rootY].containerPrefix + fileY)
        if byPath != 0 { return byPath < 0 }
        let byHost = compareBytes(disk.roots[rootX].hostPrefix + fileX, disk.roots[rootY].hostPrefix + fileY)
        if byHost != 0 { return byHost < 0 }
      }
      return (disk.roots[rootX].libraryId ?? "", rootX) < (disk.roots[rootY].libraryId ?? "", rootY)
    }

    private mutating func push(_ number: Int) {
      heap.append(number)
      var child = heap.count - 1
      while child > 0 {
        let parent = (child - 1) / 2
        guard precedes(heap[child], heap[parent]) else { break }
        heap.swapAt(child, parent)
        child = parent
      }
    }

    private mutating func siftDown(_ start: Int) {
      var parent = start
      while true {
        var smallest = parent
        for child in (2 * parent + 1)...(2 * parent + 2) where child < heap.count {
          if precedes(heap[child], heap[smallest]) { smallest = child }
        }
        if smallest == parent { return }
        heap.swapAt(parent, smallest)
        parent = smallest
      }
    }
  }

  /// One run's files in order: read from the spill file a block at a time, or from memory.
  private struct Cursor {
    let root: Int
    private let run: SpilledRun?
    private let memory: [Int]
    private var position = 0
    /// The spilled bytes read and not yet decoded, and where they start in the run.
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private var bufferUsed = 0
    var current: UnmatchedFile?

    private static let blockSize = 1 << 16

    init(root: Int, run: SpilledRun) {
      self.root = root
      self.run = run
      memory = []
    }

    init(root: Int, memory: [Int]) {
      self.root = root
      run = nil
      self.memory = memory
    }

    mutating func next(_ disk: DiskFindings) -> UnmatchedFile? {
      current = nil
      guard let run else {
        guard position < memory.count else { return nil }
        defer { position += 1 }
        current = disk.roots[root].files[memory[position]]
        return current
      }
      guard position < run.count else { return nil }
      guard let header = bytes(disk, run, SpilledRun.headerSize) else { return nil }
      let (kind, size, length) = header.withUnsafeBytes { bytes in
        (
          FindingKind.ordered[Int(bytes[0])],
          Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 1, as: Int64.self)),
          Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 9, as: UInt32.self)))
        )
      }
      bufferUsed += SpilledRun.headerSize
      guard let relative = bytes(disk, run, length) else { return nil }
      bufferUsed += length
      position += 1
      current = UnmatchedFile(kind: kind, size: size, relative: Array(relative))
      return current
    }

    /// The next `count` bytes of the run (not consumed), reading a block on when needed.
    private mutating func bytes(_ disk: DiskFindings, _ run: SpilledRun, _ count: Int) -> ArraySlice<UInt8>? {
      if bufferUsed + count > buffer.count {
        let start = bufferStart + bufferUsed
        let wanted = min(max(Self.blockSize, count), run.bytes - start)
        guard wanted >= count, let spill = disk.spill else {
          disk.note(SystemError(EIO))
          return nil
        }
        var block = [UInt8](repeating: 0, count: wanted)
        let read = block.withUnsafeMutableBytes { out in
          Result { () throws(SystemError) -> Int in try spill.read(at: run.offset + Int64(start), into: out) }
        }
        switch read {
        case .success(let count) where count == wanted: break
        case .success:
          disk.note(SystemError(EIO))
          return nil
        case .failure(let error):
          disk.note(error)
          return nil
        }
        buffer = block
        bufferStart = start
        bufferUsed = 0
      }
      return buffer[bufferUsed..<(bufferUsed + count)]
    }
  }
}
