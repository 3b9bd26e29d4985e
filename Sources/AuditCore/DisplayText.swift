/// The one escaping rule for text from the database or the disk shown to a person (text,
/// Markdown, explain, counts, compare, messages on stderr): what could forge a line, move the
/// cursor or reorder what is shown is written as a visible escape, so a path with a newline
/// stays on one line and `U+202E` cannot make `gpj.exe` read as `exe.jpg`.
///
/// - control characters: `\n`, `\t`, `\r`, other C0 and DEL as `\xNN`, C1 as `\u{85}`;
/// - bidirectional overrides, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E,
///   U+200F, U+061C) and the line and paragraph separators (U+2028, U+2029) as `\u{…}`;
/// - bytes that are not UTF-8 (file names may hold any byte) as `\xNN`;
/// - a backslash as `\\`, so that every escape reads back to one string.
public enum DisplayText {
  public static func escaped(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: needsEscape) else { return text }
    var output = ""
    for scalar in text.unicodeScalars { append(scalar, to: &output) }
    return output
  }

  public static func escaped(bytes: some Collection<UInt8>) -> String {
    let bytes = Array(bytes)
    if let valid = String(validating: bytes, as: UTF8.self) { return escaped(valid) }
    var output = ""
    var position = 0
    while position < bytes.count {
      let byte = bytes[position]
      let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 ? 2 : 0
      if length >= 1, position + length <= bytes.count,
        let text = String(validating: bytes[position..<position + length], as: UTF8.self)
      {
        for scalar in text.unicodeScalars { append(scalar, to: &output) }
        position += length
      } else {
        output += hexByte(byte)
        position += 1
      }
    }
    return output
  }

  static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0..<0x20, 0x5C, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
      return true
    default: return false
    }
  }

  private static func append(_ scalar: Unicode.Scalar, to output: inout String) {
    guard needsEscape(scalar) else {
      output.unicodeScalars.append(scalar)
      return
    }
    switch scalar {
    case "\n": output += "\\n"
    case "\t": output += "\\t"
    case "\r": output += "\\r"
    case "\\": output += "\\\\"
    default:
      if scalar.value < 0x80 {
        output += hexByte(UInt8(scalar.value))
      } else {
        output += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
      }
    }
  }

  private static func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
  }
}
