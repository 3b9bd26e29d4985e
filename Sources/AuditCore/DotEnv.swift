import FileScan
import Foundation

/// A Docker Compose style `.env` file, as Immich's `docker-compose.yml` reads it: `KEY=VALUE`
/// lines, `#` comments, optional `export `, single quotes (literal), double quotes (escapes
/// `\n` `\t` `\"` `\\`, may span lines), unquoted values trimmed with a trailing ` #comment`
/// removed, and `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR` interpolation in unquoted and
/// double-quoted values (earlier keys of the file first, then the process environment).
public struct DotEnv: Sendable {
  public private(set) var values: [String: String] = [:]
  /// Keys in file order, for display.
  public private(set) var keys: [String] = []
  /// The file's folder: relative paths in the file resolve against it.
  public let directory: URL?

  public subscript(key: String) -> String? { values[key] }

  /// A boolean the way Immich's environment validation reads one: `true` or `1`.
  public func flag(_ key: String) -> Bool {
    guard let value = values[key]?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
    return value == "true" || value == "1"
  }

  public init(parsing text: String, directory: URL? = nil, environment: [String: String] = [:]) throws(DotEnvError) {
    self.directory = directory
    let scalars = Array(text.unicodeScalars)
    var index = 0
    var lineNumber = 1

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
      index + offset < scalars.count ? scalars[index + offset] : nil
    }
    func skipSpaces() {
      while let c = peek(), c == " " || c == "\t" { index += 1 }
    }
    func skipLine() {
      while let c = peek(), c != "\n" { index += 1 }
      if peek() == "\n" {
        index += 1
        lineNumber += 1
      }
    }

