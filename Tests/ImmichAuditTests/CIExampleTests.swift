import AuditCore
import Foundation
import Testing
import Yams

/// README's CI examples, kept as files in samples/ci/, run as their CI would run them: each
/// shell step with bash, the job's variables pointed at the bundled sample, `immich-audit` on
/// PATH. One audit writes every output; a failing drill never reads as a pass.
@Suite("CI examples (samples/ci)", .serialized)
struct CIExampleTests {
  /// The sample restored: its database loaded, its tree built; the variables the examples read.
  static func sample() throws -> (variables: [String: String], folder: TemporaryFolder) {
    let cluster = try TestCluster.shared()
    let folder = try TemporaryFolder()
    let name = try cluster.restoreSample(tree: folder.path + "/tree")
    let bin = URL(fileURLWithPath: CLI.executable).deletingLastPathComponent().path
    return (
      [
        "IMMICH_RESTORED_DB": cluster.readerConninfo(name), "MEDIA_ROOT": folder.path + "/tree/media",
        "NAS_ROOT": folder.path + "/tree/nas", "ARCHIVE_ROOT": folder.path + "/tree/archive",
        "PATH": "\(bin):/usr/bin:/bin", "HOME": folder.path,
      ], folder
    )
  }

  static func yaml(_ name: String) throws -> [String: Any] {
    let text = try String(contentsOf: repositoryRoot.appendingPathComponent("samples/ci/\(name)"), encoding: .utf8)
    return try #require(try Yams.load(yaml: text) as? [String: Any])
  }

  /// Runs a script as the CI runner would (`bash -e`), in `folder`.
  static func run(_ script: String, in folder: String, variables: [String: String]) throws -> (
    status: Int32, stdout: String, stderr: String
  ) {
    let result = try TestCluster.run("/bin/bash", ["-e", "-c", "cd '\(folder)'\n" + script], environment: variables)
    return (result.status, result.stdout, result.stderr)
  }

  /// What every example must leave: the JSON and JUnit of one failing audit.
  static func expectFailedDrill(in folder: String) throws {
    let report = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: folder + "/immich-audit.json")))
    #expect(report["exitCode"]?.intValue == 1)
    #expect(report.nonZeroSummary["missing-original"] == 4)
    let junit = try String(contentsOfFile: folder + "/immich-audit.xml", encoding: .utf8)
    #expect(junit.contains("<testsuites name=\"immich-audit\""))
    #expect(junit.contains("failures=\"6\""), "\(junit.prefix(300))")
    // Both come from one run: the JUnit suite's timestamp is the JSON report's start.
    #expect(junit.contains("timestamp=\"\(report["startedAt"]?.stringValue ?? "?")\""))
  }

  @Test(
    "GitHub Actions: one audit, JUnit, JSON, the job summary and the textfile; the step fails and the summary says so")
  func githubActions() throws {
    let (sample, folder) = try Self.sample()
    let workflow = try Self.yaml("github-actions.yml")
    let job = try #require((workflow["jobs"] as? [String: Any])?["audit"] as? [String: Any])
    let steps = try #require(job["steps"] as? [[String: Any]])
    let summary = folder.path + "/step-summary.md"
    var variables = (job["env"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
    for (key, value) in sample { variables[key] = value }
    variables["GITHUB_STEP_SUMMARY"] = summary
    variables["PGPASSWORD"] = nil
    let scripts = steps.compactMap { $0["run"] as? String }
    #expect(scripts.count == 1, "one audit, not one per output")
    let audit = try Self.run(scripts[0], in: folder.path, variables: variables)
    #expect(audit.status == 1, "\(audit.stderr)")
    #expect(audit.stdout.contains("FAIL (exit 1): 4 missing-original, 1 size-mismatch, 1 boot-blocker"))
    try Self.expectFailedDrill(in: folder.path)
    let markdown = try String(contentsOfFile: summary, encoding: .utf8)
    #expect(markdown.hasPrefix("## immich-audit: ❌ FAIL (exit 1)"))
    #expect(!markdown.contains("PASS") && !markdown.contains("✅"))
    #expect(
      try String(contentsOfFile: folder.path + "/immich-audit.prom", encoding: .utf8).contains(
        "immich_audit_exit_code 1"))
    // The publishing steps run whatever the audit's outcome, and read what it wrote.
    let publishing = steps.filter { $0["uses"] != nil }
    #expect(publishing.count == 2)
    #expect(publishing.allSatisfy { $0["if"] as? String == "always()" })
    #expect((publishing[0]["with"] as? [String: Any])?["report_paths"] as? String == "immich-audit.xml")
  }

  @Test("GitLab CI: one audit, JUnit in the test panel, JSON kept; the job fails")
  func gitlab() throws {
    let (sample, folder) = try Self.sample()
    let pipeline = try Self.yaml("gitlab-ci.yml")
    let job = try #require(pipeline["restore-drill"] as? [String: Any])
    var variables = (job["variables"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
    for (key, value) in sample { variables[key] = value }
    let script = try #require(job["script"] as? [String])
    #expect(script.count == 1)
    let audit = try Self.run(script.joined(separator: "\n"), in: folder.path, variables: variables)
    #expect(audit.status == 1, "\(audit.stderr)")
    try Self.expectFailedDrill(in: folder.path)
    let artifacts = try #require(job["artifacts"] as? [String: Any])
    #expect(artifacts["when"] as? String == "always")
    #expect((artifacts["reports"] as? [String: Any])?["junit"] as? String == "immich-audit.xml")
  }
}
