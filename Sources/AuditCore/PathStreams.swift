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
    try stream("paths-originals") { row in
      try body(OriginalRecord(
        assetId: row.string(0) ?? "", ownerId: row.string(1) ?? "", libraryId: row.string(2),
        path: row.bytes(3) ?? [], trashed: row.bool(4), offline: row.bool(5),
        status: row.string(6) ?? "active", pathHashed: row.bool(7), checksum: row.string(8) ?? "",
        size: row.string(9).flatMap { Int64($0) }, fileName: row.string(10) ?? ""))
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

    /// Path columns older Immich kept on the asset row, and what each holds.
    public static let assetColumns: [String: Kind] = [
      "previewPath": .preview, "thumbnailPath": .thumbnail, "sidecarPath": .sidecar, "encodedVideoPath": .encodedVideo,
    ]

    /// An `asset_file.type` (`encoded_video` → `.encodedVideo`); nil for a type this tool does not know.
    public init?(assetFileType: String) {
      self.init(rawValue: assetFileType.replacingOccurrences(of: "_", with: "-"))
    }
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
    var sources: [(name: String, replacements: [String: String], kind: (RowView) -> ReferencedFile.Kind?, pathColumn: Int)] = []
    for column in schema.assetPathColumns {
      sources.append(("paths-asset-columns", ["sidecarPath": column], { _ in ReferencedFile.Kind.assetColumns[column] }, 2))
    }
    if schema.hasAssetFileTable {
      sources.append(("paths-asset-files", [:], { row in row.string(2).flatMap(ReferencedFile.Kind.init(assetFileType:)) }, 3))
    }
    sources.append(("paths-person-thumbnails", [:], { _ in .personThumbnail }, 2))
    sources.append(("paths-profile-images", [:], { _ in .profileImage }, 2))
    for source in sources {
      try stream(source.name, substituting: source.replacements) { row in
        // An asset_file type this tool does not know is skipped rather than misfiled.
        guard let kind = source.kind(row) else { return }
        try body(ReferencedFile(kind: kind, ownerRowId: row.string(0) ?? "", ownerId: row.string(1) ?? "", path: row.bytes(source.pathColumn) ?? []))
      }
    }
  }
}
