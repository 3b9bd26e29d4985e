/// The shape of an Immich database, decided by catalog probes (research/immich-schema.md §0),
/// never by `version_history`: restored databases are often started on another release.
///
/// Supported: every release from v1.106.0 to v3.1. Features are probed one by one, and the SQL in
/// `queries/` is chosen and renamed per feature, so a database that mixes eras still reads right.
public struct ImmichSchema: Sendable {
  /// Table name → its columns, for schema `public`.
  public let tables: [String: Set<String>]
  /// Tables have the plural names of Immich ≤ v1.135 (`assets`, `albums`, `users`, …).
  public let pluralNames: Bool
  /// Join tables use `albumsId`/`assetsId`/… (before v2.3).
  public let oldJoinColumns: Bool
  /// Previews, thumbnails (v1.113+) and later sidecars and encoded videos are `asset_file` rows.
  public let hasAssetFileTable: Bool
  /// Path columns still on the asset row, of `previewPath`, `thumbnailPath`, `sidecarPath`,
  /// `encodedVideoPath`, in that order.
  public let assetPathColumns: [String]
  public let hasStatus: Bool
  public let hasVisibility: Bool
  public let hasFaceDeletedAt: Bool
  public let hasChecksumAlgorithm: Bool
  /// The album owner is an `album_user` row with role `owner` (v3.0+), not `album.ownerId`.
  public let albumOwnerInAlbumUser: Bool
  public let hasVersionHistory: Bool
  public let hasMediaLocation: Bool
  /// The structure's generation id: the newest release boundary (see `boundaries`) whose
  /// structure this database has, e.g. `v2.7` for v2.7.0 – v2.7.x.
  public let generation: String
  /// What each probe found, for `explain`.
  public let probes: [Probe]
  /// Oddities worth a line on stderr (a structure that mixes eras).
  public let warnings: [String]

  public struct Probe: Sendable {
    public let release: String
    public let question: String
    public let answer: Bool
  }

  /// Current (v3.1) table names → names before v1.136 (migration StandardizeNames).
  static let pluralTableNames: [String: String] = [
    "asset": "assets", "asset_file": "asset_files", "asset_exif": "exif", "asset_face": "asset_faces",
    "stack": "asset_stack", "album": "albums", "album_asset": "albums_assets_assets",
    "album_user": "albums_shared_users_users", "library": "libraries", "user": "users", "tag": "tags",
    "tag_closure": "tags_closure", "memory": "memories", "memory_asset": "memories_assets_assets",
    "shared_link": "shared_links", "shared_link_asset": "shared_link__asset", "partner": "partners",
    "session": "sessions", "api_key": "api_keys",
  ]

  /// Join-table columns renamed in v2.3 (migration FixColumnNames), by current table name.
  static let oldJoinColumnNames: [String: [String: String]] = [
    "album_asset": ["albumId": "albumsId", "assetId": "assetsId"],
    "album_user": ["albumId": "albumsId", "userId": "usersId"],
    "memory_asset": ["assetId": "assetsId"],
    "shared_link_asset": ["assetId": "assetsId", "sharedLinkId": "sharedLinksId"],
    "tag_asset": ["assetId": "assetsId", "tagId": "tagsId"],
  ]

  /// Columns every supported release has, by current table name. A missing one means this is
  /// not Immich, or not a release this tool reads.
  static let requiredColumns: [(table: String, columns: [String])] = [
    (
      "asset",
      [
        "id", "ownerId", "libraryId", "originalPath", "type", "checksum", "isExternal", "isOffline",
        "isFavorite", "deletedAt", "createdAt", "duplicateId",
      ]
    ),
    ("asset_exif", ["assetId", "description", "latitude", "longitude", "fileSizeInByte"]),
    ("user", ["id", "email", "deletedAt", "profileImagePath"]),
    ("library", ["id", "name", "ownerId", "importPaths", "exclusionPatterns", "deletedAt"]),
    ("album", ["id", "deletedAt"]),
    ("album_asset", ["albumId", "assetId"]),
    ("album_user", ["albumId", "userId", "role"]),
    ("person", ["id", "name", "isHidden", "thumbnailPath"]),
    ("asset_face", ["id", "assetId", "personId"]),
    ("tag", ["id"]),
    ("tag_asset", ["assetId", "tagId"]),
    ("stack", ["id"]),
    ("memory", ["id"]),
    ("shared_link", ["id"]),
  ]

  /// The table's name in this database.
  public func tableName(_ current: String) -> String {
    pluralNames ? (Self.pluralTableNames[current] ?? current) : current
  }

  /// The join column's name in this database.
  public func columnName(_ column: String, ofTable current: String) -> String {
    oldJoinColumns ? (Self.oldJoinColumnNames[current]?[column] ?? column) : column
  }

  public func has(table current: String) -> Bool { tables[tableName(current)] != nil }

  public func has(column: String, in current: String) -> Bool {
    tables[tableName(current)]?.contains(columnName(column, ofTable: current)) ?? false
  }

  /// Decides the schema from every (table, column) pair in schema `public`.
  public static func detect(catalog: [(table: String, column: String)]) throws(SchemaError) -> ImmichSchema {
    var tables: [String: Set<String>] = [:]
    for entry in catalog { tables[entry.table, default: []].insert(entry.column) }
    return try detect(tables: tables)
  }

