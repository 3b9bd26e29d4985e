import CompactStore
import Foundation

/// Files of one root that no reference accounts for, packed: their relative paths end to end,
/// each with its finding kind and size. A file is about 40 bytes here; as a `Finding` with its
/// paths and detail as arrays and strings it was about 440 (BENCHMARKS.md, issue 13).
struct UnmatchedFiles: Sendable {
  private var bytes: [UInt8] = []
  private var ends: [Int] = []
  private var kinds: [FindingKind] = []
  private(set) var sizes: [Int64] = []

  var count: Int { ends.count }
  var isEmpty: Bool { ends.isEmpty }

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

  func kind(_ file: Int) -> FindingKind { kinds[file] }

  func relative(_ file: Int) -> ArraySlice<UInt8> { bytes[(file == 0 ? 0 : ends[file - 1])..<ends[file]] }

  /// The relative path of `file`, valid inside `body` only (no copy: the sort asks it millions of times).
  func withRelative<T>(_ file: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
    bytes.withUnsafeBytes { all in body(UnsafeRawBufferPointer(rebasing: all[(file == 0 ? 0 : ends[file - 1])..<ends[file]])) }
  }
}

/// The files nothing references (`UnreferencedFileRule`) of every online root, in report
/// order, made into `Finding`s one at a time as a report asks for them: 200,000 new files on a
/// share no longer hold 440 bytes each until the report is written.
///
/// Positions (`kind(at:)`, `hostPath(at:)`, …) number the files root by root in walk order;
/// `sorted` lists them in report order (kind, then container path bytewise, then host path,
/// then library).
public final class DiskFindings: Sendable {
  private struct Root: Sendable {
    let number: Int
    let files: UnmatchedFiles
    /// "/mnt/nas/" and "/srv/nas/": each file's paths are these and its relative path.
    let containerPrefix: [UInt8]
    let hostPrefix: [UInt8]
    let libraryId: String?
    let ownerId: String?
    /// Hashes of the `.xmp` files the walk saw, for the "with its sidecar" detail.
    let xmpFiles: Set<UInt64>
  }

  private let roots: [Root]
  /// Each root's first position.
  private let starts: [Int]
  public let count: Int
  /// Positions in report order.
  let sorted: [Int]

  static let unindexedDetail =
    "no asset of this library references it: the next library scan imports it as a new asset"
  static let untrackedDetail = "no asset references it"

  init(_ facts: AuditFacts) {
    var roots: [Root] = []
    var starts: [Int] = []
    var count = 0
    for (number, walk) in facts.walks.enumerated() where !facts.roots[number].offline && !walk.unmatched.isEmpty {
      let root = facts.roots[number]
      roots.append(
        Root(
          number: number, files: walk.unmatched, containerPrefix: Array(root.container.utf8) + [UInt8(ascii: "/")],
          hostPrefix: root.host + [UInt8(ascii: "/")], libraryId: root.libraryId,
          ownerId: root.libraryId.flatMap { id in facts.libraries.first { $0.id == id }?.ownerId },
          xmpFiles: walk.xmpFiles))
      starts.append(count)
      count += walk.unmatched.count
    }
    self.roots = roots
    self.starts = starts
    self.count = count
    sorted = Self.reportOrder(roots, starts: starts, count: count)
  }

