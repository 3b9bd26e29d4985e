import AuditCore
import Foundation

/// The tool's name and version as reports carry them.
public struct ToolIdentity: Sendable {
  public let name: String
  public let version: String
  public init(name: String, version: String) {
    self.name = name
    self.version = version
  }
}

/// A path for a report: its text (U+FFFD for bytes that are not UTF-8) and, only when it is not
/// valid UTF-8, the exact bytes in base64 (DESIGN.md: `pathBase64`, `hostPathBase64`).
public struct ReportPath: Sendable {
  public let text: String
  public let base64: String?

  public init(_ bytes: [UInt8]) {
    if let valid = String(validating: bytes, as: UTF8.self) {
      text = valid
      base64 = nil
    } else {
      text = String(decoding: bytes, as: UTF8.self)
      base64 = Data(bytes).base64EncodedString()
    }
  }

  /// For people: the one display rule (`DisplayText`), so a name with a newline stays on one
  /// line and stays distinguishable.
  public static func escaped(_ bytes: [UInt8]) -> String { DisplayText.escaped(bytes: bytes) }
}

/// The JSON report (DESIGN.md § JSON report, a contract), and the pieces NDJSON reuses.
public enum ReportJSON {
  public static let reportVersion = 1

  /// The JSON report (pretty-printed, two-space indentation), written a finding at a time:
  /// the findings are never held as one JSON tree or one string.
  public static func write(_ report: AuditReport, tool: ToolIdentity, to out: ReportSink) {
    let members = header(report, tool: tool)
    // The contract puts `findings` just before `verification`.
    let afterFindings = members.count - (members.firstIndex { $0.0 == "verification" } ?? members.count)
    func member(_ item: (String, JSONValue)) {
      out.write { bytes in
        bytes.append(contentsOf: "  ".utf8)
        JSONValue.string(item.0).write(into: &bytes, indent: 0)
        bytes.append(contentsOf: ": ".utf8)
        item.1.write(into: &bytes, indent: 1)
      }
    }
    out.write("{\n")
    for item in members.dropLast(afterFindings) {
      member(item)
      out.write(",\n")
    }
    out.write("  \"findings\": ")
    if report.findings.isEmpty {
      out.write("[]")
    } else {
      out.write("[\n")
      for (index, item) in report.findings.enumerated() {
        out.write { bytes in
          bytes.append(contentsOf: "    ".utf8)
          write(item, into: &bytes, indent: 2)
          bytes.append(contentsOf: (index + 1 < report.findings.count ? ",\n" : "\n").utf8)
        }
      }
      out.write("  ]")
    }
    for item in members.suffix(afterFindings) {
      out.write(",\n")
      member(item)
    }
    out.write("\n}\n")
  }

  /// Everything but `findings`, in the contract's order (`findings` goes before `verification`).
  public static func header(_ report: AuditReport, tool: ToolIdentity) -> [(String, JSONValue)] {
    [
      ("reportVersion", .int(reportVersion)),
      ("tool", .object([("name", .string(tool.name)), ("version", .string(tool.version))])),
      ("startedAt", .string(report.startedAt)),
      ("finishedAt", .string(report.finishedAt)),
      ("database", report.database.json),
      (
        "mappings",
        .array(
          report.mappings.map { m in
            .object([
              ("container", .string(m.container)), ("host", .string(m.host)), ("source", .string(m.source.rawValue)),
            ])
          })
      ),
      ("roots", .array(report.roots.map(root))),
      ("counts", report.counts.json),
      ("summary", .object(FindingKind.allCases.map { ($0.rawValue, .int(report.summary[$0] ?? 0)) })),
      (
        "verification",
        .object([
          ("tier", .string(report.verification.tier)),
          ("seed", report.verification.seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null),
          ("filesHashed", .int(report.verification.filesHashed)),
          ("bytesHashed", .int(Int(report.verification.bytesHashed))),
          ("complete", .bool(report.verification.complete)),
        ])
      ),
      (
        "timings",
        .object([
          ("database", .double(rounded(report.timings.database))),
          ("filesystem", .double(rounded(report.timings.filesystem))),
          ("verify", .double(rounded(report.timings.verify))), ("total", .double(rounded(report.timings.total))),
          ("walkThreads", .int(report.timings.walkThreads)),
        ])
      ),
      ("atRisk", json(report.atRisk)),
      (
        "restorePoint",
        .object([
          ("newestAssetCreatedAt", .optional(report.restorePoint.newestAssetCreatedAt)),
          ("newestDump", .optional(report.restorePoint.newestDump)),
          ("skewAssets", .int(report.restorePoint.skewAssets)),
        ])
      ),
      (
        "regeneration",
        .array(
          report.regeneration.map { step in
            var members: [(String, JSONValue)] = [
              ("job", .optional(step.job)), ("mode", .optional(step.mode)),
              ("derivatives", .array(step.derivatives.map { .string($0) })),
            ]
            if let assets = step.assets { members.append(("assets", .int(assets))) }
            if let people = step.people { members.append(("people", .int(people))) }
            members.append(("note", .string(step.note)))
            return .object(members)
          })
      ),
      ("exitCode", .int(Int(report.exitCode))),
    ]
  }

