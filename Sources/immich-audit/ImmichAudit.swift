import ArgumentParser

@main
struct ImmichAudit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "immich-audit",
    abstract: "Read-only integrity auditor for restored Immich photo servers.",
    discussion: """
      Connects read-only to a restored Immich PostgreSQL database (libpq: --db takes a conninfo \
      string or postgresql:// URI; PGHOST, PGUSER, PGPASSWORD, PGSERVICE and ~/.pgpass work as \
      with psql) and reports what it finds.

      Exit codes:
        0    clean
        1    findings over a failing threshold (compare: a count decreased)
        2    could not audit (connection, authentication, unsupported schema, database error,
             unreadable input file)
        3    a root holding originals is offline or mis-mapped
        64   usage error (unknown option, malformed argument or connection string)
        130  interrupted (Ctrl-C)

      The SQL behind every number is in the queries/ folder of the source, one file per \
      question; `immich-audit explain --sql` prints it as run on your database.
      """,
    version: ToolInfo.version,
    subcommands: [Check.self, Explain.self, CountsCommand.self, Compare.self],
    defaultSubcommand: Check.self
  )

  /// ArgumentParser's entry point, after handing filesystem commands to a supervised child.
  static func main() {
    Supervisor.superviseIfNeeded()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      exit(withError: error)
    }
  }
}

enum ToolInfo {
  static let name = "immich-audit"
  static let version = "0.1.0"
}
