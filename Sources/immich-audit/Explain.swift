import ArgumentParser
import AuditCore
import AuditReports
import FileScan
import Foundation

struct Explain: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Preflight: the Immich version and schema generation, where paths point, libraries, sample paths.",
    discussion: """
      Run it before a long audit to check that the tool reads your database the way you expect.

      \(HelpText.explainExamples)

      \(HelpText.exitCodes)
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @OptionGroup var mapping: MappingOptions

  @Option(help: ArgumentHelp("Sample paths to show of each kind.", valueName: "n"))
  var samples: Int = 3

  @Flag(help: "Also print every SQL statement as it ran on this database.")
  var sql = false

  @Option(
    name: .customLong("io-timeout"),
    help: ArgumentHelp(
      "Seconds a filesystem call may take before it counts as timed out (a dead mount).", valueName: "seconds"))
  var ioTimeout: Double = 15

  func validate() throws {
    if samples < 0 || samples > 1000 { throw ValidationError("--samples must be between 0 and 1000") }
    if !(ioTimeout > 0 && ioTimeout <= 86400) {
      throw ValidationError("--io-timeout must be a number of seconds above 0 (e.g. 15)")
    }
  }

  func run() throws {
    do {
      try explain()
      Supervisor.exit(0)
    } catch let exit as ExitCode {
      Supervisor.exit(exit.rawValue)
    }
  }

  func explain() throws {
    let runner = Runner()
    let outputs = ReportOutputs(output: nil)
    try runner.preflight(outputs)
    // The same setup as check's: the preflight shows exactly the mappings the audit will use.
    let prepared = try runner.prepare(connection.request(mapping), samplesPerKind: samples)
    prepared.database.close()
    let output = ExplainText.render(ExplainReport(prepared, ioTimeout: ioTimeout, includeSQL: sql))
    try runner.write(outputs, [ReportOutputs.text(output)])
  }
}
