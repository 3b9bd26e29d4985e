import FileScan
import Foundation

/// The count keys of DESIGN.md § Counts manifest, in the order reports list them.
public enum CountKey {
  public static let assets = [
    "assets", "assets.active", "assets.trashed", "assets.offline", "assets.images", "assets.videos",
    "assets.external", "assets.uploaded", "assets.archived", "assets.favorites",
    "assets.with-description", "assets.with-location",
  ]
  public static let all =
    assets + [
      "albums", "albums.shared", "album-assets", "people", "people.named", "people.hidden", "faces",
      "faces.assigned", "tags", "tag-assets", "stacks", "memories", "shared-links", "users", "libraries",
    ]
}

/// Counts under their keys, in report order.
public struct Counts: Sendable, Equatable {
  public private(set) var entries: [(key: String, value: Int)] = []

  public init() {}

  public init(_ entries: [(String, Int)]) {
    for (key, value) in entries { self[key] = value }
  }

  public static func == (lhs: Counts, rhs: Counts) -> Bool {
    lhs.entries.elementsEqual(rhs.entries) { $0.key == $1.key && $0.value == $1.value }
  }

  public subscript(key: String) -> Int? {
    get { entries.first { $0.key == key }?.value }
    set {
      if let index = entries.firstIndex(where: { $0.key == key }) {
        if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
      } else if let newValue {
        entries.append((key, newValue))
      }
    }
  }

  public var keys: [String] { entries.map(\.key) }

  mutating func add(_ other: Counts) {
    for (key, value) in other.entries { self[key] = (self[key] ?? 0) + value }
  }

  public var json: JSONValue { .object(entries.map { ($0.key, .int($0.value)) }) }
}

/// Where a manifest or report was read from.
public struct DatabaseDescription: Sendable, Equatable {
  public var target: String
  public var serverVersion: String
  public var immichVersion: String?
  public var schema: String
  public var readOnly: Bool

  public init(target: String, serverVersion: String, immichVersion: String?, schema: String, readOnly: Bool = true) {
    self.target = target
    self.serverVersion = serverVersion
    self.immichVersion = immichVersion
    self.schema = schema
    self.readOnly = readOnly
  }

  public var json: JSONValue {
    .object([
      ("target", .string(target)), ("serverVersion", .string(serverVersion)),
      ("immichVersion", .optional(immichVersion)), ("schema", .string(schema)), ("readOnly", .bool(readOnly)),
    ])
  }
}

/// The metadata counts of one database (DESIGN.md § Counts manifest, a contract).
public struct CountsManifest: Sendable, Equatable {
  public struct Owner: Sendable, Equatable {
    public var id: String
    public var email: String?
    public var counts: Counts
    public var newestAssetCreatedAt: String?
  }

  public struct Library: Sendable, Equatable {
    /// A library id, or `upload` for assets without a library.
    public var id: String
    public var name: String?
    public var counts: Counts
  }

  public static let version = 1

  public var takenAt: String
  public var database: DatabaseDescription
  public var counts: Counts
  public var byOwner: [Owner]
  public var byLibrary: [Library]
  public var newestAssetCreatedAt: String?

  public var json: JSONValue {
    .object([
      ("manifestVersion", .int(Self.version)),
      ("takenAt", .string(takenAt)),
      ("database", database.json),
      ("counts", counts.json),
      (
        "byOwner",
        .object(
          byOwner.map { owner in
            (
              owner.id,
              .object([
                ("email", .optional(owner.email)), ("counts", owner.counts.json),
                ("newestAssetCreatedAt", .optional(owner.newestAssetCreatedAt)),
              ])
            )
          })
      ),
      (
        "byLibrary",
        .object(
          byLibrary.map { library in
            (library.id, .object([("name", .optional(library.name)), ("counts", library.counts.json)]))
          })
      ),
      ("newestAssetCreatedAt", .optional(newestAssetCreatedAt)),
    ])
  }

