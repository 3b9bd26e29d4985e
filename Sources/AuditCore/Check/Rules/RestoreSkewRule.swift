import FileScan
import Foundation
import PostgresClient

/// The report's restore point and `restore-skew` (DESIGN.md § What hangs on a finding): when
/// the newest uploaded assets all lack their original, the file backup is older than the
/// database, and uploads made between the two are lost unless a later file backup has them.
enum RestoreSkewRule {
  /// `restore-skew` when the newest N ≥ 2 uploaded, not trashed assets (by `createdAt`, then
  /// id) are each a `missing-original` (`missing`: those assets' ids); N is the longest such
  /// run, ended by the first asset whose original is not missing. `upload`: the media upload
  /// folder's container and host path, the finding's path.
  static func finding(_ database: ImmichDatabase, missing: Set<String>, upload: (String, [UInt8]))
    throws(AuditError) -> Finding?
  {
    guard missing.count >= 2 else { return nil }
    var run: [(owner: String, createdAt: String)] = []
    var ended = false
    try database.stream("newest-uploads", [String(missing.count + 1)]) { row in
      func text(_ column: Int) -> String? { row.bytes(column).map { String(decoding: $0, as: UTF8.self) } }
      guard !ended else { return }
      guard let id = text(0), missing.contains(id) else {
        ended = true
        return
      }
      run.append((text(1) ?? "", text(2).map(Timestamp.fromPostgres) ?? ""))
    }
    guard run.count >= 2, let newest = run.first, let oldest = run.last else { return nil }
    var byOwner: [String: Int] = [:]
    for asset in run { byOwner[asset.owner, default: 0] += 1 }
    var finding = Finding(
      kind: .restoreSkew, path: Array(upload.0.utf8), hostPath: upload.1,
      detail:
        "the \(run.count) newest uploaded assets (created \(oldest.createdAt) to \(newest.createdAt)) all have no "
        + "original: the file backup predates the database. Restore the upload folder from a file backup taken "
        + "after \(newest.createdAt), or these uploads are lost")
    finding.facts = [
      ("window", .object([("from", .string(oldest.createdAt)), ("to", .string(newest.createdAt))])),
      ("assets", .int(run.count)),
      ("byOwner", .object(byOwner.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
    ]
    return finding
  }

  /// The newest database dump in the `backups` folder by the time its name carries (nil: none,
  /// or the folder did not answer within `timeout`): `immich-db-backup-<yyyymmdd>T<hhmmss>-v…-pg….sql.gz`,
  /// or `immich-db-backup-<epoch milliseconds>.sql.gz` from older releases.
  static func newestDump(in folder: [UInt8], timeout: Double?) -> String? {
    let listing = ParallelWalker.collect(folder, threads: 1, sizes: false, timeout: timeout) { _, _ in false }
    guard !listing.timedOut else { return nil }
    var newest: (time: Date, name: String)?
    for entry in listing.entries where entry.kind == .file {
      let name = String(decoding: entry.relativePath, as: UTF8.self)
      guard let time = dumpTime(name) else { continue }
      if newest.map({ time > $0.time || (time == $0.time && name > $0.name) }) ?? true { newest = (time, name) }
    }
    return newest?.name
  }

  /// The time a dump's file name carries, if it is one of Immich's dump names.
  static func dumpTime(_ name: String) -> Date? {
    let prefix = "immich-db-backup-"
    let suffix = ".sql.gz"
    guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count > prefix.count + suffix.count else { return nil }
    let body = name.dropFirst(prefix.count).dropLast(suffix.count)
    if body.allSatisfy(\.isASCIIDigit), let milliseconds = Double(body) {
      return Date(timeIntervalSince1970: milliseconds / 1000)
    }
    // yyyymmddThhmmss-v<version>-pg<version>
    let parts = body.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[1].hasPrefix("v"), parts[2].hasPrefix("pg") else { return nil }
    let stamp = Array(parts[0])
    guard stamp.count == 15, stamp[8] == "T",
      stamp.enumerated().allSatisfy({ $0.offset == 8 || $0.element.isASCIIDigit })
    else { return nil }
    var components = DateComponents()
    components.timeZone = TimeZone(identifier: "UTC")
    func number(_ range: Range<Int>) -> Int { Int(String(stamp[range]))! }
    (components.year, components.month, components.day) = (number(0..<4), number(4..<6), number(6..<8))
    (components.hour, components.minute, components.second) = (number(9..<11), number(11..<13), number(13..<15))
    return Calendar(identifier: .gregorian).date(from: components)
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
