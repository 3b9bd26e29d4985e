import PostgresClient

/// One asset's original file as the database records it (queries/paths-originals.sql).
public struct OriginalRecord: Sendable {
  public let assetId: String
  public let ownerId: String
  public let libraryId: String?
  /// The path as stored, exact bytes.
  public let path: [UInt8]
  /// In the trash: `deletedAt` set (trashed, offline, or queued for deletion).
  public let trashed: Bool
  public let offline: Bool
  /// `active`, `trashed` or `deleted` (`active` before Immich v1.116 had the column).
  public let status: String
  /// The checksum is `sha1("path:" + originalPath)`, not a hash of the content.
  public let pathHashed: Bool
  /// SHA-1, lower-case hex.
  public let checksum: String
  /// `asset_exif.fileSizeInByte`; nil means no size check.
  public let size: Int64?
  public let fileName: String
}

extension ImmichDatabase {
  /// Streams every asset's original, in bounded memory (single-row mode).
  public func streamOriginals(_ body: (OriginalRecord) throws -> Void) throws(AuditError) {
    let sql = queries.sql("paths-originals")
    executed.append(("paths-originals", sql))
    do {
      try connection.stream(sql) { row in
        try body(OriginalRecord(
          assetId: row.string(0) ?? "", ownerId: row.string(1) ?? "", libraryId: row.string(2),
          path: row.bytes(3) ?? [], trashed: row.string(4) == "t", offline: row.string(5) == "t",
          status: row.string(6) ?? "active", pathHashed: row.string(7) == "t", checksum: row.string(8) ?? "",
          size: row.string(9).flatMap { Int64($0) }, fileName: row.string(10) ?? ""))
      }
    } catch {
      throw AuditError.database(error, during: "running queries/paths-originals.sql")
    }
  }
}
