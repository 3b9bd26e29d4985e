import AuditCore
import Foundation

/// `sample`'s formats: text for a person at a terminal, JSON for scripts, Markdown as a
/// checklist ("- [ ] …") to tick off in Immich's web UI. Strings from the database are escaped
/// as in every other report (DisplayText; Markdown code spans and cells).
public enum SampleReportFormat: String, CaseIterable, Sendable {
  case text, json, markdown

  public func render(_ sample: SpotCheckSample) -> String {
    switch self {
    case .text: return Self.text(sample)
    case .json: return JSONValue.object(Self.json(sample)).rendered(indent: 0) + "\n"
    case .markdown: return Self.markdown(sample)
    }
  }

  /// What the UI should show of an asset, as phrases.
  static func facts(_ asset: SpotCheckSample.Asset, escape: (String) -> String) -> [String] {
    var facts: [String] = []
    facts.append("albums: " + (asset.albums.isEmpty ? "none" : asset.albums.map(escape).joined(separator: ", ")))
    facts.append("people: " + (asset.people.isEmpty ? "none" : asset.people.map(escape).joined(separator: ", ")))
    facts.append("description: " + (asset.description.map { "\"\(escape($0))\"" } ?? "none"))
    if let latitude = asset.latitude, let longitude = asset.longitude {
      facts.append("location: \(latitude), \(longitude)")
    } else {
      facts.append("location: none")
    }
    facts.append(asset.favorite ? "favorite" : "not a favorite")
    return facts
  }

  static func presence(_ exists: Bool?) -> String {
    switch exists {
    case true?: return "file here"
    case false?: return "FILE MISSING"
    case nil: return "file not checked (no answer in time, or unreadable)"
    }
  }

  static func owner(_ email: String?) -> String { email ?? "(unknown owner)" }

  static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

  static func text(_ sample: SpotCheckSample) -> String {
    let e = DisplayText.escaped
    var out = "immich-audit sample (seed \(sample.seed)): open each in Immich's web UI and compare\n\nAssets:\n"
    if sample.assets.isEmpty { out += "  (no asset outside the trash)\n" }
    for asset in sample.assets {
      out += "  \(e(asset.path))\n"
      out += "    asset \(asset.id), owner \(e(owner(asset.ownerEmail))); \(presence(asset.exists))"
      if asset.hostPath != Array(asset.path.utf8) { out += " (host \(ReportPath.escaped(asset.hostPath)))" }
      out += "\n    " + facts(asset, escape: e).joined(separator: "; ") + "\n"
    }
    out += "\nLargest albums:\n"
    if sample.albums.isEmpty { out += "  (none)\n" }
    for album in sample.albums {
      out +=
        "  \(e(album.name)) (album \(album.id), owner \(e(owner(album.ownerEmail)))): \(count(album.assets, "asset"))\n"
    }
    out += "\nPeople with the most faces:\n"
    if sample.people.isEmpty { out += "  (none)\n" }
    for person in sample.people {
      let name = person.name.isEmpty ? "(unnamed)" : e(person.name)
      out +=
        "  \(name)\(person.hidden ? " [hidden]" : "") (person \(person.id), owner \(e(owner(person.ownerEmail)))): "
        + "\(count(person.faces, "face"))\n"
    }
    return out
  }

  static func markdown(_ sample: SpotCheckSample) -> String {
    let cell = MarkdownReport.cell
    var out = "## immich-audit spot check (seed \(sample.seed))\n\nOpen each in Immich's web UI and tick it off.\n"
    out += "\n### Assets\n\n"
    if sample.assets.isEmpty { out += "No asset outside the trash.\n" }
    for asset in sample.assets {
      out +=
        "- [ ] \(MarkdownReport.code(asset.path)) (owner \(cell(owner(asset.ownerEmail)))): "
        + "\(presence(asset.exists)); " + facts(asset, escape: cell).joined(separator: "; ") + "\n"
    }
    out += "\n### Largest albums\n\n"
    if sample.albums.isEmpty { out += "No album.\n" }
    for album in sample.albums {
      out += "- [ ] **\(cell(album.name))** (owner \(cell(owner(album.ownerEmail)))): \(count(album.assets, "asset"))\n"
    }
    out += "\n### People with the most faces\n\n"
    if sample.people.isEmpty { out += "No person.\n" }
    for person in sample.people {
      let name = person.name.isEmpty ? "(unnamed)" : cell(person.name)
      out +=
        "- [ ] **\(name)**\(person.hidden ? " (hidden)" : "") (owner \(cell(owner(person.ownerEmail)))): "
        + "\(count(person.faces, "face"))\n"
    }
    return out
  }

  static func json(_ sample: SpotCheckSample) -> [(String, JSONValue)] {
    [
      ("sampleVersion", .int(1)),
      ("seed", .int(Int(truncatingIfNeeded: sample.seed))),
      (
        "assets",
        .array(
          sample.assets.map { asset in
            var members: [(String, JSONValue)] = [
              ("id", .string(asset.id)), ("ownerId", .string(asset.ownerId)),
              ("ownerEmail", .optional(asset.ownerEmail)),
            ]
            members += ReportJSON.paths(Array(asset.path.utf8), asset.hostPath)
            members += [
              ("exists", asset.exists.map { .bool($0) } ?? .null),
              ("albums", .array(asset.albums.map { .string($0) })),
              ("people", .array(asset.people.map { .string($0) })),
              ("description", .optional(asset.description)),
              (
                "location",
                asset.latitude.flatMap { latitude in
                  asset.longitude.map { .object([("latitude", .double(latitude)), ("longitude", .double($0))]) }
                } ?? .null
              ),
              ("favorite", .bool(asset.favorite)),
            ]
            return .object(members)
          })
      ),
      (
        "albums",
        .array(
          sample.albums.map {
            .object([
              ("id", .string($0.id)), ("name", .string($0.name)), ("ownerEmail", .optional($0.ownerEmail)),
              ("assets", .int($0.assets)),
            ])
          })
      ),
      (
        "people",
        .array(
          sample.people.map {
            .object([
              ("id", .string($0.id)), ("name", .string($0.name)), ("hidden", .bool($0.hidden)),
              ("ownerEmail", .optional($0.ownerEmail)), ("faces", .int($0.faces)),
            ])
          })
      ),
    ]
  }
}
