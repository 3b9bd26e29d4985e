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

  @Option(
    name: .customLong("baseline-db"),
    help: ArgumentHelp("Take the baseline from this database instead (libpq conninfo or URI).", valueName: "conninfo"))
  var baselineDB: String?

  @Option(
    name: .customLong("current"),
    help: ArgumentHelp("Compare this saved manifest instead of reading the database.", valueName: "manifest"))
  var currentManifest: String?

  @Option(
    name: .customLong("tolerance"),
    help: ArgumentHelp("Allowed change per key: KEY=N or KEY=N% (repeatable; * for every key).", valueName: "key=n"),
    transform: Self.tolerance)
  var tolerances: [Tolerance] = []

  @Sendable static func tolerance(_ text: String) throws -> Tolerance {
    do { return try Tolerance(parsing: text) } catch { throw OptionValueError(error.reason) }
  }

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
      throw ValidationError(
        "--current compares a saved manifest, not a database: give either --current or --db/--immich-env")
    }
  }

  func run() throws {
    let runner = Runner()
    let outputs = ReportOutputs(output: output)
    try runner.preflight(outputs)
    var baselineConnection = connection
    // The .env describes the restored Immich, not production.
    baselineConnection.immichEnv = nil
    var (baselineManifest, baselineSource) = try side(
      file: baseline, connection: baselineConnection, database: baselineDB, runner: runner)
    var (currentManifestValue, currentSource) = try side(
      file: currentManifest, connection: connection, database: nil, runner: runner)
    if baselineSource.isEmpty { baselineSource = "(libpq defaults)" }
    if currentSource.isEmpty { currentSource = "(libpq defaults)" }
    let comparison = ManifestComparison(
      baseline: baselineManifest, current: currentManifestValue, tolerances: tolerances)
    if comparison.sharesNoIdentity {
      throw runner.fail(
        "the baseline (\(baselineSource)) and the current side (\(currentSource)) share no user and no library id: "
          + "the baseline looks like another Immich instance's manifest. Compare against a manifest saved from this "
          + "instance's production",
        exitCode: 2)
    }
    let exitCode: Int32 = comparison.failed ? 1 : 0
    let rendered: String
    switch format {
    case .text: rendered = CompareReport.text(comparison, baseline: baselineSource, current: currentSource)
    case .markdown: rendered = CompareReport.markdown(comparison, baseline: baselineSource, current: currentSource)
    case .json:
      rendered = CompareReport.json(
        comparison, baseline: baselineSource, current: currentSource, exitCode: exitCode, tool: ToolInfo.identity
      ).rendered()
    }
    try runner.write(outputs, [ReportOutputs.text(rendered)])
    if exitCode != 0 { throw ExitCode(exitCode) }
  }

  /// One side of the comparison: a saved manifest file, or the counts of a database; with the
  /// name the output gives it.
  private func side(file: String?, connection: ConnectionOptions, database: String?, runner: Runner) throws -> (
    CountsManifest, String
  ) {
    if let file {
      do {
        return (try CountsManifest(contentsOf: URL(fileURLWithPath: file)), file)
      } catch {
        throw runner.fail(error.description, exitCode: 2)
      }
    }
    let manifest = try runner.countsManifest(connection.request(), conninfo: database)
    return (manifest, manifest.database.target)
  }
}
