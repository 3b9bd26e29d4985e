/// The findings of a check in report order (DESIGN.md: severity error → info, the kinds' table
/// order, path bytewise): the ones the rules made, sorted, and the files nothing references,
/// kept packed in `DiskFindings` and made into `Finding`s only as a report reads them. No kind
/// comes from both, so the list is runs of one (severity, kind) from one source or the other.
public struct FindingList: RandomAccessCollection, Sendable {
  private struct Run: Sendable {
    let kind: FindingKind
    let severity: Severity
    let fromDisk: Bool
    /// Where the run starts in its source (`made`, or `disk`'s report order) and in the list.
    let sourceStart: Int
    let start: Int
    let count: Int
  }

  private let made: [Finding]
  private let disk: DiskFindings?
  private let runs: [Run]
  public let endIndex: Int
  public var startIndex: Int { 0 }

  /// `made` in any order; `disk` already in report order.
  init(made: [Finding], disk: DiskFindings?) {
    let made = made.sorted(by: Finding.reportOrder)
    var keyed: [(kind: FindingKind, severity: Severity, fromDisk: Bool, sourceStart: Int, count: Int)] = []
    var position = 0
    while position < made.count {
      let first = made[position]
      var end = position + 1
      while end < made.count && made[end].kind == first.kind && made[end].severity == first.severity { end += 1 }
      keyed.append((first.kind, first.severity, false, position, end - position))
      position = end
    }
    if let disk {
      position = 0
      while position < disk.count {
        let kind = disk.kind(at: disk.sorted[position])
        var end = position + 1
        while end < disk.count && disk.kind(at: disk.sorted[end]) == kind { end += 1 }
        precondition(!keyed.contains { $0.kind == kind }, "\(kind.rawValue) made by a rule and found on disk")
        keyed.append((kind, kind.defaultSeverity, true, position, end - position))
        position = end
      }
    }
    // A stable sort: the made runs are in report order already.
    keyed = keyed.enumerated().sorted { a, b in
      let (x, y) = (a.element, b.element)
      if x.severity != y.severity { return x.severity < y.severity }
      if x.kind != y.kind { return x.kind < y.kind }
      return a.offset < b.offset
    }.map(\.element)
    var runs: [Run] = []
    var start = 0
    for run in keyed {
      runs.append(
        Run(
          kind: run.kind, severity: run.severity, fromDisk: run.fromDisk, sourceStart: run.sourceStart, start: start,
          count: run.count))
      start += run.count
    }
    self.made = made
    self.disk = disk
    self.runs = runs
    endIndex = start
  }

  /// Findings made whole (a report's own, or a test's), sorted into report order.
  public init(_ findings: [Finding]) { self.init(made: findings, disk: nil) }

  public subscript(position: Int) -> Finding {
    precondition(position >= 0 && position < endIndex, "finding \(position) of \(endIndex)")
    var low = 0
    var high = runs.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if runs[middle].start <= position { low = middle } else { high = middle - 1 }
    }
    let run = runs[low]
    let offset = run.sourceStart + position - run.start
    return run.fromDisk ? disk!.sortedFinding(offset) : made[offset]
  }

  /// The findings of one kind, in report order (one kind's may lie in two runs of different
  /// severities: `root-offline`), without making the others.
  public func of(_ kind: FindingKind) -> LazyMapSequence<FlattenSequence<[Range<Int>]>, Finding> {
    runs.filter { $0.kind == kind }.map { $0.start..<($0.start + $0.count) }.joined().lazy.map { self[$0] }
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
}
