import Foundation
import ImmichQueries
import Testing

@Suite("queries/")
struct QueryFilesTests {
  @Test("every .sql file in queries/ is compiled into the binary, and nothing else")
  func registered() throws {
    let files = try FileManager.default.contentsOfDirectory(
      atPath: repositoryRoot.appendingPathComponent("queries").path
    )
    .filter { $0.hasSuffix(".sql") }.map { String($0.dropLast(4)) }
    #expect(Set(files) == Set(QueryFiles.all.keys))
    for name in files {
      let onDisk = try String(contentsOf: repositoryRoot.appendingPathComponent("queries/\(name).sql"), encoding: .utf8)
      #expect(QueryFiles.all[name] == onDisk, "\(name) differs from the compiled copy: rebuild")
    }
  }

  @Test("every query file says what it computes in a comment", arguments: Array(QueryFiles.all.keys.sorted()))
  func documented(name: String) {
    #expect(QueryFiles.all[name]!.hasPrefix("-- "))
  }
}
