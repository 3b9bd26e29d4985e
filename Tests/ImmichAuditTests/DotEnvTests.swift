import Foundation
import Testing

@testable import AuditCore

@Suite(".env parsing")
struct DotEnvTests {
  @Test("quotes, comments, export, escapes, interpolation")
  func syntax() throws {
    let env = try DotEnv(
      parsing: """
        # comment line
          export UPLOAD_LOCATION=./library # trailing comment
        DB_PASSWORD=p#ss word
        SINGLE='raw $UPLOAD_LOCATION \\n # not a comment'
        DOUBLE="line1\\nline2 \\"q\\" ${UPLOAD_LOCATION}"
        EMPTY=
        DEFAULTED=${UNSET:-fallback}
        FROM_ENV=${HOME_DIR}/x
        MULTI="a
        b"
        DOLLAR=cost$$5
        """, environment: ["HOME_DIR": "/home/u"])
    #expect(env["UPLOAD_LOCATION"] == "./library")
    #expect(env["DB_PASSWORD"] == "p#ss word")
    #expect(env["SINGLE"] == "raw $UPLOAD_LOCATION \\n # not a comment")
    #expect(env["DOUBLE"] == "line1\nline2 \"q\" ./library")
    #expect(env["EMPTY"] == "")
    #expect(env["DEFAULTED"] == "fallback")
    #expect(env["FROM_ENV"] == "/home/u/x")
    #expect(env["MULTI"] == "a\nb")
    #expect(env["DOLLAR"] == "cost$5")
    #expect(env.keys.first == "UPLOAD_LOCATION")
  }

  @Test(
    "errors name the line",
    arguments: [
      ("A=1\nthis is not an assignment\n", 2),
      ("A='unterminated\n", 1),
      ("A=1\nB=\"open\n", 2),
    ])
  func errors(text: String, line: Int) {
    #expect(throws: DotEnvError.self) { try DotEnv(parsing: text) }
    do {
      _ = try DotEnv(parsing: text)
    } catch {
      #expect(error.line == line)
    }
  }

  @Test("_FILE variants read Docker secrets; a missing one is an error naming the file")
  func fileVariants() throws {
    let folder = try TemporaryFolder()
    try folder.write("secret", "s3cr3t\n")
    let path = try folder.write(".env", "DB_PASSWORD_FILE=secret\nDB_USERNAME_FILE=/nonexistent/user\n")
    let env = try DotEnv(contentsOf: URL(fileURLWithPath: path))
    #expect(try env.value("DB_PASSWORD") == "s3cr3t")
    #expect(throws: DotEnvError.self) { try env.value("DB_USERNAME") }
  }
}

@Suite("redaction")
struct RedactorTests {
  @Test(
    "a conninfo or URI is shown with its password value replaced, in every form a user may type",
    arguments: [
      ("host=h password=pw1234 dbname=d", "host=h password=*** dbname=d"),
      ("host=h password='pw 12 34' dbname=d", "host=h password=*** dbname=d"),
      ("host=h password pw1234 extra", "host=h password *** extra"),
      ("host=h password = pw1234", "host=h password = ***"),
      ("host=h user=password_admin", "host=h user=password_admin"),
      ("postgresql://u:pw1234@h/d", "postgresql://u:***@h/d"),
      ("postgresql://u:p%40ss@h/d", "postgresql://u:***@h/d"),
      ("postgresql://u@h/d?password=pw1234&sslmode=disable", "postgresql://u@h/d?password=***&sslmode=disable"),
      ("postgresql://u:pw1234@[::1/d", "postgresql://u:***@[::1/d"),
    ])
  func redacts(conninfo: String, shown: String) {
    #expect(Redactor.redacted(conninfo: conninfo) == shown)
  }

  @Test("libpq's parse errors lose the password, and nothing else", arguments: ["postgres", "a", "immich"])
  func parseErrors(password: String) {
    let uri = "postgresql://postgres:\(password)@[::1/immich"
    let message = "end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"\(uri)\""
    #expect(
      Redactor.parseError(message, conninfo: uri)
        == "end of string reached when looking for matching \"]\" in IPv6 host address in URI: "
        + "\"postgresql://postgres:***@[::1/immich\""
    )
    // Other text keeps every character, however short the password.
    let other = "missing \"=\" after \"postgresql\" in connection info string"
    #expect(Redactor.parseError(other, conninfo: "host=/var/run/postgresql password=\(password) postgresql") == other)
  }
}
