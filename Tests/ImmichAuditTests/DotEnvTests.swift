import Foundation
import Testing

@testable import AuditCore

@Suite(".env parsing")
struct DotEnvTests {
  @Test("quotes, comments, export, escapes, interpolation")
  func syntax() throws {
    let env = try DotEnv(parsing: """
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

  @Test("errors name the line", arguments: [
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
  @Test("passwords are found in every form a user may type, parsable or not", arguments: [
    ("host=h password=pw1234 dbname=d", "pw1234"),
    ("host=h password='pw 12 34' dbname=d", "pw 12 34"),
    ("host=h password pw1234 extra", "pw1234"),
    ("host=h password = pw1234", "pw1234"),
    ("postgresql://u:pw1234@h/d", "pw1234"),
    ("postgresql://u:p%40ss@h/d", "p@ss"),
    ("postgresql://u@h/d?password=pw1234", "pw1234"),
    ("postgresql://u:pw1234@[::1/d", "pw1234"),
  ])
  func finds(conninfo: String, secret: String) {
    let redactor = Redactor(secrets: Redactor.secretsIn(conninfo: conninfo))
    #expect(!redactor.redact("error near \(secret) in \(conninfo)").contains(secret))
  }
}
