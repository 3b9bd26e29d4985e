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
      for pointer in keywords + values { free(pointer) }
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
    try finish(bodyError: bodyError, failure: failure)
  }

  /// Streams a query's rows through `COPY (query) TO STDOUT (FORMAT binary)`: no result object
  /// per row as in single-row mode, uuids as 16 bytes, integers as integers. The query (no
  /// parameters: COPY takes none) is described first for its column types, which COPY does not
  /// send. `body` sees each row once; the row's storage is reused afterwards.
  public func copyStream(_ sql: String, _ body: (RowView) throws -> Void) throws(PostgresError) {
    var query = Substring(sql)
    while let last = query.last, last == ";" || last.isWhitespace { query.removeLast() }
    let columns = try describe("SELECT * FROM (\n\(query)\n) AS described LIMIT 0")
    guard PQsendQuery(raw, "COPY (\n\(query)\n) TO STDOUT (FORMAT binary)") == 1 else {
      throw PostgresError(.connectionLost, "could not send the query: \(Self.lastError(raw))")
    }
    guard let start = PQgetResult(raw) else {
      throw PostgresError(.connectionLost, "the connection to the server was lost: \(Self.lastError(raw))")
    }
    guard PQresultStatus(start) == PGRES_COPY_OUT else {
      let error = Self.error(from: start, connection: raw)
      PQclear(start)
      drain()
      throw error
    }
    PQclear(start)
    let fields = UnsafeMutableBufferPointer<(offset: Int32, length: Int32)>.allocate(
      capacity: max(columns.types.count, 1))
    defer { fields.deallocate() }
    let types = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: max(columns.types.count, 1))
    defer { types.deallocate() }
    _ = types.initialize(from: columns.types)
    var failure: PostgresError?
    var bodyError: (any Error)?
    var header = true
    while true {
      var buffer: UnsafeMutablePointer<CChar>?
      let length = Int(PQgetCopyData(raw, &buffer, 0))
      guard length >= 0, let buffer else { break }
      defer { PQfreemem(buffer) }
      guard failure == nil, bodyError == nil else { continue }
      let message = UnsafeRawBufferPointer(start: buffer, count: length)
      var position = 0
      if header {
        // "PGCOPY\n\377\r\n\0", flags, header extension length, extension.
        guard length >= 19, message.starts(with: [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00])
        else {
          failure = PostgresError(.client, "unexpected COPY data from the server (no binary header)")
          cancelRunningQuery()
          continue
        }
        position = 19 + Int(Int32(bigEndian: message.loadUnaligned(fromByteOffset: 15, as: Int32.self)))
        header = false
        if position >= length { continue }
      }
      guard let count = Self.fieldCount(message, at: &position) else { continue }  // the trailer
      guard count == columns.types.count, Self.parseFields(message, from: position, into: fields, count: count) else {
        failure = PostgresError(
          .client, "unexpected COPY data from the server (a row of \(count) fields, \(columns.types.count) expected)")
        cancelRunningQuery()
        continue
      }
      do {
        try body(
          RowView(
            binary: BinaryRow(
              base: UnsafeRawPointer(buffer), fields: fields,
              types: UnsafeBufferPointer(rebasing: types[0..<columns.types.count]),
              columns: Unmanaged.passUnretained(columns))))
      } catch {
        bodyError = error
        cancelRunningQuery()
      }
    }
    // The rows referred to the columns unretained.
    withExtendedLifetime(columns) {}
    while let result = PQgetResult(raw) {
      defer { PQclear(result) }
      let status = PQresultStatus(result)
      if status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && failure == nil && bodyError == nil {
        failure = Self.error(from: result, connection: raw)
      }
    }
    try finish(bodyError: bodyError, failure: failure)
  }

  /// A tuple's field count (-1 marks the end: nil).
  private static func fieldCount(_ message: UnsafeRawBufferPointer, at position: inout Int) -> Int? {
    guard position + 2 <= message.count else { return nil }
    let count = Int(Int16(bigEndian: message.loadUnaligned(fromByteOffset: position, as: Int16.self)))
    position += 2
    return count < 0 ? nil : count
  }

  private static func parseFields(
    _ message: UnsafeRawBufferPointer, from start: Int,
    into fields: UnsafeMutableBufferPointer<(offset: Int32, length: Int32)>, count: Int
  ) -> Bool {
    var position = start
    for field in 0..<count {
      guard position + 4 <= message.count else { return false }
      let length = Int32(bigEndian: message.loadUnaligned(fromByteOffset: position, as: Int32.self))
      position += 4
      fields[field] = (Int32(position), length)
      if length > 0 {
        position += Int(length)
        guard position <= message.count else { return false }
      }
    }
    return true
  }

  /// The column types and names of a query's result.
  private func describe(_ sql: String) throws(PostgresError) -> BinaryColumns {
    guard let result = PQexec(raw, sql) else {
      throw PostgresError(.connectionLost, "the connection to the server was lost: \(Self.lastError(raw))")
    }
    defer { PQclear(result) }
    guard PQresultStatus(result) == PGRES_TUPLES_OK else { throw Self.error(from: result, connection: raw) }
    let count = Int(PQnfields(result))
    return BinaryColumns(
      types: (0..<count).map { UInt32(PQftype(result, Int32($0))) },
      names: (0..<count).map { PQfname(result, Int32($0)).map { String(cString: $0) } ?? "" })
  }

  /// How a stream ended: the body's own error first, then the server's, then a lost connection.
  private func finish(bodyError: (any Error)?, failure: PostgresError?) throws(PostgresError) {
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

  private func withParameterArrays<T>(
    _ parameters: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?, Int32) -> T
  ) -> T {
    let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.map { strdup($0) } ?? nil }
    defer { for copy in copies { free(copy) } }
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
    let message =
      field("M")
      ?? {
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

extension String {
  func trimmingTrailingNewlines() -> String {
    var result = self
    while let last = result.last, last == "\n" || last == "\r" || last == " " { result.removeLast() }
    return result
  }
}
