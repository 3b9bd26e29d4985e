import CompactStore
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
  /// `newest`: the newest uploads kept while the originals were read (`NewestUploads`), and the
  /// ids' overflow list; the database is asked again only when the run reaches past them.
  static func finding(
    _ database: ImmichDatabase, newest: (uploads: NewestUploads, ids: CompactID.Overflow), missing: Set<String>,
    upload: (String, [UInt8])
  ) throws(AuditError) -> (finding: Finding, assets: Int)? {
    guard missing.count >= 2 else { return nil }
    var run: [(owner: String, createdAt: String)] = []
    let kept = newest.uploads.newestFirst(ids: newest.ids)
    for upload in kept ?? [] {
      guard missing.contains(upload.id) else { break }
      run.append((upload.owner, upload.createdAt))
    }
    if kept == nil || run.count == NewestUploads.kept {
      // The run may go on past the uploads kept: the database orders them all.
      run = []
      var ended = false
      try database.stream("newest-uploads", [String(missing.count + 1)]) { row in
        func text(_ column: Int) -> String? { row.bytes(column).map { String(decoding: $0, as: UTF8.self) } }
        guard !ended else { return }
        guard let id = text(0), missing.contains(id) else {
          ended = true
          return
        }
        run.append((text(1) ?? "", Timestamp.fromPostgres(text(2) ?? "")))
      }
    }
    guard run.count >= 2, let first = run.first, let last = run.last else { return nil }
    let newest = (owner: first.owner, createdAt: first.createdAt)
    let oldest = (owner: last.owner, createdAt: last.createdAt)
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

/// The newest uploaded assets not in the trash (by `createdAt`, then id, both descending, as
/// queries/newest-uploads.sql orders them), kept while the originals are read: the rule then
/// needs no second scan of every asset unless the run of missing originals reaches past them.
struct NewestUploads: Sendable {
  /// How many are kept: a run of missing newest uploads longer than this asks the database.
  static let kept = 64

  struct Upload: Sendable {
    let createdAt: Int64
    let id: CompactID
    let owner: CompactID

    /// The server's order (ascending): `createdAt`, then the uuid's bytes.
    func precedes(_ other: Upload) -> Bool {
      (createdAt, id.high, id.low) < (other.createdAt, other.id.high, other.id.low)
    }
  }

  /// The newest `kept` so far, as a heap with the oldest of them on top. Not a sorted list:
  /// rows mostly come in the order they were created, so nearly every row is the newest yet.
  private var heap: [Upload] = []
  /// An upload whose `createdAt` could not be read (NULL, infinity, not a timestamp): the kept
  /// ones are then no answer.
  private var unreadable = false

  /// One asset row that is an upload not in the trash.
  mutating func offer(createdAt: Int64?, id: CompactID, owner: CompactID) {
    guard let createdAt else {
      unreadable = true
      return
    }
    let upload = Upload(createdAt: createdAt, id: id, owner: owner)
    if heap.count < Self.kept {
      heap.append(upload)
      var child = heap.count - 1
      while child > 0, heap[child].precedes(heap[(child - 1) / 2]) {
        heap.swapAt(child, (child - 1) / 2)
        child = (child - 1) / 2
      }
    } else if heap[0].precedes(upload) {
      heap[0] = upload
      var parent = 0
      while true {
        var smallest = parent
        for child in (2 * parent + 1)...(2 * parent + 2)
        where child < heap.count && heap[child].precedes(heap[smallest]) {
          smallest = child
        }
        if smallest == parent { break }
        heap.swapAt(parent, smallest)
        parent = smallest
      }
    }
  }

  /// The kept uploads, newest first, with their ids, owners and `createdAt` as the report
  /// writes them; nil when they are no answer (a `createdAt` unreadable or outside years 1–9999).
  func newestFirst(ids: CompactID.Overflow) -> [(id: String, owner: String, createdAt: String)]? {
    guard !unreadable else { return nil }
    var list: [(id: String, owner: String, createdAt: String)] = []
    for upload in heap.sorted(by: { $1.precedes($0) }) {
      guard let createdAt = Timestamp.iso8601(microsecondsSince2000: upload.createdAt) else { return nil }
      list.append((upload.id.string(ids) ?? "", upload.owner.string(ids) ?? "", createdAt))
    }
    return list
  }
}
