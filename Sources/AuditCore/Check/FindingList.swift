import FileScan

/// The findings of a check in report order (DESIGN.md: severity error → info, the kinds' table
/// order, path bytewise): the ones the rules made, sorted, and the files nothing references,
/// kept packed or spilled in `DiskFindings` and made into `Finding`s only as a report reads
/// them. No kind comes from both, so the list is runs of one (severity, kind) from one source
/// or the other. A sequence, read as often as a report likes (each pass merges the disk's
/// files anew), not a collection: nothing holds them all.
public struct FindingList: Sequence, Sendable {
  fileprivate struct Run: Sendable {
    let kind: FindingKind
    let severity: Severity
    /// The run's place in `made`; nil: the disk's files of `kind`.
    let made: Range<Int>?
    let count: Int
  }

  fileprivate let made: [Finding]
  fileprivate let disk: DiskFindings?
  fileprivate let runs: [Run]
  public let count: Int
  public var isEmpty: Bool { count == 0 }

  /// `made` in any order.
  init(made: consuming [Finding], disk: DiskFindings?) {
    // Sorted where it lies: a caller that hands its array over (`consume`) is not copied (a
    // million findings, held twice, were the run's peak).
    var made = made
    made.sort(by: Finding.reportOrder)
    var runs: [Run] = []
    var position = 0
    while position < made.count {
      let first = made[position]
      var end = position + 1
      while end < made.count && made[end].kind == first.kind && made[end].severity == first.severity { end += 1 }
      runs.append(Run(kind: first.kind, severity: first.severity, made: position..<end, count: end - position))
      position = end
    }
    for (kind, count) in disk?.kindCounts ?? [:] where count > 0 {
      precondition(!runs.contains { $0.kind == kind }, "\(kind.rawValue) made by a rule and found on disk")
      runs.append(Run(kind: kind, severity: kind.defaultSeverity, made: nil, count: count))
    }
    // A stable sort: the made runs are in report order already.
    runs = runs.enumerated().sorted { a, b in
      let (x, y) = (a.element, b.element)
      if x.severity != y.severity { return x.severity < y.severity }
      if x.kind != y.kind { return x.kind < y.kind }
      return a.offset < b.offset
    }.map(\.element)
    self.made = made
    self.disk = disk
    self.runs = runs
    count = runs.reduce(0) { $0 + $1.count }
  }

  /// Findings made whole (a report's own, or a test's), sorted into report order.
  public init(_ findings: [Finding]) { self.init(made: findings, disk: nil) }

  public func makeIterator() -> Iterator { Iterator(self, runs: runs) }

  /// The findings of one kind, in report order (one kind's may lie in two runs of different
  /// severities: `root-offline`), without making the others.
  public func of(_ kind: FindingKind) -> OfKind { OfKind(list: self, kind: kind) }

  public struct OfKind: Sequence {
    fileprivate let list: FindingList
    fileprivate let kind: FindingKind
    public func makeIterator() -> Iterator { Iterator(list, runs: list.runs.filter { $0.kind == kind }) }
    public var first: Finding? {
      var iterator = makeIterator()
      return iterator.next()
    }
  }

  public struct Iterator: IteratorProtocol {
    private let list: FindingList
    private var runs: ArraySlice<Run>
    private var made: Range<Int>.Iterator?
    private var disk: DiskFindings.Merge?

    fileprivate init(_ list: FindingList, runs: [Run]) {
      self.list = list
      self.runs = runs[...]
    }

    public mutating func next() -> Finding? {
      while true {
        if let position = made?.next() { return list.made[position] }
        if let (root, file) = disk?.next() { return list.disk!.finding(root, file) }
        guard let run = runs.popFirst() else { return nil }
        made = run.made?.makeIterator()
        disk = run.made == nil ? list.disk?.files(of: run.kind) : nil
      }
    }
  }

  /// How many findings of each kind (kinds without any are absent).
  public var kindCounts: [FindingKind: Int] {
    var counts: [FindingKind: Int] = [:]
    for run in runs { counts[run.kind, default: 0] += run.count }
    return counts
  }

  /// How many findings of each kind count towards failing the run: `root-offline` and
  /// `boot-blocker` only at severity `error`.
  public var failingCounts: [FindingKind: Int] {
    var counts: [FindingKind: Int] = [:]
    for run in runs where !(run.kind.failsOnlyAsError && run.severity != .error) {
      counts[run.kind, default: 0] += run.count
    }
    return counts
  }

  /// Why the disk's findings ended early, if they did (the spill file could not be read back),
  /// and what to do: a report written from this list is then incomplete and must not be kept.
  public var readError: String? {
    disk?.readError.map { error in
      let folder = SpillFile.temporaryFolder
      return "cannot read back the unreferenced files kept in a temporary file in \(folder) (\(error)): the report "
        + "is incomplete and no report file was kept; check the disk that holds \(folder), or set TMPDIR to "
        + "another folder, and run again"
    }
  }
}
