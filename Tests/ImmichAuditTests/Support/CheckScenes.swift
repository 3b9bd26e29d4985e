import AuditCore
import Foundation
import Testing

/// What the rule tests share: run `check` on a scene and read its JSON report.
protocol CheckScenes {}

extension CheckScenes {
  /// The external library's photo 5 (present, with a sidecar) and 6 (offline, its file gone).
  static var img5: String { "/mnt/nas/photos/2024/img5.jpg" }
  static var img6: String { "/mnt/nas/photos/2024/img6.jpg" }

  /// `check`'s JSON report; a crash or a missing report fails the test.
  func run(_ scene: AuditScene, _ extra: [String] = []) throws -> JSONValue {
    try runWithStatus(scene, extra).report
  }

  /// `check`'s exit status and JSON report.
  func runWithStatus(_ scene: AuditScene, _ extra: [String] = []) throws -> (status: Int32, report: JSONValue) {
    let (result, json) = try scene.check(extra)
    #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
    return (result.status, try #require(json, "\(result.stdout)\(result.stderr)"))
  }

  /// The paths of the report's findings of `kind`, in report order.
  func paths(_ report: JSONValue, _ kind: String) -> [String] { report.findings(kind).map { $0["path"]!.stringValue! } }

  /// The report's root at `container`.
  func root(_ report: JSONValue, _ container: String) -> JSONValue? {
    report["roots"]?.arrayItems.first { $0["container"]?.stringValue == container }
  }
}
