import CLibPQ
import Glibc
import UUIDText

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

/// A row inside `Connection.stream`'s or `copyStream`'s callback: a view of libpq's buffer,
/// valid only during that call (do not keep it), so streaming copies nothing it is not asked
/// for. Rows of `stream` hold text; rows of `copyStream` hold PostgreSQL's binary format, read
/// with the typed accessors (`uuid`, `int64`, `bool`) or as text through `string`.
public struct RowView {
  private let result: OpaquePointer?
  private let binary: BinaryRow?

  init(result: OpaquePointer) {
    self.result = result
    binary = nil
  }

  init(binary: BinaryRow) {
    result = nil
    self.binary = binary
  }

  public var count: Int { binary?.types.count ?? Int(PQnfields(result)) }

  public func columnName(_ column: Int) -> String {
    if let binary { return binary.columns.takeUnretainedValue().names[column] }
    return PQfname(result, Int32(column)).map { String(cString: $0) } ?? ""
  }

  public func isNull(_ column: Int) -> Bool {
    if let binary { return binary.fields[column].length < 0 }
    return PQgetisnull(result, 0, Int32(column)) == 1
  }

  /// The field's bytes as the server sent them (text; for `copyStream`, the binary form of
  /// non-text types), or nil for NULL.
  public func withBytes<T>(_ column: Int, _ body: (UnsafeRawBufferPointer?) throws -> T) rethrows -> T {
    if let binary {
      let field = binary.fields[column]
      if field.length < 0 { return try body(nil) }
      return try body(UnsafeRawBufferPointer(start: binary.base + Int(field.offset), count: Int(field.length)))
    }
    if isNull(column) { return try body(nil) }
    let length = Int(PQgetlength(result, 0, Int32(column)))
    let pointer = UnsafeRawPointer(PQgetvalue(result, 0, Int32(column))!)
    return try body(UnsafeRawBufferPointer(start: pointer, count: length))
  }

  public func bytes(_ column: Int) -> [UInt8]? {
    withBytes(column) { $0.map { Array($0) } }
  }

  /// A boolean field; NULL reads as false. No allocation per row.
  public func bool(_ column: Int) -> Bool {
    if binary != nil { return withBytes(column) { $0?.first.map { $0 != 0 } ?? false } }
    return withBytes(column) { $0?.first == UInt8(ascii: "t") }
  }

  /// A uuid field as two big-endian halves; nil for NULL or a value that is not a uuid.
  public func uuid(_ column: Int) -> (high: UInt64, low: UInt64)? {
    withBytes(column) { raw -> (high: UInt64, low: UInt64)? in
      guard let raw else { return nil }
      if let binary, binary.types[column] == PostgresType.uuid, raw.count == 16 {
        return (
          UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
          UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        )
      }
      guard binary == nil || PostgresType.isText(binary!.types[column]) else { return nil }
      return UUIDText.parse(raw)
    }
  }

  /// An integer field (int2, int4, int8, or its decimal text); nil for NULL or anything else.
  public func int64(_ column: Int) -> Int64? {
    withBytes(column) { raw -> Int64? in
      guard let raw else { return nil }
      if let binary, !PostgresType.isText(binary.types[column]) {
        switch (binary.types[column], raw.count) {
        case (PostgresType.int8, 8): return Int64(bigEndian: raw.loadUnaligned(as: Int64.self))
        case (PostgresType.int4, 4): return Int64(Int32(bigEndian: raw.loadUnaligned(as: Int32.self)))
        case (PostgresType.int2, 2): return Int64(Int16(bigEndian: raw.loadUnaligned(as: Int16.self)))
        default: return nil
        }
      }
      guard !raw.isEmpty, raw.count <= 19 else { return nil }
      var value: Int64 = 0
      var negative = false
      for (position, byte) in raw.enumerated() {
        if position == 0 && byte == UInt8(ascii: "-") {
          negative = true
          continue
        }
        guard byte >= 48 && byte <= 57 else { return nil }
        value = value &* 10 &+ Int64(byte - 48)
      }
      return negative ? -value : value
    }
  }

  /// A binary `timestamptz` field: microseconds since 2000-01-01 00:00:00 UTC, as the server
  /// keeps it; nil for NULL, for `infinity` and `-infinity`, and for any other column (a
  /// `timestamp` without time zone included: its value is no instant).
  public func microsecondsSince2000(_ column: Int) -> Int64? {
    guard let binary, binary.types[column] == PostgresType.timestamptz else { return nil }
    return withBytes(column) { raw -> Int64? in
      guard let raw, raw.count == 8 else { return nil }
      let value = Int64(bigEndian: raw.loadUnaligned(as: Int64.self))
      return value == .max || value == .min ? nil : value
    }
  }

  /// The field as a string (binary uuids, booleans and integers as PostgreSQL writes them);
  /// invalid UTF-8 is repaired with U+FFFD (use `bytes` for exact bytes).
  public func string(_ column: Int) -> String? {
    if let binary, !PostgresType.isText(binary.types[column]), !isNull(column) {
      switch binary.types[column] {
      case PostgresType.bool: return bool(column) ? "t" : "f"
      case PostgresType.uuid:
        if let (high, low) = uuid(column) { return UUIDText.string(high: high, low: low) }
      case PostgresType.int2, PostgresType.int4, PostgresType.int8:
        if let value = int64(column) { return String(value) }
      // Binary timestamps are read with `microsecondsSince2000`: their bytes are no text.
      case PostgresType.timestamp, PostgresType.timestamptz: return nil
      default: break
      }
    }
    return withBytes(column) { $0.map { String(decoding: $0, as: UTF8.self) } }
  }
}

/// Type OIDs of the columns `copyStream` decodes (pg_type.dat).
enum PostgresType {
  static let bool: UInt32 = 16, bytea: UInt32 = 17, name: UInt32 = 19, int8: UInt32 = 20, int2: UInt32 = 21,
    int4: UInt32 = 23
  static let text: UInt32 = 25, bpchar: UInt32 = 1042, varchar: UInt32 = 1043, uuid: UInt32 = 2950
  static let timestamp: UInt32 = 1114, timestamptz: UInt32 = 1184

  /// Types whose binary form is their text (text, varchar, char, name; enums send their label,
  /// and any type this list does not know is treated the same way).
  static func isText(_ type: UInt32) -> Bool {
    switch type {
    case bool, bytea, int8, int2, int4, uuid, timestamp, timestamptz: return false
    default: return true
    }
  }
}

/// What a binary COPY's columns are (from describing the query first: COPY sends no types).
final class BinaryColumns {
  let types: [UInt32]
  let names: [String]

  init(types: [UInt32], names: [String]) {
    self.types = types
    self.names = names
  }
}

/// One tuple of a binary COPY: offsets and lengths (-1: NULL) of its fields in libpq's buffer.
/// Made for every tuple and copied into every accessor: only plain pointers, valid while
/// `copyStream` runs (a class reference here cost a retain and a release per copy).
struct BinaryRow {
  let base: UnsafeRawPointer
  let fields: UnsafeMutableBufferPointer<(offset: Int32, length: Int32)>
  /// Each column's type OID.
  let types: UnsafeBufferPointer<UInt32>
  /// For the names (rarely asked); `copyStream` keeps the columns alive.
  let columns: Unmanaged<BinaryColumns>
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
