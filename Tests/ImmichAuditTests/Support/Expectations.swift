import Foundation

/// What the fixtures hold (see Tests/Fixtures/generate.py): the same logical data set on every
/// generation, so these numbers are known by construction, not read back from the tool.
enum Fixture {
  static let generations = ["immich-v1.106", "immich-v1.123", "immich-v2.5", "immich-v3.1"]

  static let admin = "11111111-1111-4111-8111-111111111111"
  static let bob = "22222222-2222-4222-8222-222222222222"
  static let gone = "33333333-3333-4333-8333-333333333333"
  static let nasLibrary = "aaaaaaaa-0000-4000-8000-000000000001"
  static let oldLibrary = "aaaaaaaa-0000-4000-8000-000000000002"

  /// Schema generation id the tool must report, and the Immich version (newest version_history).
  static let schema: [String: (generation: String, version: String?)] = [
    "immich-v1.106": ("v1.106", nil),
    "immich-v1.123": ("v1.116", "1.123.0"),
    "immich-v2.5": ("v2.5", "2.5.6"),
    "immich-v3.1": ("v3.0", "3.1.0"),
  ]

  /// Every count key, overall.
  static func counts(_ generation: String) -> [String: Int] {
    // Faces gained deletedAt in v1.127: on older fixtures the soft-deleted face is a plain row.
    let hasFaceDeletedAt = generation == "immich-v2.5" || generation == "immich-v3.1"
    return [
      "assets": 10, "assets.active": 7, "assets.trashed": 3, "assets.offline": 1, "assets.images": 8,
      "assets.videos": 2, "assets.external": 3, "assets.uploaded": 7, "assets.archived": 1,
      "assets.favorites": 2, "assets.with-description": 2, "assets.with-location": 2,
      "albums": 2, "albums.shared": 1, "album-assets": 5,
      "people": 3, "people.named": 2, "people.hidden": 1,
      "faces": hasFaceDeletedAt ? 5 : 6, "faces.assigned": hasFaceDeletedAt ? 3 : 4,
      "tags": 2, "tag-assets": 3, "stacks": 1, "memories": 1, "shared-links": 2, "users": 2, "libraries": 1,
    ]
  }

  static let assetKeys = [
    "assets", "assets.active", "assets.trashed", "assets.offline", "assets.images", "assets.videos",
    "assets.external", "assets.uploaded", "assets.archived", "assets.favorites",
    "assets.with-description", "assets.with-location",
  ]

  static func assetCounts(_ values: [Int]) -> [String: Int] {
    Dictionary(uniqueKeysWithValues: zip(assetKeys, values))
  }

  /// assets, active, trashed, offline, images, videos, external, uploaded, archived, favorites,
  /// described, located.
  static let byOwner: [String: [String: Int]] = [
    admin: assetCounts([7, 5, 2, 1, 5, 2, 2, 5, 1, 1, 1, 1]),
    bob: assetCounts([3, 2, 1, 0, 3, 0, 1, 2, 0, 1, 1, 1]),
    gone: assetCounts([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
  ]

  static let byLibrary: [String: [String: Int]] = [
    "upload": assetCounts([6, 5, 1, 0, 5, 1, 0, 6, 1, 2, 2, 2]),
    nasLibrary: assetCounts([3, 2, 1, 1, 2, 1, 2, 1, 0, 0, 0, 0]),
    oldLibrary: assetCounts([1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0]),
  ]

  static let newestAssetCreatedAt = "2024-06-01T10:10:00.123456Z"
  static let adminNewest = "2024-05-02T09:02:00Z"
}

/// JSON from the tool's stdout, as a user's script would read it.
func parseJSON(_ text: String) throws -> [String: Any] {
  guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
    throw CocoaError(.coderReadCorrupt)
  }
  return object
}

func intCounts(_ value: Any?) -> [String: Int] {
  guard let dictionary = value as? [String: Any] else { return [:] }
  return dictionary.compactMapValues { ($0 as? NSNumber)?.intValue ?? ($0 as? Int) }
}
