import CLibPQ
import Glibc

/// One libpq connection. Not `Sendable`: a `PGconn` must not be used from two threads at once.
/// Use `canceller()` to stop a running query from another thread or a signal handler.
public final class Connection {
  private let raw: OpaquePointer

  private init(raw: OpaquePointer) {
    self.raw = raw
  }

  deinit {
    PQfinish(raw)
  }

  /// Connects with exactly these keywords (no `expand_dbname`: callers parse strings first with
  /// `ConnectionParameters.parse`, so a keyword's precedence is its position in the list).
  public static func connect(_ parameters: ConnectionParameters) throws(PostgresError) -> Connection {
    let keywords: [UnsafeMutablePointer<CChar>?] = parameters.pairs.map { strdup($0.keyword) } + [nil]
    let values: [UnsafeMutablePointer<CChar>?] = parameters.pairs.map { strdup($0.value) } + [nil]
    defer {
      keywords.forEach { free($0) }
      values.forEach { free($0) }
    }
    let keywordPointers: [UnsafePointer<CChar>?] = keywords.map { $0.map { UnsafePointer($0) } }
    let valuePointers: [UnsafePointer<CChar>?] = values.map { $0.map { UnsafePointer($0) } }
    let connection: OpaquePointer? = keywordPointers.withUnsafeBufferPointer { keywordBuffer in
      valuePointers.withUnsafeBufferPointer { valueBuffer in
        PQconnectdbParams(keywordBuffer.baseAddress, valueBuffer.baseAddress, 0)
      }
    }
    guard let connection else {
      throw PostgresError(.client, "out of memory while connecting")
    }
    guard PQstatus(connection) == CONNECTION_OK else {
      let text = lastError(connection)
      PQfinish(connection)
      throw PostgresError(PostgresError.classifyConnectionFailure(text), text)
    }
    return Connection(raw: connection)
  }

  /// `server_version` as the server reports it, e.g. `15.18 (Debian 15.18-0+deb12u1)`.
  public var serverVersion: String {
    guard let value = PQparameterStatus(raw, "server_version") else { return "unknown" }
    return String(cString: value)
  }

  /// The options libpq actually used (after its environment and defaults), secrets left out.
  public var effectiveParameters: ConnectionParameters {
    var result = ConnectionParameters()
    guard let options = PQconninfo(raw) else { return result }
    defer { PQconninfoFree(options) }
    var option = options
    while let keyword = option.pointee.keyword {
      let name = String(cString: keyword)
      let isSecret = option.pointee.dispchar.map { $0.pointee == UInt8(ascii: "*") } ?? false
      if let value = option.pointee.val, !isSecret {
        result.set(name, String(cString: value))
      }
      option += 1
    }
    return result
  }

  /// Runs a statement whose result is small (a handful of rows) and returns it whole.
  @discardableResult
  public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> [Row] {
    var rows: [Row] = []
    try stream(sql, parameters) { row in rows.append(Row(copying: row)) }
    return rows
  }

  /// Streams a result one row at a time in single-row mode, so memory stays bounded however many
  /// rows come back. `body` sees each row once; the row's storage is reused afterwards.
  public func stream(
    _ sql: String, _ parameters: [String?] = [],
    _ body: (RowView) throws -> Void
  ) throws(PostgresError) {
    let sent = withParameterArrays(parameters) { values, count in
      PQsendQueryParams(raw, sql, count, nil, values, nil, nil, 0)
    }
    guard sent == 1 else {
      throw PostgresError(.connectionLost, "could not send the query: \(Self.lastError(raw))")
    }
    guard PQsetSingleRowMode(raw) == 1 else {
      drain()
      throw PostgresError(.client, "could not switch to single-row mode")
    }
    var failure: PostgresError?
    var bodyError: (any Error)?
    while let result = PQgetResult(raw) {
      defer { PQclear(result) }
      switch PQresultStatus(result) {
      case PGRES_SINGLE_TUPLE:
        guard failure == nil, bodyError == nil else { continue }
        do {
          try body(RowView(result: result))
        } catch {
          bodyError = error
          // Stop the server from sending the rest; the remaining results are drained below.
          cancelRunningQuery()
        }
      case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
        break
      default:
        if failure == nil && bodyError == nil { failure = Self.error(from: result, connection: raw) }
      }
    }
    if let bodyError {
      if let error = bodyError as? PostgresError { throw error }
      throw PostgresError(.client, "\(bodyError)")
    }
    if let failure { throw failure }
    if PQstatus(raw) != CONNECTION_OK {
      throw PostgresError(.connectionLost, "the connection to the server was lost: \(Self.lastError(raw))")
    }
  }

