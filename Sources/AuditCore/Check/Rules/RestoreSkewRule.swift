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
    throws(AuditError) -> (finding: Finding, assets: Int)?
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
      // As the server wrote it: only the first and the last become ISO-8601 below.
      run.append((text(1) ?? "", text(2) ?? ""))
    }
    guard run.count >= 2, let first = run.first, let last = run.last else { return nil }
    let newest = (owner: first.owner, createdAt: Timestamp.fromPostgres(first.createdAt))
    let oldest = (owner: last.owner, createdAt: Timestamp.fromPostgres(last.createdAt))
    var byOwner: [String: Int] = [:]
    for asset in run { byOwner[asset.owner, default: 0] += 1 }
    var finding = Finding(
      kind: .restoreSkew, path: Array(upload.0.utf8), hostPath: upload.1,
      detail:
        "the \(run.count) newest uploaded assets (created \(oldest.createdAt) to \(newest.createdAt)) all have no "
        + "original: the file backup predates the database. Restore the upload folder from a file backup taken "
        + "after \(newest.createdAt), or these uploads are lost")
    finding.members = [
      ("window", .object([("from", .string(oldest.createdAt)), ("to", .string(newest.createdAt))])),
      ("assets", .int(run.count)),
      ("byOwner", .object(byOwner.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
    ]
    return (finding, run.count)
  }
}
