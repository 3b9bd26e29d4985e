import AuditCore
import Foundation
import Testing

@Suite("the bundled sample (README's first command)")
struct SampleTests {
  @Test("samples/immich-sample.sql with samples/build-tree.sh gives the planted findings, exit 1")
  func plantedFindings() throws {
    let cluster = try TestCluster.shared()
    let tree = try TemporaryFolder()
    let name = try cluster.restoreSample(tree: tree.path)
    let result = try CLI.run([
      "check", "--format", "json", "--db", cluster.superuserConninfo(name), "--media-root", tree.path + "/media",
      "--map", "/mnt/nas=\(tree.path)/nas", "--map", "/mnt/archive=\(tree.path)/archive",
    ])
    #expect(result.status == 1, "\(result.stderr)")
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    #expect(
      report.nonZeroSummary == [
        "missing-original": 4, "missing-original-trashed": 1, "unindexed-original": 2, "missing-derivative": 1,
        "orphaned-derivative": 1, "size-mismatch": 1, "likely-moved": 1, "boot-blocker": 1, "path-alias": 1,
        "will-go-offline": 1, "restore-skew": 1, "corrupt-db-dump": 1,
      ])
    #expect(report.findings("restore-skew").first?["assets"]?.intValue == 2)
    #expect(report.findings("will-go-offline").first?["path"]?.stringValue == "/mnt/nas/old-photos/img14.jpg")
    #expect(report.findings("boot-blocker").first?["path"]?.stringValue == "/data/encoded-video/.immich")
    #expect(
      report.findings("likely-moved").first?["candidates"]?.arrayItems.first?["path"]?.stringValue
        == "/mnt/nas/photos/2024/summer/img5.jpg")
  }
}
