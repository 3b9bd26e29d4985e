/// An error from libpq or the server, with a message fit for a user.
///
/// `description` never contains connection details such as a password (postgres-nio's rule); the
/// server's primary message, detail and hint are kept apart so callers can phrase their own advice.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
  public enum Code: Sendable, Equatable {
    case invalidConnectionString
    case connectionRefused
    case hostNotFound
    case timeout
    case authenticationFailed
    case passwordMissing
    case databaseMissing
    case roleMissing
    case accessRejected
    case connectionFailed
    case connectionLost
    case permissionDenied
    case undefinedTable
    case undefinedColumn
    case queryCanceled
    case lockTimeout
    case readOnlyViolation
    case server
    case client
  }

  public var code: Code
  public var message: String
  public var sqlState: String?
  public var detail: String?
  public var hint: String?

  public init(_ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil) {
    self.code = code
    self.message = message
    self.sqlState = sqlState
    self.detail = detail
    self.hint = hint
  }

  public var description: String { message }

  /// Classifies the text libpq gives for a failed connection. Connection-time errors carry no
  /// SQLSTATE through libpq 15, so the wording is what there is.
  static func classifyConnectionFailure(_ text: String) -> Code {
    let lower = text.lowercased()
    if lower.contains("password authentication failed") || lower.contains("authentication failed") {
      return .authenticationFailed
    }
    if lower.contains("no password supplied") { return .passwordMissing }
    if lower.contains("database") && lower.contains("does not exist") { return .databaseMissing }
    if lower.contains("role") && lower.contains("does not exist") { return .roleMissing }
    if lower.contains("no pg_hba.conf entry") { return .accessRejected }
    if lower.contains("connection refused") || lower.contains("no such file or directory") {
      return .connectionRefused
    }
    if lower.contains("could not translate host name") || lower.contains("name or service not known") {
      return .hostNotFound
    }
    if lower.contains("timeout expired") { return .timeout }
    return .connectionFailed
  }

  static func classify(sqlState: String?) -> Code {
    switch sqlState {
    case "42501": return .permissionDenied
    case "42P01": return .undefinedTable
    case "42703": return .undefinedColumn
    case "57014": return .queryCanceled
    case "55P03": return .lockTimeout
    case "25006": return .readOnlyViolation
    case let state? where state.hasPrefix("08"): return .connectionLost
    case "57P01", "57P02", "57P03": return .connectionLost
    default: return .server
    }
  }
}
