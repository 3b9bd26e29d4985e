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
        let url = (try? immichEnv.value("DB_URL")) ?? ""
        throw .invalidConnectionString(
          "DB_URL in \(immichEnv.directory?.path ?? ".env"): \(Redactor.parseError(error.message, conninfo: url))")
      } catch {
        throw .unreadableInput("\(error)")
      }
    }
    if let database {
      do {
        parameters.append(contentsOf: try ConnectionParameters.parse(database))
      } catch {
        throw .invalidConnectionString("--db: \(Redactor.parseError(error.message, conninfo: database))")
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
    let mapping = [
      ("DB_HOSTNAME", "host"), ("DB_PORT", "port"), ("DB_USERNAME", "user"), ("DB_PASSWORD", "password"),
      ("DB_DATABASE_NAME", "dbname"),
    ]
    for (variable, keyword) in mapping {
      if let value = try env.value(variable) { result.set(keyword, value) }
    }
    return result
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

/// Passwords out of the conninfo strings and URIs the tool prints. The password *value* is
/// replaced where a conninfo or URI is shown; other text is never searched for a password's
/// characters (a password `postgres` must not turn `/var/run/postgresql` into `/var/run/***ql`).
/// Reports name their target from libpq's parsed keywords without the secret ones
/// (`ConnectionParameters.redactedDescription`), so only libpq's own parse errors, which quote
/// what they could not parse, need this.
public enum Redactor {
  /// libpq's message about a conninfo it rejected, with the password taken out of every copy of
  /// the conninfo it quotes and out of a quoted word that is the password.
  public static func parseError(_ message: String, conninfo: String) -> String {
    let trimmed = conninfo.trimmingCharacters(in: .whitespacesAndNewlines)
    var result = message
    if !trimmed.isEmpty { result = result.replacingOccurrences(of: trimmed, with: redacted(conninfo: trimmed)) }
    for secret in secretsIn(conninfo: trimmed) {
      result = result.replacingOccurrences(of: "\"\(secret)\"", with: "\"***\"")
    }
    return result
  }

  /// The conninfo string or URI with each password value replaced by `***`: the URI's
  /// `user:password@`, a `password=` query parameter, a `password=value` pair (quoted or not).
  public static func redacted(conninfo: String) -> String {
    var text = conninfo
    if let schemeEnd = text.range(of: "://") {
      let authorityEnd = text[schemeEnd.upperBound...].firstIndex { $0 == "/" || $0 == "?" } ?? text.endIndex
      let authority = text[schemeEnd.upperBound..<authorityEnd]
      if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
        text.replaceSubrange(text.index(after: colon)..<at, with: "***")
      }
      return text.replacing(/([?&]password=)[^&]*/.ignoresCase(), with: { "\($0.output.1)***" })
    }
    return text.replacing(
      /\b(password(?:\s*=\s*|\s+))('(?:[^'\\]|\\.)*'?|[^\s']+)/.ignoresCase(), with: { "\($0.output.1)***" })
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
