import CompactStore
import PostgresClient

/// Metadata at risk (DESIGN.md § What hangs on a finding): the albums, faces, descriptions and
/// the rest that hang on each asset whose original is missing (`missing-original`,
/// `likely-moved`) or under an offline root holding originals (`root-offline`: the sum over its
/// not-trashed assets), and the report's total over the missing, not-trashed originals and the
/// offline roots, each asset once. Read by `queries/at-risk.sql`, the asset ids as an array
/// parameter (no temporary table: the session is read-only).
enum AtRiskRule {
  /// Asset ids per statement: each statement reads every join table at most once, so fewer
  /// statements cost less; at 37 bytes a uuid a statement's parameter stays under 40 MB. A
  /// whole library restored without its files (a million offline assets) is one statement
  /// (BENCHMARKS.md, "Metadata at risk").
  static let batch = 1_000_000

  /// What one concerned asset's row adds to: its finding (the first with its id, -1: none),
  /// the offline root its original lies under (-1: none), and the report's total.
  private struct Concern {
    var finding: Int32 = -1
    var root: Int16 = -1
    var inTotal = false
  }

  /// A sum over assets, their named people counted once.
  private struct Sum {
    private var totals = AtRisk()
    private var people = Set<CompactID>()

    var risk: AtRisk {
      var risk = totals
      risk.people = people.count
      return risk
    }

    mutating func add(_ asset: AtRisk, people assetPeople: [CompactID]) {
      totals.albums += asset.albums
      totals.faces += asset.faces
      people.formUnion(assetPeople)
      totals.descriptions += asset.descriptions
      totals.locations += asset.locations
      totals.favorites += asset.favorites
      totals.tags += asset.tags
      totals.sharedLinks += asset.sharedLinks
      totals.stacks += asset.stacks
      totals.memories += asset.memories
    }
  }

  /// Sets `atRisk` on the findings concerned; returns the total and the number of missing and
  /// offline assets it sums over.
  static func apply(_ database: ImmichDatabase, _ facts: AuditFacts, to findings: inout [Finding])
    throws(AuditError) -> (AtRisk, (missing: Int, offline: Int))
  {
    // Each row goes straight into the sums it belongs to; nothing is kept per asset but where
    // its row goes, 16-byte ids (a library restored without its files concerns every asset).
    // An id that is not a lowercase uuid is no asset's (asset.id is a uuid column).
    var concerns: [CompactID: Concern] = [:]
    var counted = (missing: 0, offline: 0)
    // A second finding of an asset (and its first): given the first one's figures at the end.
    var repeated: [(finding: Int, first: Int)] = []
    for index in findings.indices where findings[index].kind == .missingOriginal || findings[index].kind == .likelyMoved
    {
      findings[index].atRisk = AtRisk()
      guard let id = findings[index].assetId.flatMap(CompactID.init(lowercase:)) else { continue }
      var concern = concerns[id, default: Concern()]
      if concern.finding < 0 {
        concern.finding = Int32(index)
      } else {
        repeated.append((index, Int(concern.finding)))
      }
      if findings[index].kind == .missingOriginal && !concern.inTotal {
        concern.inTotal = true
        counted.missing += 1
      }
      concerns[id] = concern
    }
    forEachOfflineAsset(facts) { root, id in
      var concern = concerns[id, default: Concern()]
      concern.root = Int16(root)
      if !concern.inTotal {
        concern.inTotal = true
        counted.offline += 1
      }
      concerns[id] = concern
    }

    var total = Sum()
    var offlineRoots: [Int: Sum] = [:]
    let ids = Array(concerns.keys)
    for start in stride(from: 0, to: ids.count, by: batch) {
      try database.stream("at-risk", [arrayLiteral(ids[start..<min(start + batch, ids.count)])]) { row in
        guard let (high, low) = row.uuid(0), let concern = concerns[CompactID(high: high, low: low)] else { return }
        func count(_ column: Int) -> Int { Int(row.int64(column) ?? 0) }
        func flag(_ column: Int) -> Int { row.bool(column) ? 1 : 0 }
        var people =
          row.withBytes(3) { text in
            text.map {
              $0.split(separator: UInt8(ascii: ",")).compactMap { CompactID.parseLowercase(.init(rebasing: $0)) }
            }
          } ?? []
        // An id per named face (queries/at-risk.sql): each person once. Sorted in place, not
        // a set per row: an asset has a few faces.
        if people.count > 1 {
          people.sort { ($0.high, $0.low) < ($1.high, $1.low) }
          people = people.indices.compactMap { $0 > 0 && people[$0] == people[$0 - 1] ? nil : people[$0] }
        }
        var asset = AtRisk()
        asset.albums = count(1)
        asset.faces = count(2)
        asset.people = people.count
        asset.descriptions = flag(4)
        asset.locations = flag(5)
        asset.favorites = flag(6)
        asset.tags = count(7)
        asset.sharedLinks = count(8)
        asset.stacks = flag(9)
        asset.memories = count(10)
        if concern.finding >= 0 { findings[Int(concern.finding)].atRisk = asset }
        if concern.root >= 0 { offlineRoots[Int(concern.root), default: Sum()].add(asset, people: people) }
        if concern.inTotal { total.add(asset, people: people) }
      }
    }

    for (index, first) in repeated { findings[index].atRisk = findings[first].atRisk }
    for index in findings.indices where findings[index].kind == .rootOffline {
      let finding = findings[index]
      let root = facts.roots.firstIndex {
        $0.offline && Array($0.container.utf8) == finding.path && $0.libraryId == finding.libraryId
      }
      guard let root, facts.roots[root].kind.holdsOriginals else { continue }
      findings[index].atRisk = offlineRoots[root]?.risk ?? AtRisk()
    }
    return (total.risk, counted)
  }

  /// `ids` as a uuid array's text: made in bytes and returned as the one string the statement
  /// is sent, so that the bytes (37 MB at a million ids) are not held while it runs.
  private static func arrayLiteral(_ ids: ArraySlice<CompactID>) -> String {
    var literal: [UInt8] = [UInt8(ascii: "{")]
    literal.reserveCapacity(37 * ids.count + 1)
    for id in ids {
      if literal.count > 1 { literal.append(UInt8(ascii: ",")) }
      id.appendLowercase(to: &literal)
    }
    literal.append(UInt8(ascii: "}"))
    return String(decoding: literal, as: UTF8.self)
  }

  /// Each not-trashed asset whose original lies under an offline root holding originals, with
  /// that root.
  private static func forEachOfflineAsset(_ facts: AuditFacts, _ body: (Int, CompactID) -> Void) {
    let offline = Set(facts.roots.indices.filter { facts.roots[$0].offline && facts.roots[$0].kind.holdsOriginals })
    guard !offline.isEmpty else { return }
    for reference in facts.index.references where reference.kind == .original && !reference.flags.contains(.trashed) {
      guard let root = facts.root(of: reference.path), offline.contains(root),
        reference.rowId != .none, reference.rowId.high != CompactID.overflowMarker
      else { continue }
      body(root, reference.rowId)
    }
  }
}
