import Foundation
import Testing

/// Bad input: one clear line on stderr, the documented exit code, never a backtrace or a password.
@Suite("bad input and redaction")
struct BadInputTests {
  static let secret = "Hunter2-very-secret"

  /// What every failing run must look like.
  func expectOneLine(
    _ result: CLI.Result, exitCode: Int32, containing text: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(result.status == exitCode, "\(result.output)", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
    // A password given in --db is warned about first (tested on its own below).
    let lines = result.stderr.split(separator: "\n").filter {
      !$0.hasPrefix("immich-audit: warning: a password on the command line")
    }
    #expect(lines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(lines.first?.hasPrefix("immich-audit: error: ") == true, sourceLocation: sourceLocation)
    #expect(result.stderr.contains(text), "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(!result.output.contains(Self.secret), sourceLocation: sourceLocation)
    #expect(!result.output.contains("Fatal error"), sourceLocation: sourceLocation)
  }

  @Test("a conninfo string libpq rejects is a usage error (64), judged before any I/O")
  func badConninfo() throws {
    expectOneLine(
      try CLI.run(["counts", "--db", "host=localhost bogus=1 password=\(Self.secret)"]), exitCode: 64,
      containing: "invalid connection option \"bogus\"")
    expectOneLine(
      try CLI.run(["counts", "--db", "host=localhost password \(Self.secret)"]), exitCode: 64,
      containing: "invalid connection string")
    expectOneLine(
      try CLI.run(["counts", "--db", "postgresql://user:\(Self.secret)@[::1/db"]), exitCode: 64,
      containing: "invalid connection string")
  }

  @Test("wrong password: exit 2, says so, never prints the password (--db or .env)")
  func wrongPassword() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v3.1")
    expectOneLine(
      try CLI.run(["counts", "--db", cluster.auditorConninfo(name, password: Self.secret)]), exitCode: 2,
      containing: "password authentication failed for user \"auditor\"")
    expectOneLine(
      try CLI.run(["explain", "--db", "postgresql://auditor:\(Self.secret)@127.0.0.1:\(cluster.port)/\(name)"]),
      exitCode: 2, containing: "check the password")
    let folder = try TemporaryFolder()
    let env = try folder.write(
      ".env",
      "DB_HOSTNAME=127.0.0.1\nDB_PORT=\(cluster.port)\nDB_USERNAME=auditor\n"
        + "DB_PASSWORD=\(Self.secret)\nDB_DATABASE_NAME=\(name)\n"
    )
    expectOneLine(try CLI.run(["counts", "--immich-env", env]), exitCode: 2, containing: "DB_PASSWORD")
    expectOneLine(
      try CLI.run(
        ["counts"],
        environment: [
          "PGHOST": "127.0.0.1", "PGPORT": String(cluster.port), "PGUSER": "auditor", "PGPASSWORD": Self.secret,
          "PGDATABASE": name,
        ]), exitCode: 2, containing: "password authentication failed")
  }

