import ArgumentParser
import AuditCore
import AuditReports
import Foundation

struct Compare: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compare this database's counts with a saved manifest (or a second database).",
    discussion: """
      BASELINE is a manifest saved with `immich-audit counts --format json`, best taken right \
      after the production dump. The current side is the database given by --db/--immich-env, or \
      a second manifest with --current. A decrease fails (exit 1): the restore lost rows. An \
      increase is a warning. --tolerance KEY=N or KEY=N% allows a change (KEY may be * or end \
      in *). Against live production (--baseline-db), production may have moved on since the \
      backup: the output says how far apart the two newest assets are.

      \(HelpText.compareExamples)

      \(HelpText.exitCodes)
      """
  )

  @Argument(help: ArgumentHelp("Saved counts manifest (JSON) to compare against.", valueName: "baseline"))
  var baseline: String?

  @Option(name: .customLong("baseline-db"), help: ArgumentHelp("Take the baseline from this database instead (libpq conninfo or URI).", valueName: "conninfo"))
  var baselineDB: String?

  @Option(name: .customLong("current"), help: ArgumentHelp("Compare this saved manifest instead of reading the database.", valueName: "manifest"))
  var currentManifest: String?

  @Option(name: .customLong("tolerance"), help: ArgumentHelp("Allowed change per key: KEY=N or KEY=N% (repeatable; * for every key).", valueName: "key=n"))
  var tolerances: [String] = []

  @OptionGroup var connection: ConnectionOptions

  @Option(help: "Output format: text, json or markdown.")
  var format: OutputFormat = .text

  @Option(help: ArgumentHelp("Write the output to this file instead of stdout (atomically).", valueName: "file"))
  var output: String?

  func validate() throws {
    if (baseline == nil) == (baselineDB == nil) {
      throw ValidationError("give either a BASELINE manifest file or --baseline-db, not both or neither")
    }
    if currentManifest != nil && (connection.db != nil || connection.immichEnv != nil) {
      throw ValidationError("--current compares a saved manifest, not a database: give either --current or --db/--immich-env")
    }
    for text in tolerances {
      do {
        _ = try Tolerance(parsing: text)
      } catch {
        throw ValidationError(error.description)
      }
    }
  }

  func run() throws {
    let runner = Runner()
    let outputs = ReportOutputs(output: output)
    try outputs.preflight(runner)
    // Already checked in validate().
    let tolerances = self.tolerances.compactMap { try? Tolerance(parsing: $0) }
    var baselineConnection = connection
    // The .env describes the restored Immich, not production.
    baselineConnection.immichEnv = nil
    var (baselineManifest, baselineSource) = try side(file: baseline, connection: baselineConnection, database: baselineDB, runner: runner)
    var (currentManifestValue, currentSource) = try side(file: currentManifest, connection: connection, database: nil, runner: runner)
    if baselineSource.isEmpty { baselineSource = "(libpq defaults)" }
    if currentSource.isEmpty { currentSource = "(libpq defaults)" }
    let comparison = ManifestComparison(baseline: baselineManifest, current: currentManifestValue, tolerances: tolerances)
    if comparison.sharesNoIdentity {
      throw runner.fail(
        "the baseline (\(baselineSource)) and the current side (\(currentSource)) share no user and no library id: the baseline looks like another Immich instance's manifest. Compare against a manifest saved from this instance's production",
        exitCode: 2)
    }
    let exitCode: Int32 = comparison.failed ? 1 : 0
    let rendered: String
    switch format {
    case .text: rendered = CompareRender.text(comparison, baseline: baselineSource, current: currentSource)
    case .markdown: rendered = CompareRender.markdown(comparison, baseline: baselineSource, current: currentSource)
    case .json: rendered = CompareRender.json(comparison, baseline: baselineSource, current: currentSource, exitCode: exitCode).rendered()
    }
    try outputs.write([ReportOutputs.text(rendered)], runner)
    if exitCode != 0 { throw ExitCode(exitCode) }
  }

  /// One side of the comparison: a saved manifest file, or the counts of a database; with the
  /// name the output gives it.
  private func side(file: String?, connection: ConnectionOptions, database: String?, runner: Runner) throws -> (CountsManifest, String) {
    if let file {
      do {
        return (try CountsManifest(contentsOf: URL(fileURLWithPath: file)), file)
      } catch {
        throw runner.fail(error.description, exitCode: 2)
      }
    }
    let manifest = try runner.countsManifest(connection, database: database)
    return (manifest, manifest.database.target)
  }
}

