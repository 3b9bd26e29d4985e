import AuditCore
import AuditReports
import Foundation
import Testing

/// Strings from the database or the disk cannot forge lines, reorder text, run as a
/// spreadsheet formula or break out of Markdown code, in any human format.
@Suite("escaping hostile strings", .serialized)
struct EscapingTests {
  static let forged = "/mnt/evil\"} 1\nimmich_audit_exit_code 0\n#"

  @Test("the display rule: controls, bidi overrides and separators escaped, everything else as it is")
  func displayRule() {
    #expect(DisplayText.escaped("plain/path é 写真.jpg") == "plain/path é 写真.jpg")
    #expect(DisplayText.escaped("a\nb\tc\rd") == "a\\nb\\tc\\rd")
    #expect(DisplayText.escaped("back\\slash") == "back\\\\slash")
    #expect(DisplayText.escaped("gpj.\u{202E}exe") == "gpj.\\u{202E}exe")
    #expect(DisplayText.escaped("line\u{2028}sep\u{2029}") == "line\\u{2028}sep\\u{2029}")
    #expect(DisplayText.escaped("\u{1B}[31mred\u{7F}\u{85}") == "\\x1b[31mred\\x7f\\u{85}")
    #expect(DisplayText.escaped("\u{2066}iso\u{2069}\u{200F}") == "\\u{2066}iso\\u{2069}\\u{200F}")
    #expect(DisplayText.escaped(bytes: Array("caf".utf8) + [0xE9] + Array("\n.jpg".utf8)) == "caf\\xe9\\n.jpg")
    // No escaped text holds a character that could break a line or reorder it.
    for value in UInt32(0)...0x3000 {
      guard let scalar = Unicode.Scalar(value) else { continue }
      let shown = DisplayText.escaped(String(Character(scalar)))
      #expect(
        !shown.unicodeScalars.contains {
          $0.properties.generalCategory == .control || $0.properties.generalCategory == .lineSeparator
            || $0.properties.generalCategory == .paragraphSeparator || (0x202A...0x202E).contains($0.value)
            || (0x2066...0x2069).contains($0.value)
        }, "U+\(String(value, radix: 16))")
    }
  }

  @Test("JSON strings: quote, backslash, controls and DEL escaped, everything else as it is; they parse back whole")
  func jsonStrings() throws {
    let value = JSONValue.object([("k\"ey", .string("a\"b\\c\nd\re\tf\u{1}g\u{7F}h é 写真\u{202E}"))])
    #expect(value.renderedCompact() == #"{"k\"ey":"a\"b\\c\nd\re\tf\u0001g\u007fh é 写真\#u{202E}"}"#)
    #expect(
      value.rendered(indent: 1) == "{\n    \"k\\\"ey\": \"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u007fh é 写真\u{202E}\"\n  }")
    // Every scalar up to U+3000, alone and between others, in both layouts, reads back as it was.
    for value in UInt32(0)...0x3000 {
      guard let scalar = Unicode.Scalar(value) else { continue }
      let text = "x\(Character(scalar))y\(Character(scalar))"
      for rendered in [JSONValue.array([.string(text)]).renderedCompact(), JSONValue.array([.string(text)]).rendered()]
      {
        let parsed = try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String]
        #expect(parsed == [text], "U+\(String(value, radix: 16))")
      }
    }
  }

  @Test("an object written member by member: the layout of JSONValue's, pretty at any depth and compact, spelled out")
  func objectWriter() {
    let members: [(String, JSONValue)] = [
      ("kind", .string("restore-skew")), ("assets", .int(70)), ("window", .object([("from", .string("a\"b"))])),
      ("empty", .object([])), ("list", .array([.int(1), .object([("x", .null)])])), ("none", .array([])),
    ]
    let figures: [(String, Int)] = [("albums", 2), ("faces", 0)]
    let expected = JSONValue.object(members + [("atRisk", .object(figures.map { ($0.0, .int($0.1)) }))])
    for indent in [nil, 0, 2] as [Int?] {
      var output: [UInt8] = []
      var object = JSONObjectWriter(indent: indent)
      for (key, value) in members {
        if case .string(let text) = value {
          object.member(key, string: text, into: &output)
        } else if case .int(let number) = value {
          object.member(key, int: number, into: &output)
        } else {
          object.member(key, value, into: &output)
        }
      }
      object.key("atRisk", into: &output)
      var nested = object.nested()
      for (key, value) in figures { nested.member(key, int: value, into: &output) }
      nested.end(into: &output)
      object.end(into: &output)
      let text = String(decoding: output, as: UTF8.self)
      #expect(
        text == (indent.map { expected.rendered(indent: $0) } ?? expected.renderedCompact()),
        "indent \(String(describing: indent))")
    }
    // JSONValue writes its objects through the writer: the layout itself, spelled out.
    let small = JSONValue.object([("a", .int(1)), ("b", .object([("c", .array([.string("d")]))])), ("e", .object([]))])
    #expect(small.renderedCompact() == #"{"a":1,"b":{"c":["d"]},"e":{}}"#)
    #expect(
      small.rendered(indent: 1)
        == "{\n    \"a\": 1,\n    \"b\": {\n      \"c\": [\n        \"d\"\n      ]\n    },\n    \"e\": {}\n  }")
  }

  @Test(
    "Markdown code spans hold any text exactly", arguments: ["a`b", "``x", "x`", "`", "a|b", "plain", " lead", "```"])
  func markdownCode(text: String) {
    let span = MarkdownReport.code(text)
    // The fence is longer than any run of backticks inside and the same on both ends.
    let fence = span.prefix { $0 == "`" }
    #expect(span.hasSuffix(String(fence)))
    var inner = String(span.dropFirst(fence.count).dropLast(fence.count))
    if inner.hasPrefix(" ") && inner.hasSuffix(" ") && inner.count >= 2 && inner.contains(where: { $0 != " " }) {
      inner = String(inner.dropFirst().dropLast())
    }
    #expect(inner.replacingOccurrences(of: "\\|", with: "|") == text)
    #expect(!inner.contains(String(fence)))
  }

  @Test("a forged import path, a formula path, a backtick and U+202E: every format holds them")
  func reports() throws {
    let scene = try AuditScene()
    try scene.cluster.psql(
      scene.database,
      "UPDATE library SET \"importPaths\" = \"importPaths\" || ARRAY[E'/mnt/evil\"} 1\\nimmich_audit_exit_code "
        + "0\\n#'] WHERE name = 'NAS Photos'"
    )
    // A file the database expects under the forged root: it is offline (exit 3), not merely
    // unused, so the verdict line names it too.
    try scene.cluster.psql(
      scene.database,
      "UPDATE asset SET \"originalPath\" = E'/mnt/evil\"} 1\\nimmich_audit_exit_code 0\\n#/x.mp4' "
        + "WHERE id = 'a0000000-0000-4000-8000-000000000003'")
    let asset = scene.path(endingWith: "000000000002.jpg")
    try scene.remove(asset)
    try scene.cluster.psql(
      scene.database, "UPDATE asset SET \"originalPath\" = '=1+1.jpg' WHERE \"originalPath\" = '\(asset)'")
    try scene.create("/mnt/nas/photos/2025/tick`name.jpg")
    try scene.create("/mnt/nas/photos/2025/gpj.\u{202E}exe.jpg")

    let (text, _) = try scene.check(["--limit", "100"], format: "text")
    #expect(text.status == 3, "\(text.stderr)")
    for line in text.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
      #expect(!line.hasPrefix("immich_audit_exit_code"), "\(line)")
      #expect(!line.unicodeScalars.contains { $0 == "\u{202E}" }, "\(line)")
    }
    #expect(text.stdout.contains("/mnt/evil\"} 1\\nimmich_audit_exit_code 0\\n#"))
    #expect(text.stdout.contains("gpj.\\u{202E}exe.jpg"))

    let (markdown, _) = try scene.check(["--limit", "100"], format: "markdown")
    #expect(markdown.stdout.contains("``/mnt/nas/photos/2025/tick`name.jpg``"))
    #expect(markdown.stdout.contains("gpj.\\u{202E}exe.jpg"))
    #expect(!markdown.stdout.split(separator: "\n").contains { $0.hasPrefix("immich_audit_exit_code") })

    let (csv, _) = try scene.check([], format: "csv")
    #expect(csv.stdout.contains("missing-original,'=1+1.jpg,"), "\(csv.stdout)")
    #expect(!csv.stdout.contains(",=1+1.jpg"))

    let explain = try CLI.run(["explain", "--db", scene.conninfo] + scene.mappingArguments)
    #expect(explain.status == 0, "\(explain.stderr)")
    #expect(!explain.stdout.split(separator: "\n").contains { $0.hasPrefix("immich_audit_exit_code") })
    #expect(explain.stdout.contains("/mnt/evil\"} 1\\nimmich_audit_exit_code 0\\n#"))
  }
}
