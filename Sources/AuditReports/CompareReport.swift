import AuditCore
import Foundation

/// `compare`'s output: text, Markdown and JSON of a manifest comparison.
public enum CompareReport {
  static func percent(_ entry: ManifestComparison.Entry) -> String {
    guard let percent = entry.percent else { return entry.delta == 0 ? "0%" : "new" }
    return String(format: "%+.1f%%", percent)
  }

  static func value(_ number: Int?) -> String { number.map(String.init) ?? "-" }

  static func scopeName(_ entry: ManifestComparison.Entry) -> String {
    switch entry.scope {
    case "overall": return "overall"
    case "owner": return "owner \(entry.label ?? entry.id ?? "")"
    default: return entry.id == "upload" ? "uploads" : "library \(entry.label ?? entry.id ?? "")"
    }
  }

  static func statusWord(_ entry: ManifestComparison.Entry) -> String {
    switch entry.status {
    case .same: return ""
    case .decrease: return "DECREASE (fail)"
    case .increase: return "increase (warning)"
    case .tolerated: return "tolerated"
    case .notCompared: return "not compared (\(entry.note ?? ""))"
    }
  }

  static func verdict(_ comparison: ManifestComparison) -> String {
    let d = comparison.decreases.count
    let i = comparison.increases.count
    let t = comparison.tolerated.count
    let n = comparison.notCompared.count
    let result = d > 0 ? "FAIL" : "OK"
    return
      "\(result): \(d) decrease\(d == 1 ? "" : "s") (fail), \(i) increase\(i == 1 ? "" : "s") (warning), \(t) tolerated"
      + (n > 0 ? ", \(n) not compared (a key only one side has, or one this immich-audit does not know)" : "")
  }

  public static func text(_ comparison: ManifestComparison, baseline: String, current: String) -> String {
    var output =
      DisplayText.escaped(
        "Baseline: \(baseline) (taken "
          + "\(comparison.baseline.takenAt.isEmpty ? "unknown" : comparison.baseline.takenAt), Immich "
          + "\(comparison.baseline.database.immichVersion ?? "unknown"))"
      ) + "\n"
    output +=
      DisplayText.escaped(
        "Current:  \(current) (taken \(comparison.current.takenAt.isEmpty ? "unknown" : comparison.current.takenAt), "
          + "Immich \(comparison.current.database.immichVersion ?? "unknown"))"
      ) + "\n"
    output += DisplayText.escaped(comparison.gapSentence) + "\n\n"
    var overall = TextTable(header: ["COUNT", "BASELINE", "CURRENT", "DELTA", "%", ""], rightAligned: [1, 2, 3, 4])
    for entry in comparison.entries where entry.scope == "overall" {
      overall.rows.append([
        entry.key, value(entry.baseline), value(entry.current), String(format: "%+d", entry.delta), percent(entry),
        statusWord(entry),
      ])
    }
    output += overall.rendered()
    let changed = comparison.entries.filter { $0.scope != "overall" && $0.status != .same }
    if !changed.isEmpty {
      output += "\nChanges per owner and library\n"
      var table = TextTable(
        header: ["SCOPE", "COUNT", "BASELINE", "CURRENT", "DELTA", "%", ""], rightAligned: [2, 3, 4, 5])
      for entry in changed {
        table.rows.append([
          scopeName(entry), entry.key, value(entry.baseline), value(entry.current), String(format: "%+d", entry.delta),
          percent(entry), statusWord(entry),
        ])
      }
      output += table.rendered()
    }
    output += "\n" + verdict(comparison) + "\n"
    return output
  }

  public static func markdown(_ comparison: ManifestComparison, baseline: String, current: String) -> String {
    var output = "## immich-audit compare: \(comparison.failed ? "❌ counts decreased" : "✅ no count decreased")\n\n"
    output +=
      "- Baseline: \(MarkdownReport.code(baseline)) (taken \(MarkdownReport.cell(comparison.baseline.takenAt)))\n"
    output += "- Current: \(MarkdownReport.code(current)) (taken \(MarkdownReport.cell(comparison.current.takenAt)))\n"
    output += "- \(MarkdownReport.cell(comparison.gapSentence))\n\n"
    output += "| Scope | Count | Baseline | Current | Delta | % | Status |\n|---|---|---:|---:|---:|---:|---|\n"
    for entry in comparison.entries where entry.scope == "overall" || entry.status != .same {
      output +=
        "| \(MarkdownReport.cell(scopeName(entry))) | \(MarkdownReport.code(entry.key)) | \(value(entry.baseline)) | "
        + "\(value(entry.current)) | \(String(format: "%+d", entry.delta)) | \(percent(entry)) | "
        + "\(statusWord(entry)) |\n"
    }
    output += "\n**\(verdict(comparison))**\n"
    return output
  }

  public static func json(
    _ comparison: ManifestComparison, baseline: String, current: String, exitCode: Int32, tool: ToolIdentity
  ) -> JSONValue {
    func side(_ manifest: CountsManifest, _ source: String) -> JSONValue {
      .object([
        ("source", .string(source)), ("takenAt", .string(manifest.takenAt)),
        ("immichVersion", .optional(manifest.database.immichVersion)), ("schema", .string(manifest.database.schema)),
        ("newestAssetCreatedAt", .optional(manifest.newestAssetCreatedAt)),
      ])
    }
    let entries: [JSONValue] = comparison.entries.map { entry in
      .object([
        ("scope", .string(entry.scope)), ("id", .optional(entry.id)), ("name", .optional(entry.label)),
        ("key", .string(entry.key)), ("baseline", entry.baseline.map { .int($0) } ?? .null),
        ("current", entry.current.map { .int($0) } ?? .null), ("delta", .int(entry.delta)),
        ("percent", entry.percent.map { .double(($0 * 100).rounded() / 100) } ?? .null),
        ("status", .string(entry.status.rawValue)), ("note", .optional(entry.note)),
      ])
    }
    return .object([
      ("compareVersion", .int(1)),
      ("tool", .object([("name", .string(tool.name)), ("version", .string(tool.version))])),
      ("baseline", side(comparison.baseline, baseline)),
      ("current", side(comparison.current, current)),
      ("newestGapSeconds", comparison.newestGapSeconds.map { .double($0) } ?? .null),
      ("gap", .string(comparison.gapSentence)),
      ("entries", .array(entries)),
      (
        "summary",
        .object([
          ("decreases", .int(comparison.decreases.count)), ("increases", .int(comparison.increases.count)),
          ("tolerated", .int(comparison.tolerated.count)), ("notCompared", .int(comparison.notCompared.count)),
        ])
      ),
      ("exitCode", .int(Int(exitCode))),
    ])
  }
}
