import Foundation
import Testing

extension TestCluster {
  /// The bundled sample restored, as README's first command restores it: samples/immich-sample.sql
  /// loaded into a new database (its name returned), samples/build-tree.sh's file tree in `tree`.
  func restoreSample(tree: String) throws -> String {
    let name = try emptyDatabase()
    let load = try TestCluster.run(
      "/usr/bin/env",
      [
        "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", superuserConninfo(name), "-f",
        repositoryRoot.appendingPathComponent("samples/immich-sample.sql").path,
      ])
    #expect(load.status == 0, "\(load.stderr)")
    let build = try TestCluster.run(
      "/usr/bin/env", ["bash", repositoryRoot.appendingPathComponent("samples/build-tree.sh").path, tree])
    #expect(build.status == 0, "\(build.stderr)")
    return name
  }
}
