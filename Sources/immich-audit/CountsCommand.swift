import ArgumentParser
import AuditCore
import AuditReports
import Foundation

struct CountsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "counts",
    abstract:
      "Print the metadata counts manifest (albums, people, faces, descriptions, … overall, per owner and per "
      + "library).",
    discussion: """
      Save it from production right after the database dump (--format json --output FILE) and \
      compare a restore against it with `immich-audit compare FILE`. Each count is defined by one \
      SQL file in the queries/ folder (counts-*.sql); no filesystem access.

      \(HelpText.countsExamples)

      \(HelpText.exitCodes)
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @Option(help: "Output format: text (an aligned table) or json (the manifest).")
  var format: CountsFormat = .text

  @Option(help: ArgumentHelp("Write the output to this file instead of stdout (atomically).", valueName: "file"))
  var output: String?

  enum CountsFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

  func run() throws {
    let runner = Runner()
    let outputs = ReportOutputs(output: output)
    try runner.preflight(outputs)
    let manifest = try runner.countsManifest(connection.request())
    let text = format == .json ? manifest.json.rendered() : CountsReport.render(manifest)
    try runner.write(outputs, [ReportOutputs.text(text)])
  }
}
