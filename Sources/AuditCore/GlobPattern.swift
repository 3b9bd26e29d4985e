import CompactStore

/// A library exclusion pattern with the glob semantics Immich's crawl uses (fast-glob's `ignore`,
/// that is picomatch), matched case-insensitively on the container path:
/// `**` as a whole segment spans any number of folders (zero included), `*` any characters but
/// `/` (not a leading dot), `?` one character but `/`, `[abc]`/`[a-z]`/`[!x]` classes,
/// `{a,b}` alternatives (nested too), `\` escapes the next character.
public struct GlobPattern {
  public let pattern: String
  private let regex: Regex<AnyRegexOutput>?
  /// Literal runs a path must contain for the pattern to match, tested before the regular
  /// expression, which costs microseconds a path: `will-go-offline` asks for every external
  /// asset, and `**/@eaDir/**` rules out nearly all of them by "@eadir" alone.
  private let literals: [[UInt8]]

  public init(_ pattern: String) {
    self.pattern = pattern
    let lowered = Array(pattern.lowercased())
    self.regex = try? Regex("^" + Self.translate(lowered) + "$")
    self.literals = Self.requiredLiterals(lowered)
  }

  /// Whether `path` (a container path) is excluded by this pattern.
  public func matches(_ path: String) -> Bool {
    guard let regex else { return false }
    var lowered = path.lowercased()
    let possible = lowered.withUTF8 { bytes in
      literals.allSatisfy { literal in literal.withUnsafeBytes { Bytes.contains(UnsafeRawBufferPointer(bytes), $0) } }
    }
    return possible && (try? regex.wholeMatch(in: lowered)) != nil
  }

  /// The pattern's literal runs between wildcards (lowercase), each of which a matching path
  /// holds; a "/" next to a `*` is dropped (`**/` and `/**` also match no folder). None for a
  /// pattern with classes, braces, escapes or non-ASCII letters, where runs are not literal.
  static func requiredLiterals(_ lowered: [Character]) -> [[UInt8]] {
    guard lowered.allSatisfy({ $0.isASCII && !"[]{}\\".contains($0) }) else { return [] }
    var literals: [[UInt8]] = []
    var run: [UInt8] = []
    var afterWildcard = false
    func flush(beforeWildcard: Bool) {
      if afterWildcard && run.first == UInt8(ascii: "/") { run.removeFirst() }
      if beforeWildcard && run.last == UInt8(ascii: "/") { run.removeLast() }
      if !run.isEmpty { literals.append(run) }
      run = []
    }
    for character in lowered {
      if character == "*" || character == "?" {
        flush(beforeWildcard: true)
        afterWildcard = true
      } else {
        run.append(character.asciiValue!)
      }
    }
    flush(beforeWildcard: false)
    return literals
  }

  static func translate(_ characters: [Character]) -> String {
    var output = ""
    var index = 0
    var braceDepth = 0
    func atSegmentStart(_ i: Int) -> Bool { i == 0 || characters[i - 1] == "/" }
    while index < characters.count {
      let c = characters[index]
      switch c {
      case "*":
        let isDouble = index + 1 < characters.count && characters[index + 1] == "*"
        if isDouble {
          let start = index
          var end = index
          while end < characters.count && characters[end] == "*" { end += 1 }
          let segmentStart = atSegmentStart(start)
          let segmentEnd = end == characters.count || characters[end] == "/"
          if segmentStart && segmentEnd {
            if end == characters.count {
              // Trailing `**`: everything below (and, after `a/`, `a` itself through the optional group).
              if output.hasSuffix("/") {
                output.removeLast()
                output += "(?:/.*)?"
              } else {
                output += ".*"
              }
              index = end
            } else {
              // `**/`: zero or more folders.
              output += "(?:.*/)?"
              index = end + 1
            }
            continue
          }
          index = end
          output += "[^/]*"
          continue
        }
        output += atSegmentStart(index) ? "(?!\\.)[^/]*" : "[^/]*"
        index += 1
      case "?":
        output += "[^/]"
        index += 1
      case "[":
        if let close = characters[(index + 1)...].firstIndex(of: "]"), close > index + 1 {
          var body = Array(characters[(index + 1)..<close])
          var negated = false
          if body.first == "!" || body.first == "^" {
            negated = true
            body.removeFirst()
          }
          var cls = ""
          for ch in body {
            if ch == "\\" || ch == "]" || ch == "[" || ch == "^" { cls += "\\" }
            cls.append(ch)
          }
          output += negated ? "[^/\(cls)]" : "[\(cls)]"
          index = close + 1
        } else {
          output += "\\["
          index += 1
        }
      case "{":
        braceDepth += 1
        output += "(?:"
        index += 1
      case "}" where braceDepth > 0:
        braceDepth -= 1
        output += ")"
        index += 1
      case "," where braceDepth > 0:
        output += "|"
        index += 1
      case "\\":
        if index + 1 < characters.count {
          output += escape(characters[index + 1])
          index += 2
        } else {
          output += "\\\\"
          index += 1
        }
      default:
        output += escape(c)
        index += 1
      }
    }
    // An unclosed brace is literal text in picomatch; close the groups so the regex compiles.
    output += String(repeating: ")", count: braceDepth)
    return output
  }

  private static func escape(_ c: Character) -> String {
    "\\^$.|?*+()[]{}".contains(c) ? "\\\(c)" : String(c)
  }
}