  /// The root (in `roots`) and file number of position `position`.
  private func locate(_ position: Int) -> (root: Int, file: Int) {
    var low = 0
    var high = starts.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if starts[middle] <= position { low = middle } else { high = middle - 1 }
    }
    return (low, position - starts[low])
  }

  func kind(at position: Int) -> FindingKind {
    let (root, file) = locate(position)
    return roots[root].files.kind(file)
  }

  func size(at position: Int) -> Int64 {
    let (root, file) = locate(position)
    return roots[root].files.sizes[file]
  }

  /// The container path, in the database's prefix style.
  func path(at position: Int) -> [UInt8] {
    let (root, file) = locate(position)
    return roots[root].containerPrefix + roots[root].files.relative(file)
  }

  func hostPath(at position: Int) -> [UInt8] {
    let (root, file) = locate(position)
    return roots[root].hostPrefix + roots[root].files.relative(file)
  }

  /// The finding of the file at `position`.
  func finding(at position: Int) -> Finding {
    let (number, file) = locate(position)
    let root = roots[number]
    let relative = root.files.relative(file)
    let kind = root.files.kind(file)
    var detail: String
    switch kind {
    case .unindexedOriginal:
      detail = Self.unindexedDetail
      // Seen by the walk, not stat'ed again: a slow mount answers each stat in a round trip.
      if let sidecar = MissingFileRule.sidecarCandidates(Array(relative)).first(where: {
        root.xmpFiles.contains(RootWalk.folderKey($0))
      }) {
        detail += " (with its sidecar \(String(decoding: LikelyMovedRule.fileName(sidecar[...]), as: UTF8.self)))"
      }
    case .untrackedUpload: detail = Self.untrackedDetail
    default: detail = DerivativeRule.orphanedDetail
    }
    return Finding(
      kind: kind, path: root.containerPrefix + relative, hostPath: root.hostPrefix + relative,
      libraryId: root.libraryId, ownerId: root.ownerId, detail: detail)
  }

  /// The finding at `index` in report order.
  func sortedFinding(_ index: Int) -> Finding { finding(at: sorted[index]) }

  /// Positions sorted as `Finding.reportOrder` sorts the findings (the kinds here all have
  /// their default severity, which follows the kind): kind, container path, host path, library.
  private static func reportOrder(_ roots: [Root], starts: [Int], count: Int) -> [Int] {
    var located: [(root: Int32, file: Int32)] = []
    located.reserveCapacity(count)
    for (number, root) in roots.enumerated() {
      for file in 0..<root.files.count { located.append((Int32(number), Int32(file))) }
    }
    func order(_ a: (root: Int32, file: Int32), _ b: (root: Int32, file: Int32)) -> Bool {
      let x = roots[Int(a.root)]
      let y = roots[Int(b.root)]
      let kindX = x.files.kind(Int(a.file))
      let kindY = y.files.kind(Int(b.file))
      if kindX != kindY { return kindX < kindY }
      let byPath = compareJoined(x.containerPrefix, x.files, Int(a.file), y.containerPrefix, y.files, Int(b.file))
      if byPath != 0 { return byPath < 0 }
      let byHost = compareJoined(x.hostPrefix, x.files, Int(a.file), y.hostPrefix, y.files, Int(b.file))
      if byHost != 0 { return byHost < 0 }
      return (x.libraryId ?? "") < (y.libraryId ?? "")
    }
    located.sort(by: order)
    return located.map { starts[Int($0.root)] + Int($0.file) }
  }

  /// Bytewise order of `prefixA + relative(a)` and `prefixB + relative(b)` without joining them.
  private static func compareJoined(
    _ prefixA: [UInt8], _ filesA: UnmatchedFiles, _ a: Int, _ prefixB: [UInt8], _ filesB: UnmatchedFiles, _ b: Int
  ) -> Int32 {
    filesA.withRelative(a) { relativeA in
      filesB.withRelative(b) { relativeB in
        prefixA.withUnsafeBytes { headA in
          prefixB.withUnsafeBytes { headB in
            if Bytes.equal(headA, headB) { return compareBytes(relativeA, relativeB) }
            return compareBytes(Joined(headA, relativeA), Joined(headB, relativeB))
          }
        }
      }
    }
  }

  /// Two byte buffers read as one, for the rare comparison across roots of different prefixes.
  private struct Joined: Sequence {
    let head: UnsafeRawBufferPointer
    let tail: UnsafeRawBufferPointer
    init(_ head: UnsafeRawBufferPointer, _ tail: UnsafeRawBufferPointer) {
      self.head = head
      self.tail = tail
    }
    func makeIterator() -> FlattenSequence<[UnsafeRawBufferPointer]>.Iterator { [head, tail].joined().makeIterator() }
  }

  private static func compareBytes(_ a: Joined, _ b: Joined) -> Int32 {
    var x = a.makeIterator()
    var y = b.makeIterator()
    while true {
      switch (x.next(), y.next()) {
      case (nil, nil): return 0
      case (nil, _): return -1
      case (_, nil): return 1
      case (let p?, let q?): if p != q { return p < q ? -1 : 1 }
      }
    }
  }

  private static func compareBytes(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Int32 {
    let common = min(x.count, y.count)
    let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
    if order != 0 { return order }
    return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
  }
}
