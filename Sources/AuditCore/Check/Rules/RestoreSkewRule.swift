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
    _ database: ImmichDatabase, newest: (uploads: NewestUploads, ids: CompactID.Overflow), missing: Set<CompactID>,
    upload: (String, [UInt8])
  ) throws(AuditError) -> (finding: Finding, assets: Int)? {
    guard missing.count >= 2 else { return nil }
    var run = Run()
    // The index's overflow list, which an owner read below may join (`compactID`, as the loader reads ids).
    var ids = newest.ids
    let kept = newest.uploads.newestFirst()
    for upload in kept ?? [] {
      guard missing.contains(upload.id) else { break }
      if run.count == 0 { run.newest = upload.createdAt }
      run.oldest = upload.createdAt
      run.add(owner: upload.owner)
    }
    if kept == nil || run.count == NewestUploads.kept {
      // The run may go on past the uploads kept: the database orders them all. An upload
      // folder restored without its files makes that every upload: a row makes no strings.
      run = Run()
      var ended = false
      var oldest: [UInt8] = []
      try database.stream("newest-uploads", [String(missing.count + 1)]) { row in
        guard !ended else { return }
        guard let (high, low) = row.uuid(0), missing.contains(CompactID(high: high, low: low)) else {
          ended = true
          return
        }
        row.withBytes(2) { createdAt in
          oldest.removeAll(keepingCapacity: true)
          if let createdAt { oldest.append(contentsOf: createdAt) }
        }
        if run.count == 0 { run.newest = Timestamp.fromPostgres(String(decoding: oldest, as: UTF8.self)) }
        run.add(owner: FilesystemAudit.compactID(row, 1, &ids))
      }
      run.oldest = Timestamp.fromPostgres(String(decoding: oldest, as: UTF8.self))
    }
    guard run.count >= 2 else { return nil }
    let byOwner = run.byOwner.map { (owner: $0.key.string(ids) ?? "", assets: $0.value) }
    var finding = Finding(
      kind: .restoreSkew, path: Array(upload.0.utf8), hostPath: upload.1,
      detail:
        "the \(run.count) newest uploaded assets (created \(run.oldest) to \(run.newest)) all have no "
        + "original: the file backup predates the database. Restore the upload folder from a file backup taken "
        + "after \(run.newest), or these uploads are lost")
    finding.members = [
      ("window", .object([("from", .string(run.oldest)), ("to", .string(run.newest))])),
      ("assets", .int(run.count)),
      ("byOwner", .object(byOwner.sorted { $0.owner < $1.owner }.map { ($0.owner, .int($0.assets)) })),
    ]
    return (finding, run.count)
  }

  /// The newest uploads found missing, newest first: how many, their ends' `createdAt` as the
  /// report writes them, and how many per owner.
  private struct Run {
    var count = 0
    var newest = ""
    var oldest = ""
    var byOwner: [CompactID: Int] = [:]

    mutating func add(owner: CompactID) {
      count += 1
      byOwner[owner, default: 0] += 1
    }
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

  /// The kept uploads, newest first, with their `createdAt` as the report writes it; nil when
  /// they are no answer (a `createdAt` unreadable or outside years 1–9999).
  func newestFirst() -> [(id: CompactID, owner: CompactID, createdAt: String)]? {
    guard !unreadable else { return nil }
    var list: [(id: CompactID, owner: CompactID, createdAt: String)] = []
    for upload in heap.sorted(by: { $1.precedes($0) }) {
      guard let createdAt = Timestamp.iso8601(microsecondsSince2000: upload.createdAt) else { return nil }
      list.append((upload.id, upload.owner, createdAt))
    }
    return list
  }
}
