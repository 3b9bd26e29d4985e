import Foundation
import PostgresClient

/// Builds the libpq keywords for a run from `--db`, Immich's `.env` and the session defaults.
///
/// Precedence per keyword: `--db` > `--immich-env` > libpq's environment (`PGHOST`, `PGPASSWORD`,
/// `PGSERVICE`, `.pgpass`, …), which libpq applies itself to every keyword not given here.
/// Immich's own defaults (host `database`, user `postgres`) are deliberately not applied: they
/// name the container network, not the machine the audit runs on.
public struct ConnectionConfiguration: Sendable {
  public var database: String?
  public var immichEnv: DotEnv?
  public var environment: [String: String]

  public init(database: String?, immichEnv: DotEnv?, environment: [String: String]) {
    self.database = database
    self.immichEnv = immichEnv
    self.environment = environment
  }

  /// The keywords to connect with; throws on a conninfo string that libpq rejects.
  public func parameters() throws(ConfigurationError) -> ConnectionParameters {
    var parameters = ConnectionParameters([("fallback_application_name", "immich-audit")])
    if let immichEnv {
      do {
        parameters.append(contentsOf: try Self.parameters(fromImmichEnv: immichEnv))
      } catch let error as DotEnvError {
        throw .unreadableInput(error.description)
      } catch let error as PostgresError {
        throw .invalidConnectionString("DB_URL in \(immichEnv.directory?.path ?? ".env"): \(error.message)")
      } catch {
        throw .unreadableInput("\(error)")
      }
    }
    if let database {
      do {
        parameters.append(contentsOf: try ConnectionParameters.parse(database))
      } catch {
        throw .invalidConnectionString("--db: \(error.message)")
      }
    }
    parameters.setDefault("connect_timeout", "10", unlessEnvironment: "PGCONNECT_TIMEOUT", environment: environment)
    return parameters
  }

  /// Immich's variables: `DB_URL` wins over the separate `DB_*` variables, as in Immich itself.
  static func parameters(fromImmichEnv env: DotEnv) throws -> ConnectionParameters {
    if let url = try env.value("DB_URL") {
      return try ConnectionParameters.parse(url)
    }
    var result = ConnectionParameters()
    let mapping = [("DB_HOSTNAME", "host"), ("DB_PORT", "port"), ("DB_USERNAME", "user"), ("DB_PASSWORD", "password"), ("DB_DATABASE_NAME", "dbname")]
    for (variable, keyword) in mapping {
      if let value = try env.value(variable) { result.set(keyword, value) }
    }
    return result
  }

  /// Every secret the user gave, so that no message can print one: passwords from `--db` and the
  /// `.env` (also when they do not parse), and `PGPASSWORD`.
  public func secrets() -> [String] {
    var secrets: [String] = []
    if let password = environment["PGPASSWORD"] { secrets.append(password) }
    if let database { secrets += Redactor.secretsIn(conninfo: database) }
    if let immichEnv {
      for key in ["DB_PASSWORD", "DB_URL"] {
        if let value = try? immichEnv.value(key) {
          secrets += key == "DB_URL" ? Redactor.secretsIn(conninfo: value) : [value]
        }
      }
    }
    return secrets.filter { !$0.isEmpty }
  }
}

public enum ConfigurationError: Error, CustomStringConvertible, Sendable {
  /// Judged before any I/O: a usage error (exit 64).
  case invalidConnectionString(String)
  /// An input file that cannot be read or parsed (exit 2).
  case unreadableInput(String)

  public var description: String {
    switch self {
    case .invalidConnectionString(let message): return "invalid connection string: \(message)"
    case .unreadableInput(let message): return message
    }
  }
}

/// Removes secrets from any text before it is printed.
public struct Redactor: Sendable {
  public private(set) var secrets: [String]

  public init(secrets: [String] = []) {
    // Longest first, so a secret that contains another is masked whole.
    self.secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
  }

  public func redact(_ text: String) -> String {
    var result = text
    for secret in secrets {
      result = result.replacingOccurrences(of: secret, with: "***")
      // libpq and URIs may show a secret percent-encoded.
      if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != secret {
        result = result.replacingOccurrences(of: encoded, with: "***")
      }
    }
    return result
  }

  /// Password values in a conninfo string or URI, found both by libpq's parser and by pattern, so
  /// that even a string libpq rejects cannot leak its password in the error that reports it.
  public static func secretsIn(conninfo: String) -> [String] {
    var found: [String] = []
    if let parsed = try? ConnectionParameters.parse(conninfo) { found += parsed.secretValues }
    // URI user info: scheme://user:password@host
    if let schemeEnd = conninfo.range(of: "://") {
      let rest = conninfo[schemeEnd.upperBound...]
      let authority = rest.prefix { $0 != "/" && $0 != "?" }
      if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
        let raw = String(authority[authority.index(after: colon)..<at])
        found.append(raw)
        if let decoded = raw.removingPercentEncoding { found.append(decoded) }
      }
      // ?password=… in the query part
      if let query = rest.firstIndex(of: "?") {
        for item in rest[rest.index(after: query)...].split(separator: "&") where item.hasPrefix("password=") {
          let raw = String(item.dropFirst("password=".count))
          found.append(raw)
          if let decoded = raw.removingPercentEncoding { found.append(decoded) }
        }
      }
    }
    // key=value form, also when malformed: the word after `password` and an optional `=`.
    let words = conninfo.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
    for (index, word) in words.enumerated() {
      let lower = word.lowercased()
      if lower.hasPrefix("password=") {
        var value = String(word.dropFirst("password=".count))
        if value.isEmpty, index + 1 < words.count { value = words[index + 1] }
        found.append(value.trimmingCharacters(in: CharacterSet(charactersIn: "'")))
      } else if lower == "password", index + 1 < words.count {
        let next = words[index + 1]
        if next == "=", index + 2 < words.count {
          found.append(words[index + 2].trimmingCharacters(in: CharacterSet(charactersIn: "'")))
        } else {
          found.append(next.hasPrefix("=") ? String(next.dropFirst()) : next)
        }
      }
    }
    return found.filter { !$0.isEmpty && $0 != "=" }
  }
}
