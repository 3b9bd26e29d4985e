import ArgumentParser
import AuditCore
import AuditReports
import Foundation

@main
struct ImmichAudit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "immich-audit",
    abstract: "Read-only integrity auditor for restored Immich photo servers.",
    discussion: """
      Connects read-only to a restored Immich PostgreSQL database (libpq: --db takes a conninfo \
      string or postgresql:// URI; PGHOST, PGUSER, PGPASSWORD, PGSERVICE and ~/.pgpass work as \
      with psql) and reports what it finds.

      \(HelpText.exitCodes)

      The SQL behind every number is in the queries/ folder of the source, one file per \
      question; `immich-audit explain --sql` prints it as run on your database.
      """,
    version: ToolInfo.version,
    subcommands: [Check.self, Explain.self, CountsCommand.self, Compare.self, Sample.self],
    defaultSubcommand: Check.self
  )

  /// ArgumentParser's entry point, after handing filesystem commands to a supervised child.
  static func main() {
    StandardStreams.secure()
    if CommandLine.arguments.count == 1 { guideIfNothingToAudit() }
    Supervisor.superviseIfNeeded()
    Interrupts.install()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      // The commands' own failures have printed their line already (an ExitCode), and --help
      // and --version print as ArgumentParser does; any other error is a usage error, told in
      // one line as every other error is (ArgumentParser's own is several, with the usage).
      if error is ExitCode || exitCode(for: error) == .success { exit(withError: error) }
      Output.standardError("immich-audit: error: \(usageLine(message(for: error)))\n")
      Foundation.exit(exitCode(for: error).rawValue)
    }
  }

  /// Bare `immich-audit` with no way to connect (no PG* variable, no Immich files here): a
  /// short usage with the first command to try, instead of libpq's socket error.
  static func guideIfNothingToAudit() {
    let here = ImmichFiles.inCurrentFolder()
    guard !RunSetup.connectionGiven(RunRequest(), environment: ProcessInfo.processInfo.environment),
      here.env == nil, here.compose == nil
    else { return }
    Output.standardError(
      """
      usage: immich-audit [check|explain|counts|compare|sample] [--db CONNINFO | --immich-env FILE | --compose FILE]
                          [--media-root DIR] [--map CONTAINER=HOST ...] [options]
      No database to audit was given. First try, in Immich's folder (beside docker-compose.yml and .env):
        immich-audit explain
      or from anywhere:
        immich-audit explain --db 'host=127.0.0.1 dbname=immich user=immich_audit' --media-root /srv/immich/library
      'immich-audit --help' lists every command and option.

      """)
    Foundation.exit(64)
  }

  /// ArgumentParser's message on one line (a list of valid values joined by commas), with where
  /// to read more.
  static func usageLine(_ message: String) -> String {
    var parts: [String] = []
    var choices: [String] = []
    for line in message.split(separator: "\n") {
      let text = line.trimmingCharacters(in: .whitespaces)
      if text.hasPrefix("- ") { choices.append(String(text.dropFirst(2))) } else if !text.isEmpty { parts.append(text) }
    }
    if parts.first?.hasPrefix("Error: ") == true { parts[0].removeFirst("Error: ".count) }
    var line = parts.joined(separator: " ")
    if !choices.isEmpty { line += " " + choices.joined(separator: ", ") }
    let names = configuration.subcommands.map { $0._commandName }
    let command = CommandLine.arguments.dropFirst().first { names.contains($0) } ?? Check._commandName
    return line + " (see 'immich-audit \(command) --help')"
  }
}

enum ToolInfo {
  static let name = "immich-audit"
  static let version = "0.1.0"
  static let identity = ToolIdentity(name: name, version: version)
}
