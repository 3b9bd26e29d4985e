import ArgumentParser
import AuditCore
import AuditReports
import Foundation

struct Sample: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "A spot-check list for Immich's web UI: assets drawn at random, the largest albums, the people with the "
      + "most faces.",
    discussion: """
      The assets are drawn from those not in the trash, spread over owners in proportion to \
      their asset counts; the same seed draws the same ones (the report gives the seed used). \
      For each: owner, original path and whether the file is here, albums, named people, \
      description, location, favorite. --format markdown is a checklist to tick off in the UI.

      \(HelpText.sampleExamples)

      \(HelpText.exitCodes)
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @OptionGroup var mapping: MappingOptions

  @Option(
    name: [.customShort("n"), .customLong("count")],
    help: ArgumentHelp("Assets, albums and people to list.", valueName: "n"))
  var count: Int = 10

  @Option(
    help: ArgumentHelp("Seed of the draw (the report gives the seed used, to draw the same again).", valueName: "n"))
  var seed: UInt64?

  @Option(help: "Format: text, json or markdown (a checklist).")
  var format: SampleReportFormat = .text

  @Option(help: ArgumentHelp("Write the list to this file instead of stdout (atomically).", valueName: "file"))
  var output: String?

  @OptionGroup var timeout: LookTimeoutOption

  func validate() throws {
    if count < 1 || count > 10_000 { throw ValidationError("--count must be between 1 and 10000") }
    if let seed, seed > UInt64(Int64.max) { throw ValidationError("--seed must be between 0 and \(Int64.max)") }
  }

  func run() throws {
    try Supervisor.exit {
      try sample()
      return 0
    }
  }

  func sample() throws {
    let runner = Runner()
    let outputs = ReportOutputs(output: output)
    try runner.preflight(outputs)
    let prepared = try runner.prepare(connection.request(mapping), samplesPerKind: 0, prefixesOnlyIfNeeded: true)
    let drawn: SpotCheckSample
    do {
      drawn = try prepared.database.spotCheckSample(
        count: count, seed: seed ?? UInt64.random(in: 0...UInt64(Int64.max)), mapper: prepared.mappings.mapper,
        ioTimeout: timeout.ioTimeout)
    } catch {
      throw runner.fail(error.description, exitCode: 2)
    }
    prepared.database.close()
    try runner.write(outputs, [ReportOutputs.text(format.render(drawn))])
  }
}

extension SampleReportFormat: ExpressibleByArgument {}
