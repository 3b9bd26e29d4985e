import FileScan
import PostgresClient

/// `sample` (DESIGN.md § Spot-check sample): what a person opens in Immich's web UI at the end of
/// a restore drill. N assets drawn from those not in the trash, spread over owners in proportion
/// to their asset counts and the same for the same seed (ordered by a hash of id and seed, not
/// by `random()`), with what the UI should show of each; and the N largest albums and the N
/// people with the most faces.
public struct SpotCheckSample: Sendable {
  public struct Asset: Sendable {
    public let id: String
    public let ownerId: String
    public let ownerEmail: String?
    public let path: String
    public let hostPath: [UInt8]
    /// Whether the original is here; nil: the look did not end within the I/O timeout.
    public let exists: Bool?
    public let albums: [String]
    /// Named people, not hidden.
    public let people: [String]
    public let description: String?
    public let latitude: Double?
    public let longitude: Double?
    public let favorite: Bool
  }

  public struct Album: Sendable {
    public let id: String
    public let name: String
    public let ownerEmail: String?
    public let assets: Int
  }

  public struct Person: Sendable {
    public let id: String
    /// Empty for a person nobody named.
    public let name: String
    public let hidden: Bool
    public let ownerEmail: String?
    public let faces: Int
  }

  public let seed: UInt64
  public let assets: [Asset]
  public let albums: [Album]
  public let people: [Person]

  /// How many of `count` assets each owner gets: in proportion to their assets (largest
  /// remainders first, ties by owner id), never more than they have.
  public static func quotas(_ count: Int, owners: [(id: String, assets: Int)]) -> [String: Int] {
    let total = owners.reduce(0) { $0 + $1.assets }
    guard total > 0, count > 0 else { return [:] }
    let wanted = min(count, total)
    var quotas: [String: Int] = [:]
    var remainders: [(id: String, remainder: Int)] = []
    for owner in owners {
      let exact = owner.assets * wanted
      quotas[owner.id] = exact / total
      remainders.append((owner.id, exact % total))
    }
    var left = wanted - quotas.values.reduce(0, +)
    for owner in remainders.sorted(by: { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.id < $1.id })
    where left > 0 {
      quotas[owner.id, default: 0] += 1
      left -= 1
    }
    return quotas
  }
}

extension ImmichDatabase {
  /// Draws the sample: `count` assets (and as many albums and people) for `seed`, their host
  /// paths by `mapper`, each looked at under `ioTimeout`.
  public func spotCheckSample(count: Int, seed: UInt64, mapper: PathMapper, ioTimeout: Double?)
    throws(AuditError) -> SpotCheckSample
  {
    let owners = try rows("sample-owner-counts").map { (id: $0[0] ?? "", assets: $0.int(1) ?? 0) }
    let quotas = SpotCheckSample.quotas(count, owners: owners).filter { $0.value > 0 }.sorted { $0.key < $1.key }
    var drawn: [Row] = []
    if !quotas.isEmpty {
      drawn = try rows(
        "sample-assets",
        [
          String(seed), "{" + quotas.map(\.key).joined(separator: ",") + "}",
          "{" + quotas.map { String($0.value) }.joined(separator: ",") + "}",
        ])
    }
    let hosts = drawn.map { mapper.hostPath(Array(($0[3] ?? "").utf8)).path }
    let statuses = FileStatus.of(hosts, threads: 4, timeout: ioTimeout)
    func lines(_ text: String?) -> [String] { text.map { $0.split(separator: "\n").map(String.init) } ?? [] }
    let assets = zip(drawn, zip(hosts, statuses)).map { row, found in
      let exists: Bool?
      switch found.1 {
      case nil: exists = nil
      case .missing?: exists = false
      case .failed?: exists = nil
      default: exists = true
      }
      return SpotCheckSample.Asset(
        id: row[0] ?? "", ownerId: row[1] ?? "", ownerEmail: row[2], path: row[3] ?? "", hostPath: found.0,
        exists: exists, albums: lines(row[4]), people: lines(row[5]).sorted(),
        description: row[6].flatMap { $0.isEmpty ? nil : $0 }, latitude: row[7].flatMap(Double.init),
        longitude: row[8].flatMap(Double.init), favorite: row.bool(9) ?? false)
    }
    let albums = try rows("sample-albums", [String(count)]).map {
      SpotCheckSample.Album(id: $0[0] ?? "", name: $0[1] ?? "", ownerEmail: $0[2], assets: $0.int(3) ?? 0)
    }
    let people = try rows("sample-people", [String(count)]).map {
      SpotCheckSample.Person(
        id: $0[0] ?? "", name: $0[1] ?? "", hidden: $0.bool(2) ?? false, ownerEmail: $0[3], faces: $0.int(4) ?? 0)
    }
    return SpotCheckSample(seed: seed, assets: assets, albums: albums, people: people)
  }
}