enum CompareRender {
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
    let d = comparison.decreases.count, i = comparison.increases.count, t = comparison.tolerated.count
    let n = comparison.notCompared.count
    let result = d > 0 ? "FAIL" : "OK"
    return "\(result): \(d) decrease\(d == 1 ? "" : "s") (fail), \(i) increase\(i == 1 ? "" : "s") (warning), \(t) tolerated"
      + (n > 0 ? ", \(n) not compared (a key only one side has, or one this immich-audit does not know)" : "")
  }

  static func text(_ comparison: ManifestComparison, baseline: String, current: String) -> String {
    var output = DisplayText.escaped("Baseline: \(baseline) (taken \(comparison.baseline.takenAt.isEmpty ? "unknown" : comparison.baseline.takenAt), Immich \(comparison.baseline.database.immichVersion ?? "unknown"))") + "\n"
    output += DisplayText.escaped("Current:  \(current) (taken \(comparison.current.takenAt.isEmpty ? "unknown" : comparison.current.takenAt), Immich \(comparison.current.database.immichVersion ?? "unknown"))") + "\n"
    output += DisplayText.escaped(comparison.gapSentence) + "\n\n"
    var overall = TextTable(header: ["COUNT", "BASELINE", "CURRENT", "DELTA", "%", ""], rightAligned: [1, 2, 3, 4])
    for entry in comparison.entries where entry.scope == "overall" {
      overall.rows.append([entry.key, value(entry.baseline), value(entry.current), String(format: "%+d", entry.delta), percent(entry), statusWord(entry)])
    }
    output += overall.rendered()
    let changed = comparison.entries.filter { $0.scope != "overall" && $0.status != .same }
    if !changed.isEmpty {
      output += "\nChanges per owner and library\n"
      var table = TextTable(header: ["SCOPE", "COUNT", "BASELINE", "CURRENT", "DELTA", "%", ""], rightAligned: [2, 3, 4, 5])
      for entry in changed {
        table.rows.append([scopeName(entry), entry.key, value(entry.baseline), value(entry.current), String(format: "%+d", entry.delta), percent(entry), statusWord(entry)])
      }
      output += table.rendered()
    }
    output += "\n" + verdict(comparison) + "\n"
    return output
  }

  static func markdown(_ comparison: ManifestComparison, baseline: String, current: String) -> String {
    var output = "## immich-audit compare: \(comparison.failed ? "❌ counts decreased" : "✅ no count decreased")\n\n"
    output += "- Baseline: \(MarkdownReport.code(baseline)) (taken \(MarkdownReport.cell(comparison.baseline.takenAt)))\n"
    output += "- Current: \(MarkdownReport.code(current)) (taken \(MarkdownReport.cell(comparison.current.takenAt)))\n"
    output += "- \(MarkdownReport.cell(comparison.gapSentence))\n\n"
    output += "| Scope | Count | Baseline | Current | Delta | % | Status |\n|---|---|---:|---:|---:|---:|---|\n"
    for entry in comparison.entries where entry.scope == "overall" || entry.status != .same {
      output += "| \(MarkdownReport.cell(scopeName(entry))) | \(MarkdownReport.code(entry.key)) | \(value(entry.baseline)) | \(value(entry.current)) | \(String(format: "%+d", entry.delta)) | \(percent(entry)) | \(statusWord(entry)) |\n"
    }
    output += "\n**\(verdict(comparison))**\n"
    return output
  }

  static func json(_ comparison: ManifestComparison, baseline: String, current: String, exitCode: Int32) -> JSONValue {
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
        ("percent", entry.percent.map { .double(($0 * 100).rounded() / 100) } ?? .null), ("status", .string(entry.status.rawValue)), ("note", .optional(entry.note)),
      ])
    }
    return .object([
      ("compareVersion", .int(1)),
      ("tool", .object([("name", .string(ToolInfo.name)), ("version", .string(ToolInfo.version))])),
      ("baseline", side(comparison.baseline, baseline)),
      ("current", side(comparison.current, current)),
      ("newestGapSeconds", comparison.newestGapSeconds.map { .double($0) } ?? .null),
      ("gap", .string(comparison.gapSentence)),
      ("entries", .array(entries)),
      ("summary", .object([
        ("decreases", .int(comparison.decreases.count)), ("increases", .int(comparison.increases.count)),
        ("tolerated", .int(comparison.tolerated.count)), ("notCompared", .int(comparison.notCompared.count)),
      ])),
      ("exitCode", .int(Int(exitCode))),
    ])
  }
}