  @Test("a correct password is never printed either, in any output")
  func passwordNotInReports() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v3.1")
    for arguments in [
      ["counts", "--format", "json"], ["counts"], ["explain", "--sql"],
      ["compare", "--format", "json", "--baseline-db", cluster.auditorConninfo(name)],
    ] {
      let result = try CLI.run(arguments + ["--db", cluster.auditorConninfo(name)])
      #expect(result.status == 0, "\(arguments): \(result.stderr)")
      #expect(!result.output.contains(TestCluster.auditorPassword), "\(arguments)")
      #expect(result.stdout.contains("user=auditor"), "\(arguments)")
    }
  }

  @Test("a missing database: exit 2, names it and what to check")
  func missingDatabase() throws {
    let cluster = try TestCluster.shared()
    expectOneLine(
      try CLI.run(["counts", "--db", cluster.superuserConninfo("no_such_db")]), exitCode: 2,
      containing: "database \"no_such_db\" does not exist")
  }

  @Test("nothing listening: exit 2 with host and port advice")
  func connectionRefused() throws {
    // Port 1 on loopback: nothing listens there.
    expectOneLine(
      try CLI.run(["counts", "--db", "host=127.0.0.1 port=1 user=x password=\(Self.secret) dbname=immich"]),
      exitCode: 2, containing: "Check the host and port")
  }

  @Test("an unreadable or malformed .env: exit 2 naming the file")
  func unreadableEnv() throws {
    expectOneLine(
      try CLI.run(["counts", "--immich-env", "/nonexistent/.env"]), exitCode: 2,
      containing: "/nonexistent/.env: cannot read it")
    let folder = try TemporaryFolder()
    let env = try folder.write(".env", "DB_PASSWORD=\(Self.secret)\nnot an assignment\n")
    expectOneLine(try CLI.run(["counts", "--immich-env", env]), exitCode: 2, containing: ".env:2: expected KEY=VALUE")
    // A secret file that is a folder: the errno's sentence, never Foundation's error text.
    try FileManager.default.createDirectory(atPath: folder.path + "/secrets", withIntermediateDirectories: true)
    let secretEnv = try folder.write("secret.env", "DB_HOSTNAME=127.0.0.1\nDB_PASSWORD_FILE=secrets\n")
    let folderSecret = try CLI.run(["counts", "--immich-env", secretEnv])
    expectOneLine(
      folderSecret, exitCode: 2, containing: "cannot read DB_PASSWORD_FILE \(folder.path)/secrets (is a directory)")
    #expect(!folderSecret.stderr.contains("NSCocoaErrorDomain"))
  }

  @Test("a role without read access is told which GRANT fixes it")
  func permissionDenied() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v2.5")
    try cluster.psql(
      "postgres",
      "DO $$ BEGIN CREATE ROLE nobody LOGIN PASSWORD 'nobody-pw'; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    let result = try CLI.run(
      ["counts", "--db", "host=127.0.0.1 port=\(cluster.port) user=nobody dbname=\(name)"],
      environment: ["PGPASSWORD": "nobody-pw"])
    expectOneLine(result, exitCode: 2, containing: "permission denied for table")
    #expect(result.stderr.contains("GRANT pg_read_all_data TO <role>"))
  }

  @Test("unknown options are usage errors (64)")
  func unknownOption() throws {
    let result = try CLI.run(["counts", "--no-such-option"])
    expectOneLine(
      result, exitCode: 64, containing: "Unknown option '--no-such-option' (see 'immich-audit counts --help')")
    // A value outside a list of choices names them, on the same line.
    let format = try CLI.run(["check", "--format", "xml"])
    expectOneLine(format, exitCode: 64, containing: "one of the following: text, json, ndjson, junit, markdown, csv")
    // A server setting PostgreSQL would refuse is refused before connecting.
    expectOneLine(
      try CLI.run(["counts", "--statement-timeout", "abc"]), exitCode: 64,
      containing: "--statement-timeout abc: expected a duration as PostgreSQL takes it")
    expectOneLine(
      try CLI.run(["check", "--lock-timeout", "5 minutes"]), exitCode: 64,
      containing: "--lock-timeout 5 minutes: expected a duration")
  }

  @Test(
    "short and common passwords leave every other word of a message intact",
    arguments: ["postgres", "immich", "a", "p%'s x"])
  func redactionKeepsMessages(password: String) throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v3.1")
    let folder = try TemporaryFolder()
    let quoted = "'" + password.replacingOccurrences(of: "'", with: "'\\''") + "'"
    // Immich's stock .env with that password, against a socket folder with no server.
    let socket = try folder.write(
      ".env",
      "DB_HOSTNAME=\(folder.path)/run/postgresql\nDB_USERNAME=postgres\n"
        + "DB_PASSWORD=\(quoted)\nDB_DATABASE_NAME=immich\n"
    )
    let refused = try CLI.run(["counts", "--immich-env", socket])
    expectOneLine(
      refused, exitCode: 2,
      containing:
        "connection to server on socket \"\(folder.path)/run/postgresql/.s.PGSQL.5432\" failed: No such file or "
        + "directory. Check the host and port"
    )
    // A wrong password for a real role: libpq's whole sentence.
    let env = try folder.write(
      "auth.env",
      "DB_HOSTNAME=127.0.0.1\nDB_PORT=\(cluster.port)\nDB_USERNAME=auditor\n"
        + "DB_PASSWORD=\(quoted)\nDB_DATABASE_NAME=\(name)\n"
    )
    let wrong = try CLI.run(["counts", "--immich-env", env])
    expectOneLine(
      wrong, exitCode: 2,
      containing:
        "connection to server at \"127.0.0.1\", port \(cluster.port) failed: password authentication failed for user "
        + "\"auditor\": check the password"
    )
    // A URI libpq rejects is quoted back with the password replaced, the rest as typed.
    let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    let uri = try CLI.run(["counts", "--db", "postgresql://postgres:\(encoded)@[::1/immich"])
    expectOneLine(uri, exitCode: 64, containing: "in URI: \"postgresql://postgres:***@[::1/immich\"")
  }

  @Test("a password in --db gets one warning naming the safer places for it")
  func passwordOnCommandLine() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v3.1")
    let result = try CLI.run(["counts", "--db", cluster.auditorConninfo(name)])
    #expect(result.status == 0, "\(result.stderr)")
    let warnings = result.stderr.split(separator: "\n")
    #expect(warnings.count == 1, "\(result.stderr)")
    for name in ["--db", "PGPASSWORD", "~/.pgpass", "DB_PASSWORD_FILE"] {
      #expect(warnings.first?.contains(name) == true, "\(name)")
    }
    // Without a password in it, no warning.
    let quiet = try CLI.run(
      ["counts", "--db", cluster.auditorConninfo(name, password: nil)],
      environment: ["PGPASSWORD": TestCluster.auditorPassword])
    #expect(quiet.status == 0)
    #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
  }

  @Test("a server that never answers: the message states the timeout in force")
  func connectTimeout() throws {
    // A listening socket that never answers: the handshake completes, the startup reply never comes.
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(listener) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(listener, $0, length) }
    }
    listen(listener, 8)
    withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
    }
    let port = UInt16(bigEndian: address.sin_port)
    let result = try CLI.run(
      ["counts", "--db", "host=127.0.0.1 port=\(port) user=x dbname=x"], environment: ["PGCONNECT_TIMEOUT": "2"])
    expectOneLine(result, exitCode: 2, containing: "did not answer within connect_timeout (2 s)")
  }

  @Test(
    "each subcommand's --help has real examples and the exit codes, unbroken at 80 columns",
    arguments: ["check", "explain", "counts", "compare"])
  func subcommandHelp(command: String) throws {
    let result = try CLI.run([command, "--help"], environment: ["COLUMNS": "80"])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let examples = try #require(lines.firstIndex(of: "Examples:"), "\(result.stdout)")
    let commands = lines[(examples + 1)...].prefix { !$0.isEmpty }.filter { $0.hasPrefix("  immich-audit \(command)") }
    #expect(commands.count >= 2, "\(command): \(commands)")
    // The exit-code table survives the terminal's width: each row whole, on its own line.
    let codes = try #require(lines.firstIndex(of: "Exit codes:"))
    #expect(
      Array(lines[(codes + 1)...].prefix(8).map { $0.prefix(7) }) == [
        "  0    ", "  1    ", "  2    ", "       ", "  3    ", "  64   ", "  130  ", "",
      ])
    // ArgumentParser's own USAGE line is never wrapped; every line of ours fits.
    #expect(lines.allSatisfy { $0.count <= 80 || $0.hasPrefix("USAGE:") }, "\(lines.filter { $0.count > 80 })")
  }

  @Test("--help documents the exit codes")
  func help() throws {
    let result = try CLI.run(["--help"])
    #expect(result.status == 0)
    for code in [
      "0    clean", "1    findings", "2    could not audit", "3    a root", "64   usage", "130  interrupted",
    ] {
      #expect(result.stdout.contains(code), "\(code)")
    }
  }
}
