import CLibPQ
import UUIDText

// The rows `Connection` hands out, and how their fields are read: libpq's text, or the binary
// format of `copyStream`, whose column types come from describing the query.

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
