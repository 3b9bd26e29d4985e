import Foundation
import PostgresClient

/// What `explain` shows of the database side: where the paths point and a few examples of each.
public struct DatabaseOverview: Sendable {
  public struct Library: Sendable {
    public let id: String
    public let name: String
    public let ownerId: String
    public let importPaths: [String]
    public let exclusionPatterns: [String]
    public let deleted: Bool
  }

  public struct PathPrefix: Sendable {
    public let prefix: String
    public let external: Bool
    public let assets: Int
  }

  public struct SamplePath: Sendable {
    /// `original`, `preview`, `thumbnail`, `fullsize`, `sidecar`, `encoded-video`,
    /// `person-thumbnail`, `profile-image`.
    public let kind: String
    public let id: String
    public let path: String
  }

  /// `system_metadata` `MediaLocation` (v1.136+), if set.
  public let mediaLocation: String?
  public let pathPrefixes: [PathPrefix]
  public let libraries: [Library]
  public let samples: [SamplePath]
}

extension ImmichDatabase {
  /// Reads the overview; `samplesPerKind` paths of each kind. With `prefixesOnlyIfNeeded`, the
  /// original-path prefixes (a scan of every asset row) are read only when no `MediaLocation`
  /// says where the media folders are.
  public func overview(samplesPerKind: Int = 3, prefixesOnlyIfNeeded: Bool = false) throws(AuditError)
    -> DatabaseOverview
  {
    var mediaLocation: String?
    if schema.hasMediaLocation {
      mediaLocation = try rows("media-location").first?[0]
    }
    let prefixes =
      prefixesOnlyIfNeeded && mediaLocation != nil
      ? []
      : try rows("path-prefixes").map {
        DatabaseOverview.PathPrefix(prefix: $0[0] ?? "(none)", external: $0.bool(1) ?? false, assets: $0.int(2) ?? 0)
      }
    let libraries = try rows("libraries").map { row in
      DatabaseOverview.Library(
        id: row[0] ?? "", name: row[1] ?? "", ownerId: row[2] ?? "",
        importPaths: Self.jsonStrings(row[3]), exclusionPatterns: Self.jsonStrings(row[4]),
        deleted: row.bool(5) ?? false)
    }
    let limit = String(samplesPerKind)
    var samples: [DatabaseOverview.SamplePath] = []
    samples += try rows("sample-originals", [limit]).map { .init(kind: "original", id: $0[0] ?? "", path: $0[1] ?? "") }
    // Older databases keep some paths as asset columns; newer ones as asset_file rows.
    for column in schema.assetPathColumns {
      samples += try rows("sample-asset-path-columns", [limit], substituting: ["sidecarPath": column]).map {
        .init(kind: ReferencedFile.Kind.assetColumns[column]?.rawValue ?? column, id: $0[1] ?? "", path: $0[2] ?? "")
      }
    }
    if schema.hasAssetFileTable {
      samples += try rows("sample-asset-files", [limit]).map {
        .init(
          kind: ReferencedFile.Kind(assetFileType: $0[0] ?? "")?.rawValue ?? ($0[0] ?? ""), id: $0[1] ?? "",
          path: $0[2] ?? "")
      }
    }
    samples += try rows("sample-person-thumbnails", [limit]).map {
      .init(kind: "person-thumbnail", id: $0[0] ?? "", path: $0[1] ?? "")
    }
    samples += try rows("sample-profile-images", [limit]).map {
      .init(kind: "profile-image", id: $0[0] ?? "", path: $0[1] ?? "")
    }
    return DatabaseOverview(
      mediaLocation: mediaLocation, pathPrefixes: prefixes, libraries: libraries, samples: samples)
  }

  static func jsonStrings(_ text: String?) -> [String] {
    guard let text, let data = text.data(using: .utf8), let value = try? JSONValue.parse(data),
      case .array(let items) = value
    else { return [] }
    return items.compactMap(\.stringValue)
  }
}
