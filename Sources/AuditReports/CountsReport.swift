import AuditCore

/// `counts`'s text output: the manifest as aligned tables.
public enum CountsReport {
  static let shortNames: [String: String] = [
    "assets": "assets", "assets.active": "active", "assets.trashed": "trashed", "assets.offline": "offline",
    "assets.images": "images", "assets.videos": "videos", "assets.external": "external",
    "assets.uploaded": "uploaded", "assets.archived": "archived", "assets.favorites": "favorites",
    "assets.with-description": "described", "assets.with-location": "located",
  ]

  public static func render(_ manifest: CountsManifest) -> String {
    var output = header(manifest.database, takenAt: manifest.takenAt)
    output += "Newest asset created: \(manifest.newestAssetCreatedAt ?? "none")\n\n"
    var table = TextTable(header: ["COUNT", "VALUE"], rightAligned: [1])
    for (key, value) in manifest.counts.entries { table.rows.append([key, String(value)]) }
    output += table.rendered()
    output += "\nBy owner\n"
    output += scopeTable(manifest.byOwner.map { ($0.email ?? $0.id, $0.counts) }, label: "OWNER")
    output += "\nBy library\n"
    output += scopeTable(
      manifest.byLibrary.map { ($0.id == "upload" ? "(uploads)" : ($0.name ?? $0.id), $0.counts) }, label: "LIBRARY")
    return output
  }

  static func header(_ database: DatabaseDescription, takenAt: String) -> String {
    "Database: \(DisplayText.escaped(database.target.isEmpty ? "(libpq defaults)" : database.target))\n"
      + "PostgreSQL \(database.serverVersion), Immich "
      + "\(DisplayText.escaped(database.immichVersion ?? "version unknown (no version_history)")), schema "
      + "\(database.schema)\n"
      + "Taken at: \(takenAt)\n"
  }

  static func scopeTable(_ rows: [(String, Counts)], label: String) -> String {
    let keys = CountKey.assets
    var table = TextTable(header: [label] + keys.map { shortNames[$0] ?? $0 }, rightAligned: Set(1...keys.count))
    for (name, counts) in rows {
      table.rows.append([name] + keys.map { counts[$0].map(String.init) ?? "-" })
    }
    return table.rendered()
  }
}
