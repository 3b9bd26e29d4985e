/// A JSON object written member by member straight into UTF-8 bytes: pretty-printed as a value
/// at `indent` levels, or compact (nil). `JSONValue` writes its objects through it too, so an
/// object written here without a tree of values first (a report's findings, by the million)
/// is laid out as the same object made of `JSONValue`s.
public struct JSONObjectWriter {
  private let indent: Int?
  private var members = 0

  public init(indent: Int?) {
    self.indent = indent
  }

  /// The next member's key, its value to follow.
  public mutating func key(_ key: String, into output: inout [UInt8]) {
    if let indent {
      output.append(contentsOf: (members == 0 ? "{\n" : ",\n").utf8)
      for _ in 0...indent { output.append(contentsOf: "  ".utf8) }
      JSONValue.writeString(key, into: &output)
      output.append(contentsOf: ": ".utf8)
    } else {
      output.append(members == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
      JSONValue.writeString(key, into: &output)
      output.append(UInt8(ascii: ":"))
    }
    members += 1
  }

  public mutating func member(_ key: String, string: String, into output: inout [UInt8]) {
    self.key(key, into: &output)
    JSONValue.writeString(string, into: &output)
  }

  public mutating func member(_ key: String, int: Int, into output: inout [UInt8]) {
    self.key(key, into: &output)
    output.append(contentsOf: String(int).utf8)
  }

  public mutating func member(_ key: String, _ value: JSONValue, into output: inout [UInt8]) {
    self.key(key, into: &output)
    if let indent { value.write(into: &output, indent: indent + 1) } else { value.writeCompact(into: &output) }
  }

  /// An object as the next member's value, written at the right depth.
  public func nested() -> JSONObjectWriter { JSONObjectWriter(indent: indent.map { $0 + 1 }) }

  public func end(into output: inout [UInt8]) {
    guard members > 0 else {
      output.append(contentsOf: "{}".utf8)
      return
    }
    guard let indent else {
      output.append(UInt8(ascii: "}"))
      return
    }
    output.append(UInt8(ascii: "\n"))
    for _ in 0..<indent { output.append(contentsOf: "  ".utf8) }
    output.append(UInt8(ascii: "}"))
  }
}