  /// Reads a saved manifest; the error says what is wrong with it.
  public init(json: JSONValue) throws(ManifestError) {
    guard case .object = json else { throw ManifestError("not a JSON object") }
    guard let versionValue = json["manifestVersion"] else {
      throw ManifestError(
        "no manifestVersion: not an immich-audit counts manifest (make one with `immich-audit counts --format json`)")
    }
    guard let version = versionValue.intValue else {
      let shown = versionValue.stringValue.map { "the string \"\($0)\"" } ?? versionValue.renderedCompact()
      throw ManifestError(
        "manifestVersion is \(shown), not a number: expected \"manifestVersion\": \(Self.version) (was the file "
          + "edited by hand?)"
      )
    }
    guard version == Self.version else {
      throw ManifestError(
        "manifestVersion \(version) is not supported (this immich-audit reads version \(Self.version))")
    }
    func counts(_ value: JSONValue?, _ place: String) throws(ManifestError) -> Counts {
      guard let members = value?.objectMembers else { throw ManifestError("\(place): counts missing or not an object") }
      var result = Counts()
      for (key, value) in members {
        guard let number = value.intValue else { throw ManifestError("\(place): count \(key) is not an integer") }
        result[key] = number
      }
      // Report order: known keys first, in the contract's order.
      var ordered = Counts()
      for key in CountKey.all { if let v = result[key] { ordered[key] = v } }
      for key in result.keys where ordered[key] == nil { ordered[key] = result[key] }
      return ordered
    }
    let database = json["database"]
    self.takenAt = json["takenAt"]?.stringValue ?? ""
    self.database = DatabaseDescription(
      target: database?["target"]?.stringValue ?? "", serverVersion: database?["serverVersion"]?.stringValue ?? "",
      immichVersion: database?["immichVersion"]?.stringValue, schema: database?["schema"]?.stringValue ?? "",
      readOnly: true)
    self.counts = try counts(json["counts"], "counts")
    var owners: [Owner] = []
    for (id, value) in json["byOwner"]?.objectMembers ?? [] {
      owners.append(
        Owner(
          id: id, email: value["email"]?.stringValue, counts: try counts(value["counts"], "byOwner.\(id)"),
          newestAssetCreatedAt: value["newestAssetCreatedAt"]?.stringValue))
    }
    var libraries: [Library] = []
    for (id, value) in json["byLibrary"]?.objectMembers ?? [] {
      libraries.append(
        Library(id: id, name: value["name"]?.stringValue, counts: try counts(value["counts"], "byLibrary.\(id)")))
    }
    self.byOwner = owners
    self.byLibrary = libraries
    self.newestAssetCreatedAt = json["newestAssetCreatedAt"]?.stringValue
  }

  public init(
    takenAt: String, database: DatabaseDescription, counts: Counts, byOwner: [Owner], byLibrary: [Library],
    newestAssetCreatedAt: String?
  ) {
    self.takenAt = takenAt
    self.database = database
    self.counts = counts
    self.byOwner = byOwner
    self.byLibrary = byLibrary
    self.newestAssetCreatedAt = newestAssetCreatedAt
  }

  /// Reads a manifest file.
  public init(contentsOf url: URL) throws(ManifestError) {
    let data: Data
    do {
      data = Data(try PlainFile.read(url.path))
    } catch {
      throw ManifestError("\(url.path): cannot read it (\(error))")
    }
    let json: JSONValue
    do {
      json = try JSONValue.parse(data)
    } catch {
      throw ManifestError("\(url.path): not valid JSON")
    }
    do {
      try self.init(json: json)
    } catch {
      throw ManifestError("\(url.path): \(error.description)")
    }
  }
}

public struct ManifestError: Error, CustomStringConvertible, Sendable {
  public let description: String
  init(_ description: String) { self.description = description }
}

/// Timestamps as the contract writes them: UTC ISO-8601.
public enum Timestamp {
  public static func now() -> String { format(Date()) }

  public static func format(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
  }

  /// PostgreSQL's text form of a timestamptz in time zone UTC (`2024-06-10 12:34:56.123456+00`)
  /// as ISO-8601 (`2024-06-10T12:34:56.123456Z`).
  public static func fromPostgres(_ text: String) -> String {
    var value = text.replacingOccurrences(of: " ", with: "T")
    if value.hasSuffix("+00") {
      value.removeLast(3)
      value += "Z"
    }
    return value
  }

  /// What `fromPostgres` makes of the server's text for a `timestamptz` (ISO DateStyle, UTC),
  /// from the value a binary COPY sends (microseconds since 2000-01-01 UTC): the seconds, the
  /// fraction without its trailing zeros (none when it is zero), "Z". nil outside the years
  /// 1–9999, where the server's text takes other forms (" BC", five-digit years).
  public static func iso8601(microsecondsSince2000 value: Int64) -> String? {
    let perDay: Int64 = 86_400_000_000
    var (days, rest) = value.quotientAndRemainder(dividingBy: perDay)
    if rest < 0 {
      rest += perDay
      days -= 1
    }
    // The civil date of a day number (Howard Hinnant's civil_from_days); 2000-01-01 is day
    // 10,957 after 1970-01-01, and the algorithm counts from 0000-03-01.
    let shifted = days + 10_957 + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthFromMarch = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
    let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    guard (1...9999).contains(year) else { return nil }
    func padded(_ number: Int64, _ width: Int) -> String {
      let digits = String(number)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    let (seconds, micros) = rest.quotientAndRemainder(dividingBy: 1_000_000)
    var text =
      "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))T\(padded(seconds / 3600, 2)):"
      + "\(padded(seconds / 60 % 60, 2)):\(padded(seconds % 60, 2))"
    if micros != 0 {
      var fraction = padded(micros, 6)
      while fraction.hasSuffix("0") { fraction.removeLast() }
      text += "." + fraction
    }
    return text + "Z"
  }

  public static func parse(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime]
    if let date = formatter.date(from: text) { return date }
    // Microseconds: ISO8601DateFormatter accepts at most milliseconds.
    if let dot = text.firstIndex(of: "."),
      let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
    {
      let fraction = Double("0" + text[dot..<zone]) ?? 0
      if let whole = formatter.date(from: String(text[..<dot]) + String(text[zone...])) {
        return whole.addingTimeInterval(fraction)
      }
    }
    return nil
  }
}
