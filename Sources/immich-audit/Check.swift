import ArgumentParser
import AuditCore
import AuditReports
import Foundation
import Synchronization

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "The full audit: every path the database references against the filesystem, and every media file on disk "
      + "against the database.",
    discussion: """
      Roots are the media folders (upload, library, thumbs, encoded-video, profile) under \
      Immich's media location and the import paths of every external library. A root that is \
      missing, unreadable or holds none of the files the database expects is one root-offline \
      finding (exit 3 when it holds originals) instead of thousands of missing files.

      Finding kinds: \(FindingKind.allCases.map(\.rawValue).joined(separator: ", ")).
      Failing by default: missing-original, size-mismatch, checksum-mismatch, unreadable, \
      not-a-file, root-offline (of a root holding originals), boot-blocker (unless the .env sets \
      IMMICH_IGNORE_MOUNT_CHECK_ERRORS=true).

      \(HelpText.checkExamples)

      \(HelpText.exitCodes)
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @OptionGroup var mapping: MappingOptions

  @Option(help: "Report format: text, json, ndjson, junit, markdown or csv.")
  var format: CheckReportFormat = .text

  @Option(help: ArgumentHelp("Write the report to this file instead of stdout (atomically).", valueName: "file"))
  var output: String?

  @Option(
    name: .customLong("report"),
    help: ArgumentHelp(
      "Also write the report in FORMAT to FILE (repeatable; - is stdout), from the same run: e.g. --report "
        + "json:audit.json --report junit:junit.xml --report markdown:$GITHUB_STEP_SUMMARY.",
      valueName: "format:file"),
    transform: ExtraReport.init(parsing:))
  var reports: [ExtraReport] = []

  @Option(
    help: ArgumentHelp(
      "Also write Prometheus metrics for node_exporter's textfile collector (atomically).", valueName: "file"))
  var prometheus: String?

  @Option(
    name: .customLong("fail-on"),
    help: ArgumentHelp(
      "Finding kinds that fail the run (comma-separated; replaces the default set).", valueName: "kind,…"),
    transform: Self.kinds(failOn:))
  var failOn: [[FindingKind]] = []

  @Option(
    name: .customLong("max"),
    help: ArgumentHelp("Allow up to N findings of KIND; more fail the run (repeatable).", valueName: "kind=n"),
    transform: Self.limit(max:))
  var max: [FailurePolicy.Limit] = []

  @Option(
    help: ArgumentHelp(
      "none: existence only; size: also sizes against the database (default); sample:N% or sample:N: also the "
        + "content SHA-1 of a random sample of the content-hashed originals; all: of every one.",
      valueName: "tier"))
  var verify: VerifyTier = .size

  @Option(
    help: ArgumentHelp("Seed of the random sample (the report gives the seed used, to repeat a run).", valueName: "n"))
  var seed: UInt64?

  @Option(
    name: .customLong("verify-time"),
    help: ArgumentHelp(
      "Seconds content hashing may take; the report says whether everything selected was hashed.", valueName: "seconds")
  )
  var verifyTime: Double?

  @Option(
    help: ArgumentHelp(
      "Filesystem calls (and files hashed) in flight at once (default: the number of cores, at least 2, to start "
        + "with, up to 64 (32 files) while more threads complete more calls: a cold disk, NFS, FUSE).",
      valueName: "n"))
  var jobs: Int?

  @Option(
    name: .customLong("io-timeout"),
    help: ArgumentHelp(
      "Seconds a filesystem call may take before its root counts as offline (timed-out): a dead NFS server or share "
        + "never hangs the audit.",
      valueName: "seconds"))
  var ioTimeout: Double = 15

  @Option(help: ArgumentHelp("Findings of each kind shown by the text and markdown formats.", valueName: "n"))
  var limit: Int = 20

  @Flag(name: .customLong("no-progress"), help: "No progress line on stderr (shown only when stderr is a terminal).")
  var noProgress = false

  func validate() throws {
    if let jobs, jobs < 1 || jobs > 1024 { throw ValidationError("--jobs must be between 1 and 1024") }
    if limit < 0 { throw ValidationError("--limit must be 0 or more") }
    if let seed, seed > UInt64(Int64.max) { throw ValidationError("--seed must be between 0 and \(Int64.max)") }
    if let verifyTime, !(verifyTime > 0) { throw ValidationError("--verify-time must be a number of seconds above 0") }
    if !(ioTimeout > 0 && ioTimeout <= 86400) {
      throw ValidationError("--io-timeout must be a number of seconds above 0 (e.g. 15)")
    }
  }

  func run() throws {
    try Supervisor.exit { try audit() }
  }

  /// What goes to one destination: the report in a format, or the Prometheus textfile.
  enum Product {
    case report(CheckReportFormat)
    case prometheus
  }

  @Sendable static func kinds(failOn text: String) throws -> [FindingKind] {
    do { return try FailurePolicy.kinds(failOn: text) } catch { throw OptionValueError(error.reason) }
  }

  @Sendable static func limit(max text: String) throws -> FailurePolicy.Limit {
    do { return try FailurePolicy.limit(max: text) } catch { throw OptionValueError(error.reason) }
  }

  /// `--report FORMAT:FILE` (FILE `-` is stdout; the first colon ends FORMAT).
  struct ExtraReport {
    let format: CheckReportFormat
    let path: String?

    init(parsing text: String) throws {
      guard let colon = text.firstIndex(of: ":"), let format = CheckReportFormat(rawValue: String(text[..<colon]))
      else {
        throw OptionValueError(
          "expected FORMAT:FILE with FORMAT one of \(CheckReportFormat.allCases.map(\.rawValue).joined(separator: ", ")) "
            + "(e.g. junit:junit.xml; - for stdout)"
        )
      }
      let path = String(text[text.index(after: colon)...])
      guard !path.isEmpty else { throw OptionValueError("give a file after the colon (- for stdout)") }
      self.format = format
      self.path = path == "-" ? nil : path
    }
  }

  /// Where each report and the metrics go: checked before the audit, written after it.
  func products() -> [(destination: ReportDestination, product: Product)] {
    var list: [(ReportDestination, Product)] = [
      (output.map { ReportDestination(option: "--output", path: $0) } ?? .standardOutput(), .report(format))
    ]
    if let prometheus { list.append((ReportDestination(option: "--prometheus", path: prometheus), .prometheus)) }
    for extra in reports {
      list.append(
        (
          extra.path.map { ReportDestination(option: "--report \(extra.format.rawValue):", path: $0) }
            ?? .standardOutput(), .report(extra.format)
        ))
    }
    return list
  }

  /// The audit; returns the exit code.
  func audit() throws -> Int32 {
    let policy = FailurePolicy(failOn: failOn, maxima: max)
    let started = Date()
    let runner = Runner()
    let products = products()
    let outputs = ReportOutputs(destinations: products.map(\.destination))
    do {
      try runner.preflight(outputs)
      return try audit(
        runner: runner, outputs: outputs, products: products.map(\.product), policy: policy, started: started)
    } catch let exit as ExitCode where exit.rawValue == 2 && prometheus != nil {
      // The textfile says the check could not audit (the database, or another output, failed),
      // so an alert on it fires instead of the last good run's figures standing. Quietly: the
      // run's error is told already, and the textfile may be what failed.
      let finished = Date()
      let metrics = PrometheusReport.renderIncomplete(
        exitCode: 2, seconds: finished.timeIntervalSince(started), finishedAt: finished)
      if let textfile = products.first(where: { if case .prometheus = $0.product { true } else { false } }) {
        let quiet = Runner(quiet: true)
        let single = ReportOutputs(destinations: [textfile.destination])
        if (try? quiet.preflight(single)) != nil { try? quiet.write(single, [ReportOutputs.text(metrics)]) }
      }
      throw exit
    }
  }

  private func audit(runner: Runner, outputs: ReportOutputs, products: [Product], policy: FailurePolicy, started: Date)
    throws -> Int32
  {
    let databaseStart = Date()
    let prepared = try runner.prepare(connection.request(mapping), samplesPerKind: 0, prefixesOnlyIfNeeded: true)
    let (database, overview, mappings) = (prepared.database, prepared.overview, prepared.mappings)
    let progress = AuditProgress()
    let line = ProgressLine(progress: progress, enabled: !noProgress && isatty(2) == 1)
    let counts: Counts
    let outcome: FilesystemAudit.Outcome
    let audit: FilesystemAudit
    var databaseSeconds = 0.0
    do {
      counts = try database.overallCounts()
      var options = FilesystemAudit.Options()
      options.verify = verify
      if let seed { options.seed = seed }
      options.verifyTime = verifyTime
      options.expectedAssets = counts["assets"]
      options.jobs = jobs
      options.ioTimeout = ioTimeout
      options.ignoreMountCheckErrors = prepared.files.env?.flag("IMMICH_IGNORE_MOUNT_CHECK_ERRORS") ?? false
      audit = FilesystemAudit(
        mapper: mappings.mapper, mediaLocation: mappings.style, libraries: overview.libraries, options: options,
        progress: progress)
      databaseSeconds = Date().timeIntervalSince(databaseStart)
      line.start()
      outcome = try audit.run(database)
      line.stop()
    } catch {
      line.stop()
      throw runner.fail(error.description, exitCode: 2)
    }
    database.close()
    for advice in mappings.advice(for: outcome.roots, libraries: overview.libraries) { runner.warn(advice) }
    let finished = Date()
    let report = AuditReport(
      outcome, counts: counts, database: database.description, mappings: mappings.mappings, started: started,
      finished: finished, setupSeconds: databaseSeconds, policy: policy)
    let renders = zip(outputs.destinations, products).map { destination, product -> ReportOutputs.Render in
      let render = self.render(report, product, to: destination, policy: policy, finished: finished)
      // The spilled findings could not be read back: the report would lack some, so it is not kept.
      return { sink in
        render(sink)
        if let problem = report.findings.readError { sink.abandon(problem) }
      }
    }
    try runner.write(outputs, renders)
    return report.exitCode
  }

  private func render(
    _ report: AuditReport, _ product: Product, to destination: ReportDestination, policy: FailurePolicy,
    finished: Date
  ) -> ReportOutputs.Render {
    switch product {
    case .prometheus: return ReportOutputs.text(PrometheusReport.render(report, finishedAt: finished))
    case .report(let format):
      // Colour only for a person: text on a terminal, unless NO_COLOR.
      let colour =
        destination.path == nil && isatty(1) == 1
        && ProcessInfo.processInfo.environment["NO_COLOR", default: ""].isEmpty
      return format.render(report, policy: policy, limit: limit, colour: colour, tool: ToolInfo.identity)
    }
  }
}

/// "rows 1,234,567 · files 2,345,678 (412,000/s)" on stderr, redrawn in place, only on a terminal.
/// Started and stopped on the main thread only; the timer's queue only reads the counters.
final class ProgressLine: @unchecked Sendable {
  let progress: AuditProgress
  let enabled: Bool
  private var timer: (any DispatchSourceTimer)?
  private let started = Date()

  init(progress: AuditProgress, enabled: Bool) {
    self.progress = progress
    self.enabled = enabled
  }

  func start() {
    guard enabled else { return }
    let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "immich-audit.progress"))
    source.schedule(deadline: .now() + 0.5, repeating: 0.5)
    source.setEventHandler { [self] in draw() }
    source.resume()
    timer = source
  }

  func stop() {
    guard let source = timer else { return }
    source.cancel()
    timer = nil
    Output.standardError("\r\u{1B}[K")
  }

  private func draw() {
    let rows = progress.rowsRead.load(ordering: .relaxed)
    let files = progress.filesWalked.load(ordering: .relaxed)
    let seconds = Swift.max(Date().timeIntervalSince(started), 0.001)
    Output.standardError(
      "\r\u{1B}[Kimmich-audit: rows read \(rows), files walked \(files) (\(Int(Double(rows + files) / seconds))/s)")
  }
}

extension VerifyTier: ExpressibleByArgument {
  public init?(argument: String) { self.init(argument) }
  public static var defaultCompletionKind: CompletionKind {
    .list(["none", "size", "sample:10%", "sample:1000", "all"])
  }
}

extension CheckReportFormat: ExpressibleByArgument {}
