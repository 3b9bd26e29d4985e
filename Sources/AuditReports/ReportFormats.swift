import AuditCore
import Foundation

/// The line a report ends with: what the exit code means for this run.
public enum Verdict {
  public static func sentence(_ report: AuditReport, policy: FailurePolicy) -> String {
    switch report.exitCode {
    case 0: return "PASS: no finding over a failing threshold"
    case 3:
      let offline = report.roots.filter(\.originalsOffline).map {
        DisplayText.escaped($0.container)
      }
      return "FAIL (exit 3): a root holding originals is offline or mis-mapped: \(offline.joined(separator: ", "))"
    default:
      let failing = failingKinds(report, policy: policy)
      return "FAIL (exit \(report.exitCode)): "
        + failing.map { "\(report.summary[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
    }
  }

  public static func failingKinds(_ report: AuditReport, policy: FailurePolicy) -> [FindingKind] {
    AuditReport.failingKinds(report.findings, policy: policy)
  }
}

/// What hangs on the missing originals and the offline roots, in a sentence ("9 missing
/// originals carry 3 album memberships, 5 faces of 2 named people, 2 descriptions"); nil when
/// nothing is missing or offline.
public enum AtRiskSentence {
  public static func sentence(_ report: AuditReport) -> String? {
    let (missing, offline) = report.atRiskAssets
    guard missing + offline > 0 else { return nil }
    func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
    var subject: [String] = []
    if missing > 0 { subject.append(count(missing, "missing original", "missing originals")) }
    if offline > 0 { subject.append(count(offline, "asset under an offline root", "assets under offline roots")) }
    let r = report.atRisk
    var items: [String] = []
    if r.albums > 0 { items.append(count(r.albums, "album membership", "album memberships")) }
    if r.faces > 0 {
      items.append(
        count(r.faces, "face", "faces") + (r.people > 0 ? " of " + count(r.people, "named person", "named people") : "")
      )
    }
    for (n, one, many) in [
      (r.descriptions, "description", "descriptions"), (r.locations, "location", "locations"),
      (r.favorites, "favorite", "favorites"), (r.tags, "tag", "tags"),
      (r.sharedLinks, "shared-link entry", "shared-link entries"), (r.stacks, "stacked asset", "stacked assets"),
      (r.memories, "memory entry", "memory entries"),
    ] where n > 0 {
      items.append(count(n, one, many))
    }
    return subject.joined(separator: " and ") + (missing + offline == 1 ? " carries " : " carry ")
      + (items.isEmpty ? "no album, face, description or other metadata" : items.joined(separator: ", "))
  }
}

/// A step of the regeneration plan in a sentence, for text and Markdown's next steps.
public enum NextStep {
  public static func sentence(_ step: RegenerationStep) -> String {
    let what = step.derivatives.joined(separator: ", ")
    let scope =
      step.assets.map { "\($0) asset\($0 == 1 ? "" : "s")" } ?? step.people.map {
        "\($0) \($0 == 1 ? "person" : "people")"
      }
      ?? ""
    let job = step.job.map { "\($0) (\(step.mode == "missing" ? "Missing" : step.mode ?? "All"))" } ?? "no job"
    return "\(job): \(what) of \(scope). \(step.note)"
  }
}

/// The restore point in a sentence (DESIGN.md § What hangs on a finding): the database's newest
/// asset, the newest dump beside the files, and the skew between database and files if any.
public enum RestorePointSentence {
  public static func sentence(_ point: AuditReport.RestorePoint) -> String {
    var parts = ["newest asset created \(point.newestAssetCreatedAt ?? "never (no assets)")"]
    parts.append(point.newestDump.map { "newest dump in backups/: \($0)" } ?? "no dump in backups/")
    if point.skewAssets > 0 {
      parts.append(
        "the \(point.skewAssets) newest uploads have no original: the file backup is older than the database")
    }
    return "restore point: " + parts.joined(separator: "; ")
  }
}

/// What content verification did, in words: a check that did not run is said not to have
/// run, never shown as a pass (DESIGN.md: "not run" in text and Markdown).
public enum VerificationSentence {
  public static func ran(_ verification: AuditReport.Verification) -> Bool {
    !["none", "size"].contains(verification.tier)
  }

