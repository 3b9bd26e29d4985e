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

  /// One asset's metadata; `people` holds its named people's ids (for distinct sums).
  private struct AssetMetadata {
    var risk = AtRisk()
    var people: [Substring] = []
  }

  /// Sets `atRisk` on the findings concerned; returns the total and the number of missing and
  /// offline assets it sums over.
  static func apply(_ database: ImmichDatabase, _ facts: AuditFacts, to findings: inout [Finding])
    throws(AuditError) -> (AtRisk, (missing: Int, offline: Int))
  {
    // Ids as 16 bytes, not strings: a library restored without its files concerns every asset.
    // An id that is not a lowercase uuid is no asset's (asset.id is a uuid column).
    var missing = Set<CompactID>()
    var wanted = Set<CompactID>()
    for finding in findings where finding.kind == .missingOriginal || finding.kind == .likelyMoved {
      guard let id = finding.assetId.flatMap(CompactID.init(lowercase:)) else { continue }
      wanted.insert(id)
      if finding.kind == .missingOriginal { missing.insert(id) }
    }
    let underOffline = offlineAssets(facts)
    for ids in underOffline.values { wanted.formUnion(ids) }

    var metadata: [CompactID: AssetMetadata] = Dictionary(minimumCapacity: wanted.count)
    let ids = Array(wanted)
    for start in stride(from: 0, to: ids.count, by: batch) {
      var parameter: [UInt8] = [UInt8(ascii: "{")]
      parameter.reserveCapacity(37 * min(batch, ids.count - start) + 1)
      for id in ids[start..<min(start + batch, ids.count)] {
        if parameter.count > 1 { parameter.append(UInt8(ascii: ",")) }
        id.appendLowercase(to: &parameter)
      }
      parameter.append(UInt8(ascii: "}"))
      try database.stream("at-risk", [String(decoding: parameter, as: UTF8.self)]) { row in
        guard let (high, low) = row.uuid(0) else { return }
        let id = CompactID(high: high, low: low)
        func text(_ column: Int) -> String { row.bytes(column).map { String(decoding: $0, as: UTF8.self) } ?? "" }
        func count(_ column: Int) -> Int { Int(row.int64(column) ?? 0) }
        func flag(_ column: Int) -> Int { row.bool(column) ? 1 : 0 }
        var asset = AssetMetadata()
        asset.risk.albums = count(1)
        asset.risk.faces = count(2)
        asset.people = text(3).split(separator: ",")
        asset.risk.people = asset.people.count
        asset.risk.descriptions = flag(4)
        asset.risk.locations = flag(5)
        asset.risk.favorites = flag(6)
        asset.risk.tags = count(7)
        asset.risk.sharedLinks = count(8)
        asset.risk.stacks = flag(9)
        asset.risk.memories = count(10)
        metadata[id] = asset
      }
    }

    func sum(_ assets: some Sequence<CompactID>) -> AtRisk {
      var total = AtRisk()
      var people = Set<Substring>()
      for id in assets {
        guard let asset = metadata[id] else { continue }
        total.albums += asset.risk.albums
        total.faces += asset.risk.faces
        people.formUnion(asset.people)
        total.descriptions += asset.risk.descriptions
        total.locations += asset.risk.locations
        total.favorites += asset.risk.favorites
        total.tags += asset.risk.tags
        total.sharedLinks += asset.risk.sharedLinks
        total.stacks += asset.risk.stacks
        total.memories += asset.risk.memories
      }
      total.people = people.count
      return total
    }

    for index in findings.indices where findings[index].carriesAtRisk {
      let finding = findings[index]
      if finding.kind == .rootOffline {
        let root = facts.roots.firstIndex {
          $0.offline && Array($0.container.utf8) == finding.path && $0.libraryId == finding.libraryId
        }
        guard let root, facts.roots[root].kind.holdsOriginals else { continue }
        findings[index].atRisk = sum(underOffline[root] ?? [])
      } else {
        // One asset: its own figures (its people are distinct already).
        findings[index].atRisk =
          finding.assetId.flatMap(CompactID.init(lowercase:)).flatMap { metadata[$0]?.risk } ?? AtRisk()
      }
    }
    let offline = Set(underOffline.values.joined()).subtracting(missing)
    return (sum(missing.union(offline)), (missing.count, offline.count))
  }

  /// The not-trashed assets whose original lies under each offline root holding originals.
  private static func offlineAssets(_ facts: AuditFacts) -> [Int: [CompactID]] {
    let offline = Set(facts.roots.indices.filter { facts.roots[$0].offline && facts.roots[$0].kind.holdsOriginals })
    guard !offline.isEmpty else { return [:] }
    var assets: [Int: [CompactID]] = [:]
    for reference in facts.index.references where reference.kind == .original && !reference.flags.contains(.trashed) {
      guard let root = facts.root(of: reference.path), offline.contains(root),
        reference.rowId != .none, reference.rowId.high != CompactID.overflowMarker
      else { continue }
      assets[root, default: []].append(reference.rowId)
    }
    return assets
  }
}

extension Finding {
  /// Whether DESIGN.md may give this finding an `atRisk` (`root-offline` only of a root
  /// holding originals).
  var carriesAtRisk: Bool {
    switch kind {
    case .missingOriginal, .likelyMoved, .rootOffline: return true
    default: return false
    }
  }
}