  static func json(_ atRisk: AtRisk) -> JSONValue { .object(atRisk.entries.map { ($0.key, .int($0.value)) }) }

  static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

  public static func root(_ root: AuditRoot) -> JSONValue {
    let host = ReportPath(root.host)
    var members: [(String, JSONValue)] = [
      ("kind", .string(root.kind.rawValue)), ("container", .string(root.container)), ("host", .string(host.text)),
    ]
    if let base64 = host.base64 { members.append(("hostBase64", .string(base64))) }
    members += [
      ("status", .string(root.status.rawValue)), ("marker", .bool(root.marker)),
      ("expectedFiles", .int(root.expectedFiles)), ("presentFiles", .int(root.presentFiles)),
      ("libraryId", .optional(root.libraryId)),
    ]
    return .object(members)
  }

  /// One finding as DESIGN.md's JSON report has it, written straight into `output` as
  /// `JSONValue` would lay it out at `indent` (nil: compact, NDJSON's, with its `type` first).
  /// No tree of values per finding: a report may hold millions.
  static func write(_ finding: Finding, into output: inout [UInt8], indent: Int?) {
    var object = JSONObjectWriter(indent: indent)
    if indent == nil { object.member("type", string: "finding", into: &output) }
    object.member("kind", string: finding.kind.rawValue, into: &output)
    object.member("severity", string: finding.severity.rawValue, into: &output)
    for (key, value) in paths(finding.path, finding.hostPath) { object.member(key, value, into: &output) }
    if let assetId = finding.assetId { object.member("assetId", string: assetId, into: &output) }
    if let libraryId = finding.libraryId { object.member("libraryId", string: libraryId, into: &output) }
    if let ownerId = finding.ownerId { object.member("ownerId", string: ownerId, into: &output) }
    if let detail = finding.detail { object.member("detail", string: detail, into: &output) }
    if finding.kind == .likelyMoved || finding.kind == .pathAlias {
      object.member(
        "candidates", .array(finding.candidates.map { .object(paths($0.path, $0.hostPath)) }), into: &output)
    }
    if let atRisk = finding.atRisk {
      object.key("atRisk", into: &output)
      var figures = object.nested()
      for (key, value) in atRisk.entries { figures.member(key, int: value, into: &output) }
      figures.end(into: &output)
    }
    for member in finding.members { object.member(member.key, member.value, into: &output) }
    object.end(into: &output)
  }

  static func paths(_ path: [UInt8], _ hostPath: [UInt8]) -> [(String, JSONValue)] {
    let p = ReportPath(path)
    let h = ReportPath(hostPath)
    var members: [(String, JSONValue)] = [("path", .string(p.text))]
    if let base64 = p.base64 { members.append(("pathBase64", .string(base64))) }
    members.append(("hostPath", .string(h.text)))
    if let base64 = h.base64 { members.append(("hostPathBase64", .string(base64))) }
    return members
  }

  /// One line per finding, then one summary line with everything but the findings.
  public static func ndjson(_ report: AuditReport, tool: ToolIdentity, to out: ReportSink) {
    for finding in report.findings {
      out.write { bytes in
        write(finding, into: &bytes, indent: nil)
        bytes.append(UInt8(ascii: "\n"))
      }
    }
    out.write { bytes in
      JSONValue.object([("type", .string("summary"))] + header(report, tool: tool)).writeCompact(into: &bytes)
      bytes.append(UInt8(ascii: "\n"))
    }
  }
}