  public static func detect(tables: [String: Set<String>]) throws(SchemaError) -> ImmichSchema {
    let plural: Bool
    switch (tables["asset"] != nil, tables["assets"] != nil) {
    case (true, _): plural = false
    case (false, true): plural = true
    case (false, false):
      throw SchemaError(
        "no Immich tables in schema public (looked for table asset or assets; found \(Self.describe(tables))): is "
          + "this the Immich database?"
      )
    }
    func table(_ current: String) -> String { plural ? (pluralTableNames[current] ?? current) : current }
    let assetColumns = tables[table("asset")] ?? []
    if !assetColumns.contains("duplicateId") {
      throw SchemaError(
        "found table \(table("asset")) without column duplicateId: Immich older than v1.106? Start the database once "
          + "on Immich v1.106 or newer, then audit it"
      )
    }
    let albumAsset = tables[table("album_asset")] ?? []
    let oldJoins = albumAsset.contains("albumsId") && !albumAsset.contains("albumId")
    for (current, columns) in requiredColumns {
      let name = table(current)
      guard let present = tables[name] else {
        throw SchemaError(
          "found table \(table("asset")) but no table \(name), which every Immich from v1.106 to v3.1 has: not an "
            + "Immich database, or an incomplete restore"
        )
      }
      for column in columns {
        let actual = oldJoins ? (oldJoinColumnNames[current]?[column] ?? column) : column
        if !present.contains(actual) {
          throw SchemaError(
            "found table \(name) without column \(actual), which every Immich from v1.106 to v3.1 has: not an Immich "
              + "database, or an incomplete restore"
          )
        }
      }
    }
    let hasVisibility = assetColumns.contains("visibility")
    if !hasVisibility && !assetColumns.contains("isArchived") {
      throw SchemaError(
        "found table \(table("asset")) with neither column visibility (Immich v1.133+) nor isArchived (before "
          + "v1.133): not a schema this tool knows"
      )
    }
    let assetFile = tables[table("asset_file")]
    let pathColumns = ["previewPath", "thumbnailPath", "sidecarPath", "encodedVideoPath"].filter(assetColumns.contains)
    if assetFile == nil && !(pathColumns.contains("previewPath") && pathColumns.contains("thumbnailPath")) {
      throw SchemaError(
        "found table \(table("asset")) with neither table \(table("asset_file")) (Immich v1.113+) nor columns "
          + "previewPath and thumbnailPath (v1.101–v1.112): not a schema this tool knows"
      )
    }
    let faceColumns = tables[table("asset_face")] ?? []
    let albumColumns = tables[table("album")] ?? []

    let probes: [Probe] = [
      Probe(
        release: "v1.113", question: "table \(table("asset_file")) holds previews and thumbnails",
        answer: assetFile != nil),
      Probe(release: "v1.116", question: "\(table("asset")).status exists", answer: assetColumns.contains("status")),
      Probe(
        release: "v1.127", question: "\(table("asset_face")).deletedAt exists",
        answer: faceColumns.contains("deletedAt")),
      Probe(release: "v1.133", question: "\(table("asset")).visibility replaces isArchived", answer: hasVisibility),
      Probe(release: "v1.136", question: "singular table names (asset, album, user)", answer: !plural),
      Probe(release: "v2.3", question: "join columns albumId/assetId (not albumsId/assetsId)", answer: !oldJoins),
      Probe(
        release: "v2.4", question: "sidecars are asset_file rows (no \(table("asset")).sidecarPath)",
        answer: assetFile != nil && !assetColumns.contains("sidecarPath")),
      Probe(
        release: "v2.5", question: "\(table("asset_file")).isEdited exists",
        answer: assetFile?.contains("isEdited") ?? false),
      Probe(
        release: "v2.6", question: "encoded videos are asset_file rows (no \(table("asset")).encodedVideoPath)",
        answer: assetFile != nil && !assetColumns.contains("encodedVideoPath")),
      Probe(
        release: "v2.7", question: "\(table("asset")).checksumAlgorithm exists",
        answer: assetColumns.contains("checksumAlgorithm")),
      Probe(
        release: "v3.0", question: "album owner is an album_user row (no \(table("album")).ownerId)",
        answer: !albumColumns.contains("ownerId")),
    ]
    var generation = "v1.106"
    var warnings: [String] = []
    var inPrefix = true
    for probe in probes {
      if probe.answer && inPrefix {
        generation = probe.release
      } else if !probe.answer {
        inPrefix = false
      } else {
        warnings.append(
          "the schema mixes Immich generations: \(probe.question) (\(probe.release)), yet it lacks an older change; "
            + "reading each feature as found"
        )
      }
    }
    return ImmichSchema(
      tables: tables, pluralNames: plural, oldJoinColumns: oldJoins, hasAssetFileTable: assetFile != nil,
      assetPathColumns: pathColumns, hasStatus: assetColumns.contains("status"), hasVisibility: hasVisibility,
      hasFaceDeletedAt: faceColumns.contains("deletedAt"),
      hasChecksumAlgorithm: assetColumns.contains("checksumAlgorithm"),
      albumOwnerInAlbumUser: !albumColumns.contains("ownerId"), hasVersionHistory: tables["version_history"] != nil,
      hasMediaLocation: tables["system_metadata"] != nil, generation: generation, probes: probes, warnings: warnings
    )
  }

  private static func describe(_ tables: [String: Set<String>]) -> String {
    if tables.isEmpty { return "no tables" }
    let names = tables.keys.sorted()
    let shown = names.prefix(5).joined(separator: ", ")
    return names.count > 5 ? "\(names.count) tables: \(shown), …" : "tables \(shown)"
  }
}

/// The database is not an Immich schema this tool reads.
public struct SchemaError: Error, CustomStringConvertible, Sendable {
  public let description: String
  init(_ description: String) { self.description = description }
}
