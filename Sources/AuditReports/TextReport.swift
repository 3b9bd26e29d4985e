import AuditCore
import Foundation

/// The default, human report: the roots, a summary per kind, then the findings grouped by
/// kind, the first `limit` of each with a count of the rest, and the verdict.
public enum TextReport {
  public static func render(_ report: AuditReport, policy: FailurePolicy, limit: Int, colour: Bool) -> String {
    func paint(_ text: String, _ severity: Severity) -> String {
      guard colour else { return text }
      let code = severity == .error ? "31" : severity == .warning ? "33" : "36"
      return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
    let d = report.database
    let verdict = Verdict.sentence(report, policy: policy)
    var out =
      DisplayText.escaped(
        "immich-audit check of \(d.target.isEmpty ? "(libpq defaults)" : d.target): Immich "
          + "\(d.immichVersion ?? "unknown"), schema \(d.schema)"
      ) + "\n"
    // The verdict first as well as last: a long report's end may be out of sight.
    out += "\(verdict)\n\n"
    out += "Path mappings:\n"
    if report.mappings.isEmpty { out += "  (none: paths are used as they are)\n" }
    var mappings = TextTable(header: ["CONTAINER", "HOST", "SOURCE"])
    for m in report.mappings { mappings.rows.append([m.container, m.host, m.source.rawValue]) }
    if !report.mappings.isEmpty { out += mappings.rendered(indent: "  ") }
    out += "\nRoots:\n"
    var roots = TextTable(
      header: ["KIND", "CONTAINER", "HOST", "STATUS", "MARKER", "EXPECTED", "PRESENT"], rightAligned: [5, 6])
    for root in report.roots {
      roots.rows.append([
        root.kind.rawValue, root.container, String(decoding: root.host, as: UTF8.self),
        root.offline ? "OFFLINE (\(root.status.rawValue))" : root.status.rawValue,
        root.kind == .importPath ? "-" : (root.marker ? "yes" : "no"), String(root.expectedFiles),
        String(root.presentFiles),
      ])
    }
    out += roots.rendered(indent: "  ")
    out += "\nSummary:\n"
    var summary = TextTable(header: ["FINDING", "SEVERITY", "COUNT"], rightAligned: [2])
    for kind in FindingKind.allCases {
      summary.rows.append([kind.rawValue, kind.defaultSeverity.rawValue, String(report.summary[kind] ?? 0)])
    }
    out += summary.rendered(indent: "  ")
    out += "  \(VerificationSentence.sentence(report.verification))\n"
    out += "  \(DisplayText.escaped(RestorePointSentence.sentence(report.restorePoint)))\n"
    if let atRisk = AtRiskSentence.sentence(report) { out += "  at risk: \(atRisk)\n" }
    let counts = report.findings.kindCounts
    for kind in FindingKind.allCases {
      // Lazily: 200,000 findings made for a listing of --limit of them are not needed.
      let findings = report.findings.of(kind)
      guard let first = findings.first, let total = counts[kind] else { continue }
      out += "\n\(paint(kind.rawValue, first.severity)) (\(total)):\n"
      for finding in findings.prefix(limit) {
        out += "  \(ReportPath.escaped(finding.path))\n"
        if finding.hostPath != finding.path { out += "    host: \(ReportPath.escaped(finding.hostPath))\n" }
        var facts: [String] = []
        if let assetId = finding.assetId { facts.append("asset \(assetId)") }
        if let libraryId = finding.libraryId { facts.append("library \(libraryId)") }
        if finding.kind.failsOnlyAsError { facts.append(finding.severity.rawValue) }
        if let detail = finding.detail { facts.append(DisplayText.escaped(detail)) }
        if !facts.isEmpty { out += "    \(facts.joined(separator: "; "))\n" }
        for candidate in finding.candidates {
          out += "    -> \(ReportPath.escaped(candidate.path))\n"
          // What a person moves back: the file on this machine.
          if candidate.hostPath != candidate.path { out += "       host: \(ReportPath.escaped(candidate.hostPath))\n" }
        }
      }
      if total > limit { out += "  …and \(total - limit) more (--limit N shows more; --format json lists all)\n" }
    }
    if !report.regeneration.isEmpty {
      out += "\nNext steps (rebuild what Immich can):\n"
      for step in report.regeneration { out += "  \(NextStep.sentence(step))\n" }
    }
    out += "\n\(verdict)\n"
    return out
  }
}
