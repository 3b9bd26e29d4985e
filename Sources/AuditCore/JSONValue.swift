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
    var output = ""
    write(to: &output, indent: 0)
    output += "\n"
    return output
  }

  /// Pretty-printed as a member at `indent` levels would be (no final newline): for documents
  /// written a piece at a time.
  public func rendered(indent: Int) -> String {
    var output = ""
    write(to: &output, indent: indent)
    return output
  }

  /// On one line, without spaces (for NDJSON).
  public func renderedCompact() -> String {
    var output = ""
    writeCompact(to: &output)
    return output
  }

  private func writeCompact(to output: inout String) {
    switch self {
    case .array(let items):
      output += "["
      for (index, item) in items.enumerated() {
        if index > 0 { output += "," }
        item.writeCompact(to: &output)
      }
      output += "]"
    case .object(let members):
      output += "{"
      for (index, member) in members.enumerated() {
        if index > 0 { output += "," }
        Self.writeString(member.0, to: &output)
        output += ":"
        member.1.writeCompact(to: &output)
      }
      output += "}"
    default:
      write(to: &output, indent: 0)
    }
  }

  private func write(to output: inout String, indent: Int) {
    let pad = String(repeating: "  ", count: indent + 1)
    let closePad = String(repeating: "  ", count: indent)
    switch self {
    case .null: output += "null"
    case .bool(let value): output += value ? "true" : "false"
    case .int(let value): output += String(value)
    case .double(let value):
      output +=
        value.isFinite
        ? (value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : String(value)) : "null"
    case .string(let value): Self.writeString(value, to: &output)
    case .array(let items):
      if items.isEmpty {
        output += "[]"
        return
      }
      output += "[\n"
      for (index, item) in items.enumerated() {
        output += pad
        item.write(to: &output, indent: indent + 1)
        output += index + 1 < items.count ? ",\n" : "\n"
      }
      output += closePad + "]"
    case .object(let members):
      if members.isEmpty {
        output += "{}"
        return
      }
      output += "{\n"
      for (index, member) in members.enumerated() {
        output += pad
        Self.writeString(member.0, to: &output)
        output += ": "
        member.1.write(to: &output, indent: indent + 1)
        output += index + 1 < members.count ? ",\n" : "\n"
      }
      output += closePad + "}"
    }
  }

  static func writeString(_ value: String, to output: inout String) {
    output += "\""
    // Most strings (paths, ids, details) need no escape: appended whole, not a scalar at a
    // time (200,000 findings took seconds that way).
    if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) {
      output += value
      output += "\""
      return
    }
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": output += "\\\""
      case "\\": output += "\\\\"
      case "\n": output += "\\n"
      case "\r": output += "\\r"
      case "\t": output += "\\t"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F:
        output += String(format: "\\u%04x", scalar.value)
      default: output.unicodeScalars.append(scalar)
      }
    }
    output += "\""
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
