import Foundation
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

/// A file other than an original that the database references.
public struct ReferencedFile: Sendable {
  public enum Kind: String, Sendable, CaseIterable {
    case preview, thumbnail, fullsize, sidecar
    case encodedVideo = "encoded-video"
    case personThumbnail = "person-thumbnail"
    case profileImage = "profile-image"
  }

  public let kind: Kind
  /// The asset, person or user the file belongs to.
  public let ownerRowId: String
  public let ownerId: String
  public let path: [UInt8]
}

extension ImmichDatabase {
  /// Streams every referenced derivative, sidecar, person thumbnail and profile image, from
  /// wherever this generation keeps them (asset columns, asset_file rows).
  public func streamReferencedFiles(_ body: (ReferencedFile) throws -> Void) throws(AuditError) {
    let columnKinds: [String: ReferencedFile.Kind] = [
      "previewPath": .preview, "thumbnailPath": .thumbnail, "sidecarPath": .sidecar, "encodedVideoPath": .encodedVideo,
    ]
    var sources: [(name: String, replacements: [String: String], kind: (RowView) -> ReferencedFile.Kind?, pathColumn: Int)] = []
    for column in schema.assetPathColumns {
      sources.append(("paths-asset-columns", ["sidecarPath": column], { _ in columnKinds[column] }, 2))
    }
    if schema.hasAssetFileTable {
      sources.append(("paths-asset-files", [:], { row in
        (row.string(2)?.replacingOccurrences(of: "_", with: "-")).flatMap(ReferencedFile.Kind.init(rawValue:))
      }, 3))
    }
    sources.append(("paths-person-thumbnails", [:], { _ in .personThumbnail }, 2))
    sources.append(("paths-profile-images", [:], { _ in .profileImage }, 2))
    for source in sources {
      let sql = queries.sql(source.name, substituting: source.replacements)
      executed.append((source.replacements.isEmpty ? source.name : "\(source.name) (\(source.replacements.values.joined()))", sql))
      do {
        try connection.stream(sql) { row in
          // An asset_file type this tool does not know is skipped rather than misfiled.
          guard let kind = source.kind(row) else { return }
          try body(ReferencedFile(kind: kind, ownerRowId: row.string(0) ?? "", ownerId: row.string(1) ?? "", path: row.bytes(source.pathColumn) ?? []))
        }
      } catch {
        throw AuditError.database(error, during: "running queries/\(source.name).sql")
      }
    }
  }
}