    while index < scalars.count {
      skipSpaces()
      guard let first = peek() else { break }
      if first == "\n" || first == "\r" {
        skipLine()
        continue
      }
      if first == "#" {
        skipLine()
        continue
      }
      var key = String.UnicodeScalarView()
      while let c = peek(), c != "=" && c != "\n" && c != " " && c != "\t" {
        key.append(c)
        index += 1
      }
      var name = String(key)
      if name == "export" {
        skipSpaces()
        key = String.UnicodeScalarView()
        while let c = peek(), c != "=" && c != "\n" && c != " " && c != "\t" {
          key.append(c)
          index += 1
        }
        name = String(key)
      }
      skipSpaces()
      guard peek() == "=", Self.isValidKey(name) else {
        throw DotEnvError(line: lineNumber, message: "expected KEY=VALUE")
      }
      index += 1
      skipSpaces()
      var value = ""
      let startLine = lineNumber
      switch peek() {
      case "'":
        index += 1
        var raw = String.UnicodeScalarView()
        while let c = peek(), c != "'" {
          if c == "\n" { lineNumber += 1 }
          raw.append(c)
          index += 1
        }
        guard peek() == "'" else { throw DotEnvError(line: startLine, message: "unterminated single quote") }
        index += 1
        value = String(raw)
      case "\"":
        index += 1
        var raw = String.UnicodeScalarView()
        while let c = peek(), c != "\"" {
          if c == "\\", let next = peek(1) {
            switch next {
            case "n": raw.append("\n")
            case "t": raw.append("\t")
            case "r": raw.append("\r")
            case "\"": raw.append("\"")
            case "\\": raw.append("\\")
            case "$": raw.append(contentsOf: "$$".unicodeScalars)
            default:
              raw.append("\\")
              raw.append(next)
            }
            index += 2
            continue
          }
          if c == "\n" { lineNumber += 1 }
          raw.append(c)
          index += 1
        }
        guard peek() == "\"" else { throw DotEnvError(line: startLine, message: "unterminated double quote") }
        index += 1
        value = try Self.interpolate(String(raw), known: values, environment: environment, line: startLine)
      default:
        var raw = String.UnicodeScalarView()
        while let c = peek(), c != "\n" {
          // ` #` starts a comment; a # inside a word does not.
          if c == "#", let last = raw.last, last == " " || last == "\t" { break }
          raw.append(c)
          index += 1
        }
        let trimmed = String(raw).trimmingCharacters(in: .whitespaces).trimmingCharacters(
          in: CharacterSet(charactersIn: "\r"))
        value = try Self.interpolate(trimmed, known: values, environment: environment, line: startLine)
      }
      skipLine()
      if values[name] == nil { keys.append(name) }
      values[name] = value
    }
  }

  /// Reads and parses a file. Errors name the file and say what to do.
  public init(contentsOf url: URL, environment: [String: String] = [:]) throws(DotEnvError) {
    let data: [UInt8]
    do {
      data = try PlainFile.read(url.path)
    } catch {
      throw DotEnvError(
        file: url.path, line: nil, message: "cannot read it (\(error)): check the path and its permissions")
    }
    do {
      try self.init(
        parsing: String(decoding: data, as: UTF8.self), directory: url.deletingLastPathComponent(),
        environment: environment)
    } catch var error {
      error.file = url.path
      throw error
    }
  }

  /// The value of `key`, or the contents of the file named by `key_FILE` (Docker secrets), with
  /// one trailing newline removed. A relative `_FILE` path resolves against this file's folder.
  public func value(_ key: String) throws(DotEnvError) -> String? {
    if let direct = values[key], !direct.isEmpty { return direct }
    guard let path = values[key + "_FILE"], !path.isEmpty else { return nil }
    let url =
      path.hasPrefix("/") || directory == nil ? URL(fileURLWithPath: path) : directory!.appendingPathComponent(path)
    do {
      var text = String(decoding: try PlainFile.read(url.path), as: UTF8.self)
      if text.hasSuffix("\n") { text.removeLast() }
      if text.hasSuffix("\r") { text.removeLast() }
      return text
    } catch {
      throw DotEnvError(line: nil, message: "cannot read \(key)_FILE \(url.path) (\(error))")
    }
  }

  static func isValidKey(_ key: String) -> Bool {
    guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
    return key.unicodeScalars.allSatisfy {
      $0 == "_" || $0 == "." || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0)
    }
  }

  /// Compose-style interpolation: `$$` is a literal dollar.
  static func interpolate(_ text: String, known: [String: String], environment: [String: String], line: Int)
    throws(DotEnvError) -> String
  {
    guard text.contains("$") else { return text }
    func lookup(_ name: String) -> String? { known[name] ?? environment[name] }
    let scalars = Array(text.unicodeScalars)
    var output = String.UnicodeScalarView()
    var i = 0
    while i < scalars.count {
      let c = scalars[i]
      guard c == "$", i + 1 < scalars.count else {
        output.append(c)
        i += 1
        continue
      }
      let next = scalars[i + 1]
      if next == "$" {
        output.append("$")
        i += 2
        continue
      }
      if next == "{" {
        guard let close = scalars[(i + 2)...].firstIndex(of: "}") else {
          throw DotEnvError(line: line, message: "unterminated ${ in value")
        }
        let body = String(String.UnicodeScalarView(scalars[(i + 2)..<close]))
        output.append(contentsOf: resolve(body, lookup: lookup).unicodeScalars)
        i = close + 1
        continue
      }
      if next == "_" || next.properties.isAlphabetic {
        var end = i + 1
        while end < scalars.count,
          scalars[end] == "_" || scalars[end].properties.isAlphabetic || ("0"..."9").contains(scalars[end])
        { end += 1 }
        let name = String(String.UnicodeScalarView(scalars[(i + 1)..<end]))
        output.append(contentsOf: (lookup(name) ?? "").unicodeScalars)
        i = end
        continue
      }
      output.append(c)
      i += 1
    }
    return String(output)
  }

  /// `NAME`, `NAME:-default` (default when unset or empty), `NAME-default` (when unset),
  /// `NAME:?message` and `NAME?message` (empty when unset).
  static func resolve(_ body: String, lookup: (String) -> String?) -> String {
    for (separator, emptyCounts) in [
      (":-", true), ("-", false), (":?", true), ("?", false), (":+", true), ("+", false),
    ] {
      guard let range = body.range(of: separator) else { continue }
      let name = String(body[..<range.lowerBound])
      guard isValidKey(name) else { continue }
      let fallback = String(body[range.upperBound...])
      let value = lookup(name)
      let isSet = value != nil && !(emptyCounts && value!.isEmpty)
      switch separator {
      case ":-", "-": return isSet ? value! : fallback
      case ":+", "+": return isSet ? fallback : ""
      default: return value ?? ""
      }
    }
    return lookup(body) ?? ""
  }
}

public struct DotEnvError: Error, CustomStringConvertible, Sendable {
  public var file: String?
  public var line: Int?
  public var message: String

  init(file: String? = nil, line: Int?, message: String) {
    self.file = file
    self.line = line
    self.message = message
  }

  public var description: String {
    switch (file, line) {
    case (let file?, let line?): return "\(file):\(line): \(message)"
    case (let file?, nil): return "\(file): \(message)"
    case (nil, let line?): return "line \(line): \(message)"
    case (nil, nil): return message
    }
  }
}
