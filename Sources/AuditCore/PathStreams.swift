import CompactStore
import Foundation
import PostgresClient

extension ImmichDatabase {
  /// Columns of queries/paths-originals.sql.
  enum OriginalColumn {
    static let assetId = 0, ownerId = 1, libraryId = 2, path = 3, trashed = 4, offline = 5, deletedStatus = 6
    static let pathHashed = 7, checksum = 8, fileName = 9, createdAt = 10, external = 11
  }

  /// The rows of queries/paths-originals.sql as libpq holds them (columns: `OriginalColumn`),
  /// for a reader that copies nothing it does not keep.
  func streamOriginalRows(_ body: (RowView) throws -> Void) throws(AuditError) {
    try copyStream("paths-originals", body)
  }

  /// The recorded size of each original that has one (queries/paths-sizes.sql): column 0 the
  /// asset, 1 `fileSizeInByte`.
  func streamSizeRows(_ body: (RowView) throws -> Void) throws(AuditError) {
    try copyStream("paths-sizes", body)
  }
}

/// Files other than originals that the database references (their rows stream straight into
/// the index: `streamReferencedFileRows`).
public enum ReferencedFile {
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
}

extension ImmichDatabase {
  /// The same rows as libpq holds them: column 0 the asset (person, user), 1 its owner, and the
  /// path in column `pathColumn`.
  func streamReferencedFileRows(_ body: (ReferencedFile.Kind, RowView, _ pathColumn: Int) throws -> Void)
    throws(AuditError)
  {
    var sources:
      [(name: String, replacements: [String: String], kind: (RowView) -> ReferencedFile.Kind?, pathColumn: Int)] = []
    for column in schema.assetPathColumns {
      sources.append(
        ("paths-asset-columns", ["sidecarPath": column], { _ in ReferencedFile.Kind.assetColumns[column] }, 2))
    }
    if schema.hasAssetFileTable {
      sources.append(("paths-asset-files", [:], { row in ReferencedFile.Kind(assetFileType: row) }, 3))
    }
    sources.append(("paths-person-thumbnails", [:], { _ in .personThumbnail }, 2))
    sources.append(("paths-profile-images", [:], { _ in .profileImage }, 2))
    for source in sources {
      try copyStream(source.name, substituting: source.replacements) { row in
        // An asset_file type this tool does not know is skipped rather than misfiled.
        guard let kind = source.kind(row) else { return }
        try body(kind, row, source.pathColumn)
      }
    }
  }
}

extension ReferencedFile.Kind {
  static let previewType = Array("preview".utf8), thumbnailType = Array("thumbnail".utf8),
    fullsizeType = Array("fullsize".utf8)
  static let sidecarType = Array("sidecar".utf8), encodedVideoType = Array("encoded_video".utf8)

  /// The `asset_file.type` in column 2, read without making a String.
  init?(assetFileType row: RowView) {
    let kind = row.withBytes(2) { bytes -> ReferencedFile.Kind? in
      guard let bytes else { return nil }
      switch bytes.count {
      case 7 where Self.previewType.withUnsafeBytes({ Bytes.equal($0, bytes) }): return .preview
      case 9 where Self.thumbnailType.withUnsafeBytes({ Bytes.equal($0, bytes) }): return .thumbnail
      case 8 where Self.fullsizeType.withUnsafeBytes({ Bytes.equal($0, bytes) }): return .fullsize
      case 7 where Self.sidecarType.withUnsafeBytes({ Bytes.equal($0, bytes) }): return .sidecar
      case 13 where Self.encodedVideoType.withUnsafeBytes({ Bytes.equal($0, bytes) }): return .encodedVideo
      default: return nil
      }
    }
    guard let kind else { return nil }
    self = kind
  }
}
