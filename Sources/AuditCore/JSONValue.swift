import Foundation

/// A JSON document with ordered object keys, so reports keep a stable, readable order.
public indirect enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .int(let b)): return a == b
    case (.double(let a), .double(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)): return a.elementsEqual(b) { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  public static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

  /// Pretty-printed with two-space indentation and a final newline.
  public func rendered() -> String {
    var output: [UInt8] = []
    write(into: &output, indent: 0)
    output.append(UInt8(ascii: "\n"))
    return String(decoding: output, as: UTF8.self)
  }

  /// Pretty-printed as a member at `indent` levels would be (no final newline): for documents
  /// written a piece at a time.
  public func rendered(indent: Int) -> String {
    var output: [UInt8] = []
    write(into: &output, indent: indent)
    return String(decoding: output, as: UTF8.self)
  }

  /// On one line, without spaces (for NDJSON).
  public func renderedCompact() -> String {
    var output: [UInt8] = []
    writeCompact(into: &output)
    return String(decoding: output, as: UTF8.self)
  }

  /// On one line, without spaces (for NDJSON), appended to UTF-8 `output`.
  public func writeCompact(into output: inout [UInt8]) {
    switch self {
    case .array(let items):
      output.append(UInt8(ascii: "["))
      for (index, item) in items.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        item.writeCompact(into: &output)
      }
      output.append(UInt8(ascii: "]"))
    case .object(let members):
      var object = JSONObjectWriter(indent: nil)
      for (key, value) in members { object.member(key, value, into: &output) }
      object.end(into: &output)
    default:
      write(into: &output, indent: 0)
    }
  }

  /// Pretty-printed as a member at `indent` levels would be, appended to UTF-8 `output`. Bytes,
  /// not a String: a report writes millions of values, and appending to a String checks each
  /// piece's encoding again.
  public func write(into output: inout [UInt8], indent: Int) {
    func pad(_ depth: Int) { for _ in 0..<depth { output.append(contentsOf: "  ".utf8) } }
    switch self {
    case .null: output.append(contentsOf: "null".utf8)
    case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
    case .int(let value): output.append(contentsOf: String(value).utf8)
    case .double(let value):
      let text =
        value.isFinite
        ? (value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : String(value)) : "null"
      output.append(contentsOf: text.utf8)
    case .string(let value): Self.writeString(value, into: &output)
    case .array(let items):
      if items.isEmpty {
        output.append(contentsOf: "[]".utf8)
        return
      }
      output.append(contentsOf: "[\n".utf8)
      for (index, item) in items.enumerated() {
        pad(indent + 1)
        item.write(into: &output, indent: indent + 1)
        output.append(contentsOf: (index + 1 < items.count ? ",\n" : "\n").utf8)
      }
      pad(indent)
      output.append(UInt8(ascii: "]"))
    case .object(let members):
      var object = JSONObjectWriter(indent: indent)
      for (key, value) in members { object.member(key, value, into: &output) }
      object.end(into: &output)
    }
  }

  /// A JSON string: `"`, `\`, control characters and DEL escaped, everything else as it is.
  static func writeString(_ value: String, into output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    var value = value
    value.withUTF8 { utf8 in
      // Most strings (paths, ids, details) need no escape: copied in runs, not a byte at a time.
      var run = 0
      for (offset, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F {
        output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<offset]))
        run = offset + 1
        switch byte {
        case 0x22: output.append(contentsOf: "\\\"".utf8)
        case 0x5C: output.append(contentsOf: "\\\\".utf8)
        case 0x0A: output.append(contentsOf: "\\n".utf8)
        case 0x0D: output.append(contentsOf: "\\r".utf8)
        case 0x09: output.append(contentsOf: "\\t".utf8)
        default: output.append(contentsOf: String(format: "\\u%04x", UInt32(byte)).utf8)
        }
      }
      output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
    }
    output.append(UInt8(ascii: "\""))
  }

  /// Parses JSON text (any valid document).
  public static func parse(_ data: Data) throws -> JSONValue {
    let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    return convert(object)
  }

  private static func convert(_ object: Any) -> JSONValue {
    switch object {
    case is NSNull: return .null
    case let string as String: return .string(string)
    case let number as NSNumber:
      // JSONSerialization gives booleans as NSNumber; their objCType is "c" (char).
      if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
      if let int = Int(exactly: number.doubleValue), !"\(number)".contains(".") { return .int(int) }
      return .double(number.doubleValue)
    case let array as [Any]: return .array(array.map(convert))
    case let dictionary as [String: Any]:
      return .object(dictionary.keys.sorted().map { ($0, convert(dictionary[$0]!)) })
    default: return .null
    }
  }

  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.0 == key }?.1
  }

  public var stringValue: String? { if case .string(let value) = self { return value } else { return nil } }
  public var intValue: Int? { if case .int(let value) = self { return value } else { return nil } }
  public var objectMembers: [(String, JSONValue)]? {
    if case .object(let members) = self { return members } else { return nil }
  }
}