  public static func sentence(_ verification: AuditReport.Verification) -> String {
    guard ran(verification) else { return "checksums: not verified, not run (--verify \(verification.tier))" }
    let files = verification.filesHashed
    return "checksums: \(files) file\(files == 1 ? "" : "s") hashed (--verify \(verification.tier))"
      + (verification.complete ? "" : ", incomplete: --verify-time ran out before every selected file was hashed")
  }
}

/// Markdown for `$GITHUB_STEP_SUMMARY` and merge-request comments.
public enum MarkdownReport {
  public static func render(_ report: AuditReport, policy: FailurePolicy, limit: Int) -> String {
    var out =
      "## immich-audit: \(report.exitCode == 0 ? "✅" : "❌") \(cell(Verdict.sentence(report, policy: policy)))\n\n"
    out +=
      "Database \(code(report.database.target)), Immich \(cell(report.database.immichVersion ?? "unknown")), schema "
      + "\(report.database.schema); "
    out +=
      "checked \(report.finishedAt) in \(String(format: "%.1f", report.timings.total)) s; "
      + "\(VerificationSentence.sentence(report.verification)); "
      + "\(cell(RestorePointSentence.sentence(report.restorePoint))).\n\n"
    if let atRisk = AtRiskSentence.sentence(report) { out += "**At risk:** \(cell(atRisk)).\n\n" }
    out += "| Root | Kind | Host | Status | Expected | Present |\n|---|---|---|---|--:|--:|\n"
    for root in report.roots {
      out +=
        "| \(code(root.container)) | \(root.kind.rawValue) | \(code(bytes: root.host)) | "
        + "\(root.offline ? "**offline** (\(root.status.rawValue))" : root.status.rawValue) | \(root.expectedFiles) "
        + "| \(root.presentFiles) |\n"
    }
    out += "\n| Finding | Severity | Count |\n|---|---|--:|\n"
    for kind in FindingKind.allCases {
      let count = report.summary[kind] ?? 0
      out += "| \(kind.rawValue) | \(kind.defaultSeverity.rawValue) | \(count == 0 ? "0" : "**\(count)**") |\n"
    }
    let counts = report.findings.kindCounts
    for kind in FindingKind.allCases {
      let findings = report.findings.of(kind)
      guard let total = counts[kind] else { continue }
      out += "\n### \(kind.rawValue) (\(total))\n\n| Path | Detail |\n|---|---|\n"
      for finding in findings.prefix(limit) {
        var detail = cell(finding.detail ?? "")
        if !finding.candidates.isEmpty {
          // The host path is what a person moves back.
          detail +=
            "; candidates: "
            + finding.candidates.map { "\(code(bytes: $0.path)) (host \(code(bytes: $0.hostPath)))" }.joined(
              separator: ", ")
        }
        out += "| \(code(bytes: finding.path)) | \(detail) |\n"
      }
      if total > limit { out += "\n…and \(total - limit) more (the JSON report lists every one).\n" }
    }
    if !report.regeneration.isEmpty {
      out += "\n### Next steps: rebuild what Immich can\n\n"
      for step in report.regeneration { out += "- \(cell(NextStep.sentence(step)))\n" }
    }
    return out
  }

  /// Plain text safe inside a table cell: shown through `DisplayText` (no line breaks, no bidi
  /// overrides), `|` escaped.
  public static func cell(_ text: String) -> String {
    DisplayText.escaped(text).replacingOccurrences(of: "|", with: "\\|")
  }

  /// A code span that holds any text exactly (after `DisplayText`): fenced by one backtick more
  /// than the longest run of backticks inside, padded with a space where the text begins or
  /// ends with one (CommonMark strips one such space each side), `|` escaped for tables (GFM
  /// reads `\|` inside a code span in a table as `|`).
  public static func code(_ text: String) -> String { code(verbatim: DisplayText.escaped(text)) }

  public static func code(bytes: [UInt8]) -> String { code(verbatim: DisplayText.escaped(bytes: bytes)) }

