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

  @OptionGroup var timeout: LookTimeoutOption

  func validate() throws {
    if samples < 0 || samples > 1000 { throw ValidationError("--samples must be between 0 and 1000") }
  }

  func run() throws {
    try Supervisor.exit {
      try explain()
      return 0
    }
  }

  func explain() throws {
    let runner = Runner()
    let outputs = ReportOutputs(output: nil)
    try runner.preflight(outputs)
    // The same setup as check's: the preflight shows exactly the mappings the audit will use.
    let prepared = try runner.prepare(connection.request(mapping), samplesPerKind: samples)
    prepared.database.close()
    let output = ExplainText.render(ExplainReport(prepared, ioTimeout: timeout.ioTimeout, includeSQL: sql))
    try runner.write(outputs, [ReportOutputs.text(output)])
  }
}
