import Foundation
import Testing

@Suite("explain: mappings and sample host paths")
struct ExplainMappingTests {
  static let bobPhoto = "upload/22222222-2222-4222-8222-222222222222/a0/00/a0000000-0000-4000-8000-000000000008.jpg"

  /// A host media folder holding one of the sample originals.
  static func mediaFolder() throws -> TemporaryFolder {
    let folder = try TemporaryFolder()
    let file = folder.url.appendingPathComponent("library/" + bobPhoto)
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data("jpeg".utf8).write(to: file)
    return folder
  }

  @Test("--media-root maps the media location the database uses, whatever its prefix", arguments: Fixture.generations)
  func mediaRoot(generation: String) throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: generation)
    let media = try Self.mediaFolder()
    let result = try CLI.run([
      "explain", "--samples", "10", "--media-root", media.path + "/library", "--db", cluster.superuserConninfo(name),
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let location = [
      "immich-v1.106": "/usr/src/app/upload", "immich-v1.123": "/usr/src/app/upload",
      "immich-v2.5": "/usr/src/app/upload", "immich-v3.1": "/data",
    ][generation]!
    #expect(squeezed(result.stdout).contains(" \(location) \(media.path)/library --media-root\n"), "\(result.stdout)")
    #expect(result.stdout.contains("-> \(media.path)/library/\(Self.bobPhoto)  [exists]"))
    #expect(result.stdout.contains("[MISSING]"))
  }

  @Test("with no mapping and missing files, explain suggests the flag that fixes it")
  func suggestion() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v3.1")
    let result = try CLI.run(["explain", "--db", cluster.superuserConninfo(name)])
    #expect(result.status == 0)
    #expect(result.stdout.contains("(none: paths are used as they are"))
    #expect(
      result.stdout.contains(
        "The media location is /data in the container: give its host folder (Immich's UPLOAD_LOCATION) with "
          + "--media-root DIR, or --map /data=DIR."
      ))
  }

  @Test("--compose with its .env, and --immich-env's UPLOAD_LOCATION, map the media folder")
  func composeAndEnv() throws {
    let cluster = try TestCluster.shared()
    let name = try cluster.database(fixture: "immich-v3.1")
    let media = try Self.mediaFolder()
    try media.write(".env", "UPLOAD_LOCATION=./library\nDB_HOSTNAME=127.0.0.1\n")
    let compose = try media.write(
      "docker-compose.yml",
      "services:\n  immich-server:\n    image: ghcr.io/immich-app/immich-server:release\n    volumes:\n      - "
        + "${UPLOAD_LOCATION}:/data\n      - model-cache:/cache\n"
    )
    let viaCompose = try CLI.run([
      "explain", "--samples", "10", "--compose", compose, "--db", cluster.superuserConninfo(name),
    ])
    #expect(viaCompose.status == 0)
    #expect(squeezed(viaCompose.stdout).contains(" /data \(media.path)/library --compose\n"))
    #expect(viaCompose.stdout.contains("[exists]"))
    #expect(viaCompose.stderr.contains("volume model-cache:/cache of service immich-server names no host folder"))
    let viaEnv = try CLI.run([
      "explain", "--samples", "10", "--immich-env", media.path + "/.env", "--db",
      "host=\(cluster.directory) port=\(cluster.port) user=postgres dbname=\(name)",
    ])
    #expect(viaEnv.status == 0, "\(viaEnv.stderr)")
    #expect(squeezed(viaEnv.stdout).contains(" /data \(media.path)/library --immich-env\n"))
    #expect(viaEnv.stdout.contains("[exists]"))
  }

  @Test("a malformed --map is a usage error (64)")
  func badMap() throws {
    let result = try CLI.run(["explain", "--map", "/data"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("'/data' is invalid for '--map <container=host>': expected CONTAINER=HOST"))
  }
}

/// Table text with runs of spaces folded to one, so tests do not depend on column widths.
func squeezed(_ text: String) -> String {
  text.split(separator: "\n", omittingEmptySubsequences: false)
    .map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
    .map { " " + $0 }.joined(separator: "\n")
}