  private static func code(verbatim shown: String) -> String {
    let shown = shown.replacingOccurrences(of: "|", with: "\\|")
    var longest = 0
    var run = 0
    for character in shown {
      run = character == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: longest + 1)
    let pad = shown.hasPrefix("`") || shown.hasSuffix("`") || shown.isEmpty ? " " : ""
    return fence + pad + shown + pad + fence
  }
}

/// JUnit XML: a test suite per finding kind, a test case per finding; findings of a failing kind
/// are failures, the others pass with their detail as output. Read by GitLab, Jenkins and
/// GitHub test-report actions.
public enum JUnitReport {
  public static func render(_ report: AuditReport, policy: FailurePolicy, to out: inout some TextOutputStream) {
    let failing = Set(Verdict.failingKinds(report, policy: policy))
    func fails(_ finding: Finding) -> Bool {
      finding.kind.failsOnlyAsError && finding.severity != .error ? false : failing.contains(finding.kind)
    }
    // The counts come first in the XML, so they are taken in a pass of their own.
    let tests = report.findings.kindCounts
    let failures = report.findings.failingCounts.filter { failing.contains($0.key) }
    let totalTests = FindingKind.allCases.reduce(0) { $0 + max(tests[$1] ?? 0, 1) }
    out.write(
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <testsuites name="immich-audit" tests="\(totalTests)" failures="\(failures.values.reduce(0, +))" errors="0" \
      skipped="\(VerificationSentence.ran(report.verification) ? 0 : 1)" \
      time="\(String(format: "%.3f", report.timings.total))">

      """)
    // Findings are sorted by severity first, so one kind's may lie in two runs (root-offline).
    for kind in FindingKind.allCases {
      // A check that did not run is skipped, not passed: no content is hashed in --verify size.
      let notRun = kind == .checksumMismatch && !VerificationSentence.ran(report.verification)
      out.write(
        "  <testsuite name=\"\(kind.rawValue)\" tests=\"\(max(tests[kind] ?? 0, 1))\" "
          + "failures=\"\(failures[kind] ?? 0)\" errors=\"0\" skipped=\"\(notRun ? 1 : 0)\" "
          + "timestamp=\"\(report.startedAt)\">\n"
      )
      if notRun {
        out.write(
          "    <testcase classname=\"immich-audit.\(kind.rawValue)\" name=\"content checksums\">\n      <skipped "
            + "message=\"\(xml(VerificationSentence.sentence(report.verification)))\"/>\n    </testcase>\n"
        )
      } else if tests[kind] == nil {
        out.write("    <testcase classname=\"immich-audit.\(kind.rawValue)\" name=\"no \(kind.rawValue) findings\"/>\n")
      }
      for finding in report.findings.of(kind) {
        var cases = ""
        let path = ReportPath(finding.path)
        cases += "    <testcase classname=\"immich-audit.\(kind.rawValue)\" name=\"\(xml(path.text))\">\n"
        var text = finding.detail ?? ""
        if let base64 = path.base64 { text += "\npathBase64: \(base64)" }
        text += "\nhostPath: \(ReportPath(finding.hostPath).text)"
        if let assetId = finding.assetId { text += "\nassetId: \(assetId)" }
        for candidate in finding.candidates { text += "\ncandidate: \(ReportPath(candidate.path).text)" }
        if fails(finding) {
          cases +=
            "      <failure type=\"\(kind.rawValue)\" "
            + "message=\"\(xml(finding.detail ?? kind.rawValue))\">\(xml(text))</failure>\n"
        } else {
          cases += "      <system-out>\(xml(text))</system-out>\n"
        }
        cases += "    </testcase>\n"
        out.write(cases)
      }
      out.write("  </testsuite>\n")
    }
    out.write("</testsuites>\n")
  }

  /// XML 1.0 text: markup escaped, characters XML cannot carry (most control characters)
  /// replaced by U+FFFD; the exact bytes are in the `pathBase64` line.
  static func xml(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "\n": out += "&#10;"
      case "\t": out += "&#9;"
      case "\r": out += "&#13;"
      case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: out += "\u{FFFD}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}

/// CSV (RFC 4180): a header, then a row per finding. Candidates are a JSON array in one field.
public enum CSVReport {
  public static let header = [
    "severity", "kind", "path", "hostPath", "assetId", "libraryId", "ownerId", "detail", "candidates", "pathBase64",
    "hostPathBase64",
  ]

  public static func render(_ report: AuditReport, to out: inout some TextOutputStream) {
    out.write(header.joined(separator: ",") + "\r\n")
    for finding in report.findings {
      let path = ReportPath(finding.path)
      let host = ReportPath(finding.hostPath)
      let candidates =
        finding.candidates.isEmpty
        ? ""
        : JSONValue.array(finding.candidates.map { .object(ReportJSON.paths($0.path, $0.hostPath)) }).renderedCompact()
      let fields = [
        finding.severity.rawValue, finding.kind.rawValue, path.text, host.text, finding.assetId ?? "",
        finding.libraryId ?? "",
        finding.ownerId ?? "", finding.detail ?? "", candidates, path.base64 ?? "", host.base64 ?? "",
      ]
      out.write(fields.map(field).joined(separator: ",") + "\r\n")
    }
  }

  /// RFC 4180 quoting; a cell that a spreadsheet would run as a formula (it begins with `=`,
  /// `+`, `-`, `@`, tab or carriage return) gets a leading `'` (OWASP's CSV-injection rule).
  static func field(_ text: String) -> String {
    var text = text
    if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { text = "'" + text }
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}

/// node_exporter textfile collector format (written atomically by the caller). Gauges only;
/// `promtool check metrics` passes on it (no gauge ends in `_count`, `_total` or `_sum`).
public enum PrometheusReport {
  public static func render(_ report: AuditReport, finishedAt: Date) -> String {
    var out = ""
    metric(
      &out, "immich_audit_findings", "Findings of the last immich-audit check, by kind.",
      FindingKind.allCases.map { ([("kind", $0.rawValue)], String(report.summary[$0] ?? 0)) })
    metric(
      &out, "immich_audit_metadata_items",
      "Immich metadata counts (assets, albums, faces, ...) read by the last check, by counts-manifest key.",
      report.counts.entries.map { ([("key", $0.key)], String($0.value)) })
    // The library is a label too: two libraries may share an import path, and a series may
    // appear only once in a textfile (node_exporter refuses the file otherwise).
    metric(
      &out, "immich_audit_root_up", "1 if the root was online in the last check, 0 if offline.",
      report.roots.map {
        ([("root", $0.container), ("kind", $0.kind.rawValue), ("library", $0.libraryId ?? "")], $0.offline ? "0" : "1")
      })
    metric(
      &out, "immich_audit_duration_seconds", "Duration of the last check, by phase.",
      [
        ([("phase", "database")], seconds(report.timings.database)),
        ([("phase", "filesystem")], seconds(report.timings.filesystem)),
        ([("phase", "verify")], seconds(report.timings.verify)), ([("phase", "total")], seconds(report.timings.total)),
      ])
    ending(&out, exitCode: report.exitCode, finishedAt: finishedAt)
    return out
  }

  /// The textfile of a check that could not audit (exit 2): what is known, so that an alert on
  /// `immich_audit_completed == 0` fires instead of last night's figures standing.
  public static func renderIncomplete(exitCode: Int32, seconds total: Double, finishedAt: Date) -> String {
    var out = ""
    metric(
      &out, "immich_audit_duration_seconds", "Duration of the last check, by phase.",
      [([("phase", "total")], seconds(total))])
    ending(&out, exitCode: exitCode, finishedAt: finishedAt)
    return out
  }

  private static func ending(_ out: inout String, exitCode: Int32, finishedAt: Date) {
    metric(&out, "immich_audit_exit_code", "Exit code of the last check.", [([], String(exitCode))])
    metric(
      &out, "immich_audit_completed", "1 if the last check ran to its end (exit 0, 1 or 3), 0 if it could not audit.",
      [([], [0, 1, 3].contains(exitCode) ? "1" : "0")])
    metric(
      &out, "immich_audit_last_run_timestamp_seconds", "When the last check finished (Unix time).",
      [([], String(format: "%.3f", finishedAt.timeIntervalSince1970))])
  }

  private static func metric(
    _ out: inout String, _ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: String)]
  ) {
    out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
    for sample in samples {
      let labels =
        sample.labels.isEmpty
        ? "" : "{" + sample.labels.map { "\($0.0)=\"\(label($0.1))\"" }.joined(separator: ",") + "}"
      out += "\(name)\(labels) \(sample.value)\n"
    }
  }

  static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

  /// Label values escape backslash, double quote and newline (exposition format).
  static func label(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(
      of: "\n", with: "\\n")
  }
}
