import CLibPQ
import Foundation

/// An ordered list of libpq connection keywords and values.
///
/// Order matters the way it does for `PQconnectdbParams`: a keyword given twice keeps its last
/// value, so callers append sources from the weakest to the strongest. Keywords that are not
/// given are left to libpq, which then applies its own environment (`PGHOST`, `PGPASSWORD`,
/// `PGSERVICE`, `.pgpass`, …) exactly as `psql` does.
public struct ConnectionParameters: Sendable, Equatable {
  public private(set) var pairs: [(keyword: String, value: String)]

  public init(_ pairs: [(keyword: String, value: String)] = []) {
    self.pairs = pairs
  }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.pairs.elementsEqual(rhs.pairs) { $0.keyword == $1.keyword && $0.value == $1.value }
  }

  /// The value the connection would use for `keyword` from these pairs (not from the environment).
  public subscript(keyword: String) -> String? {
    pairs.last { $0.keyword == keyword }?.value
  }

  public mutating func set(_ keyword: String, _ value: String) {
    pairs.removeAll { $0.keyword == keyword }
    pairs.append((keyword, value))
  }

  /// Sets `keyword` only when neither these pairs nor `environmentVariable` give it a value.
  public mutating func setDefault(
    _ keyword: String, _ value: String, unlessEnvironment environmentVariable: String?, environment: [String: String]
  ) {
    if self[keyword] != nil { return }
    if let environmentVariable, let env = environment[environmentVariable], !env.isEmpty { return }
    pairs.append((keyword, value))
  }

  public mutating func append(contentsOf other: ConnectionParameters) {
    for pair in other.pairs { set(pair.keyword, pair.value) }
  }

  /// Parses what a user gives `psql`: a `key=value` conninfo string, a `postgresql://` URI, or a
  /// bare database name. Only what the string says is returned; no defaults are filled in.
  public static func parse(_ conninfo: String) throws(PostgresError) -> ConnectionParameters {
    let trimmed = conninfo.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty { return ConnectionParameters() }
    let isURI = trimmed.hasPrefix("postgresql://") || trimmed.hasPrefix("postgres://")
    if !isURI && !trimmed.contains("=") {
      // psql treats a lone word as the database name.
      return ConnectionParameters([("dbname", trimmed)])
    }
    var errorMessage: UnsafeMutablePointer<CChar>?
    guard let options = PQconninfoParse(trimmed, &errorMessage) else {
      var message = "invalid connection string"
      if let errorMessage {
        message = String(cString: errorMessage).trimmingCharacters(in: .whitespacesAndNewlines)
        PQfreemem(errorMessage)
      }
      throw PostgresError(.invalidConnectionString, message)
    }
    defer { PQconninfoFree(options) }
    var result = ConnectionParameters()
    var option = options
    while let keyword = option.pointee.keyword {
      if let value = option.pointee.val {
        result.pairs.append((String(cString: keyword), String(cString: value)))
      }
      option += 1
    }
    return result
  }

  /// Keywords whose values libpq marks as secret (`dispchar == "*"`): today `password`, but
  /// asking libpq keeps up with whatever it adds.
  public static let secretKeywords: Set<String> = {
    var secrets: Set<String> = ["password"]
    guard let defaults = PQconndefaults() else { return secrets }
    defer { PQconninfoFree(defaults) }
    var option = defaults
    while let keyword = option.pointee.keyword {
      if let dispchar = option.pointee.dispchar, dispchar.pointee == UInt8(ascii: "*") {
        secrets.insert(String(cString: keyword))
      }
      option += 1
    }
    return secrets
  }()

  /// Values that must never be printed.
  public var secretValues: [String] {
    pairs.filter { Self.secretKeywords.contains($0.keyword) && !$0.value.isEmpty }.map(\.value)
  }

  /// `keyword=value` pairs for display, secrets left out.
  public var redactedDescription: String {
    pairs.filter { !Self.secretKeywords.contains($0.keyword) }
      .map { "\($0.keyword)=\(Self.quoteForDisplay($0.value))" }
      .joined(separator: " ")
  }

  static func quoteForDisplay(_ value: String) -> String {
    if !value.isEmpty && !value.contains(where: { $0 == " " || $0 == "'" || $0 == "\\" }) { return value }
    return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
  }
}