  /// A handle that can cancel this connection's running query from any thread.
  public func canceller() -> Canceller? {
    guard let cancel = PQgetCancel(raw) else { return nil }
    return Canceller(raw: cancel)
  }

  private func cancelRunningQuery() {
    canceller()?.cancel()
  }

  private func drain() {
    while let result = PQgetResult(raw) { PQclear(result) }
  }

  private func withParameterArrays<T>(_ parameters: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?, Int32) -> T) -> T {
    let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress, Int32(parameters.count)) }
  }

  private static func lastError(_ connection: OpaquePointer) -> String {
    guard let message = PQerrorMessage(connection) else { return "unknown libpq error" }
    return String(cString: message).trimmingTrailingNewlines()
  }

  private static func error(from result: OpaquePointer, connection: OpaquePointer) -> PostgresError {
    func field(_ code: Character) -> String? {
      guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
      return String(cString: value)
    }
    let sqlState = field("C")
    let message = field("M") ?? {
      if let text = PQresultErrorMessage(result) { return String(cString: text).trimmingTrailingNewlines() }
      return lastError(connection)
    }()
    var code = PostgresError.classify(sqlState: sqlState)
    if sqlState == nil && PQstatus(connection) != CONNECTION_OK { code = .connectionLost }
    return PostgresError(code, message, sqlState: sqlState, detail: field("D"), hint: field("H"))
  }
}

/// Cancels the query running on a connection; safe to call from another thread.
public final class Canceller: @unchecked Sendable {
  private let raw: OpaquePointer

  fileprivate init(raw: OpaquePointer) {
    self.raw = raw
  }

  deinit {
    PQfreeCancel(raw)
  }

  /// Asks the server to cancel the running query. `PQcancel` is thread-safe and signal-safe.
  @discardableResult
  public func cancel() -> Bool {
    var buffer = [CChar](repeating: 0, count: 256)
    return PQcancel(raw, &buffer, Int32(buffer.count)) == 1
  }
}

/// A row inside `Connection.stream`'s callback: a view of libpq's buffer, valid only during
/// that call (do not keep it), so streaming copies nothing it is not asked for.
public struct RowView {
  private let result: OpaquePointer

  init(result: OpaquePointer) {
    self.result = result
  }

  public var count: Int { Int(PQnfields(result)) }

  public func columnName(_ column: Int) -> String {
    PQfname(result, Int32(column)).map { String(cString: $0) } ?? ""
  }

  public func isNull(_ column: Int) -> Bool { PQgetisnull(result, 0, Int32(column)) == 1 }

  /// The field's bytes as the server sent them (text format), or nil for NULL.
  public func withBytes<T>(_ column: Int, _ body: (UnsafeRawBufferPointer?) throws -> T) rethrows -> T {
    if isNull(column) { return try body(nil) }
    let length = Int(PQgetlength(result, 0, Int32(column)))
    let pointer = UnsafeRawPointer(PQgetvalue(result, 0, Int32(column))!)
    return try body(UnsafeRawBufferPointer(start: pointer, count: length))
  }

  public func bytes(_ column: Int) -> [UInt8]? {
    withBytes(column) { $0.map { Array($0) } }
  }

  /// A boolean field in text format ("t"/"f"); NULL reads as false. No allocation per row.
  public func bool(_ column: Int) -> Bool {
    withBytes(column) { $0?.first == UInt8(ascii: "t") }
  }

  /// The field as a string; invalid UTF-8 is repaired with U+FFFD (use `bytes` for exact bytes).
  public func string(_ column: Int) -> String? {
    withBytes(column) { $0.map { String(decoding: $0, as: UTF8.self) } }
  }
}

/// One row of a small result, copied out of libpq.
public struct Row: Sendable {
  public let values: [String?]
  /// The result's column names (the `AS` names of the query).
  public let columnNames: [String]

  public init(copying view: RowView) {
    values = (0..<view.count).map { view.string($0) }
    columnNames = (0..<view.count).map { view.columnName($0) }
  }

  public var count: Int { values.count }

  public subscript(_ index: Int) -> String? { values[index] }

  public func int(_ index: Int) -> Int? { values[index].flatMap { Int($0) } }

  public func bool(_ index: Int) -> Bool? { values[index].map { $0 == "t" } }
}

extension String {
  func trimmingTrailingNewlines() -> String {
    var result = self
    while let last = result.last, last == "\n" || last == "\r" || last == " " { result.removeLast() }
    return result
  }
}
