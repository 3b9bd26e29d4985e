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

  @Option(name: .customLong("io-timeout"), help: ArgumentHelp("Seconds a filesystem call may take before it counts as timed out (a dead mount).", valueName: "seconds"))
  var ioTimeout: Double = 15

  func validate() throws {
    if samples < 0 || samples > 1000 { throw ValidationError("--samples must be between 0 and 1000") }
    if !(ioTimeout > 0 && ioTimeout <= 86400) { throw ValidationError("--io-timeout must be a number of seconds above 0 (e.g. 15)") }
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
    try outputs.preflight(runner)
    let files = try runner.immichFiles(connection, compose: mapping.compose, discover: true)
    let database = try runner.openDatabase(connection, files: files)
    let overview: DatabaseOverview
    do {
      overview = try database.overview(samplesPerKind: samples)
    } catch {
      throw runner.fail(error.description, exitCode: 2)
    }
    database.close()
    // The same step as check's: the preflight shows exactly the mappings the audit will use.
    let run = RunMappings(overview: overview, configuration: runner.mappingConfiguration(mapping, files: files))
    let mapper = run.mapper
    var output = ""
    let d = database.description
    output += "Database:   \(DisplayText.escaped(d.target.isEmpty ? "(libpq defaults)" : d.target))\n"
    output += "PostgreSQL: \(d.serverVersion)\n"
    output += "Immich:     \(d.immichVersion.map(DisplayText.escaped) ?? "unknown (no version_history: Immich before v1.117)") (newest version_history row)\n"
    output += "Schema:     \(d.schema) (\(database.schema.pluralNames ? "plural" : "singular") table names), decided by these catalog probes:\n"
    var probes = TextTable(header: ["RELEASE", "PROBE", "FOUND"])
    for probe in database.schema.probes {
      probes.rows.append([probe.release, probe.question, probe.answer ? "yes" : "no"])
    }
    output += probes.rendered(indent: "  ")
    output += "\nMedia location (system_metadata MediaLocation): \(overview.mediaLocation.map(DisplayText.escaped) ?? "not set (Immich before v1.136, or never booted since)")\n"
    output += "Original paths begin with:\n"
    var prefixes = TextTable(header: ["PREFIX", "ASSETS", "KIND"], rightAligned: [1])
    for prefix in overview.pathPrefixes {
      prefixes.rows.append([prefix.prefix, String(prefix.assets), prefix.external ? "external library" : "upload/library"])
    }
    output += overview.pathPrefixes.isEmpty ? "  (no assets)\n" : prefixes.rendered(indent: "  ")
    output += "\nLibraries:\n"
    if overview.libraries.isEmpty { output += "  (no external libraries)\n" }
    for library in overview.libraries {
      output += "  \(DisplayText.escaped(library.name)) (\(library.id))\(library.deleted ? " [deleted]" : "")\n"
      output += "    import paths:       \(library.importPaths.isEmpty ? "(none)" : library.importPaths.map(DisplayText.escaped).joined(separator: ", "))\n"
      output += "    exclusion patterns: \(library.exclusionPatterns.isEmpty ? "(none)" : library.exclusionPatterns.map(DisplayText.escaped).joined(separator: ", "))\n"
    }
    output += "\nPath mappings (longest container prefix wins):\n"
    var mappings = TextTable(header: ["CONTAINER", "HOST", "SOURCE"])
    for m in run.mappings { mappings.rows.append([m.container, m.host, m.source.rawValue]) }
    // The identity rows are the roots used as they are, as check's report lists them.
    if mapper.mappings.isEmpty { output += "  (none: paths are used as they are; give --media-root, --map, --compose or --immich-env)\n" }
    if !run.mappings.isEmpty { output += mappings.rendered(indent: "  ") }
    output += "\nRoots (the folders check walks; status at a glance, without walking them):\n"
    var roots = TextTable(header: ["KIND", "CONTAINER", "HOST", "STATUS", "MARKER"])
    var probeOptions = FilesystemAudit.Options()
    probeOptions.ioTimeout = ioTimeout
    let probed = FilesystemAudit(mapper: mapper, mediaLocation: run.style, libraries: overview.libraries, options: probeOptions).probedRoots()
    for root in probed {
      roots.rows.append([root.kind.rawValue, root.container, root.hostString, root.status.rawValue, root.kind == .importPath ? "-" : (root.marker ? "yes" : "no")])
    }
    output += roots.rendered(indent: "  ")
    for advice in run.advice(for: probed, libraries: overview.libraries) { output += "  " + DisplayText.escaped(advice) + "\n" }
    output += "\nSample paths (database path, then host path and whether it exists here):\n"
    var missing: [String] = []
    // Under the I/O timeout: a sample on a dead mount says so instead of hanging explain.
    let hosts = overview.samples.map { mapper.hostPath(Array($0.path.utf8)).path }
    let statuses = FileStatus.of(hosts, threads: 4, timeout: ioTimeout)
    for (sample, (host, status)) in zip(overview.samples, zip(hosts, statuses)) {
      let word: String
      switch status {
      case .missing: word = "MISSING"
      case nil: word = "TIMED OUT"
      case .failed(let code): word = "UNREADABLE: \(SystemError.sentence(code))"
      default: word = "exists"
      }
      if word != "exists" { missing.append(sample.path) }
      output += "  \(sample.kind) \(sample.id)\n    \(DisplayText.escaped(sample.path))\n    -> \(DisplayText.escaped(bytes: host))  [\(word)]\n"
    }
    if overview.samples.isEmpty { output += "  (none)\n" }
    if !overview.samples.isEmpty && missing.count * 2 > overview.samples.count {
      output += "\n\(missing.count) of \(overview.samples.count) sample paths do not exist on this machine. "
      if mapper.hostPath(Array(run.style.utf8)).mapping == nil {
        output += "The media location is \(DisplayText.escaped(run.style)) in the container: give its host folder (Immich's UPLOAD_LOCATION) with --media-root DIR, or --map \(DisplayText.escaped(run.style))=DIR.\n"
      } else {
        output += "Check the host folders above; an external library's import path needs --map CONTAINER=HOST (or --compose with Immich's docker-compose.yml).\n"
      }
    }
    if sql {
      output += "\nSQL as run (inside BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY):\n"
      for (name, text) in database.executed {
        output += "\n-- queries/\(name)\n\(text.hasSuffix("\n") ? text : text + "\n")"
      }
    }
    try outputs.write([ReportOutputs.text(output)], runner)
  }
}
