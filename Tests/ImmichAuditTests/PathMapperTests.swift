import Testing

@testable import AuditCore

@Suite("path mapping")
struct PathMapperTests {
  static let mapper = PathMapper([
    .init(container: "/data", host: "/srv/immich/library", source: .mediaRoot),
    .init(container: "/usr/src/app/upload/", host: "/srv/old-upload", source: .mediaRoot),
    .init(container: "/mnt/nas", host: "/volume1", source: .compose),
    .init(container: "/mnt/nas/photos", host: "/volume2/photos", source: .compose),
    .init(container: "/data", host: "/wrong/env", source: .immichEnv),
    .init(container: "/data/thumbs", host: "/fast-ssd/thumbs", source: .map),
  ])

  @Test(
    "longest prefix wins, on whole components; relative paths resolve against /usr/src/app",
    arguments: [
      ("/data/upload/u/a.jpg", "/srv/immich/library/upload/u/a.jpg"),
      ("/data/thumbs/u/a.webp", "/fast-ssd/thumbs/u/a.webp"),
      ("/database/x.jpg", "/database/x.jpg"),
      ("upload/upload/u/a.jpg", "/srv/old-upload/upload/u/a.jpg"),
      ("./upload/library/a.jpg", "/srv/old-upload/library/a.jpg"),
      ("/usr/src/app/upload/library/a.jpg", "/srv/old-upload/library/a.jpg"),
      ("/mnt/nas/photos/2024/a.jpg", "/volume2/photos/2024/a.jpg"),
      ("/mnt/nas/videos/a.mp4", "/volume1/videos/a.mp4"),
      ("/mnt/nas", "/volume1"),
      ("/elsewhere/a.jpg", "/elsewhere/a.jpg"),
    ])
  func mapping(databasePath: String, hostPath: String) {
    #expect(Self.mapper.hostPath(databasePath) == hostPath)
  }

  @Test("equal prefixes: --map beats --media-root beats --compose beats --immich-env")
  func precedence() {
    let sources: [PathMapper.Source] = [.immichEnv, .compose, .mediaRoot, .map]
    for count in 1...sources.count {
      let given = sources.prefix(count)
      let mapper = PathMapper(given.map { .init(container: "/data/", host: "/host-\($0.rawValue)", source: $0) })
      #expect(mapper.mappings.count == 1)
      #expect(mapper.mappings.first?.source == given.last)
      #expect(mapper.hostPath("/data/x") == "/host-\(given.last!.rawValue)/x")
    }
  }

  @Test(
    "--map parsing",
    arguments: [
      ("/data=/srv/lib", "/data", "/srv/lib"),
      ("/data/=/srv/lib/", "/data", "/srv/lib"),
      ("upload=/srv/up", "/usr/src/app/upload", "/srv/up"),
    ])
  func parse(text: String, container: String, host: String) throws {
    let mapping = try PathMapper.parseMap(text)
    #expect(mapping.container == container)
    #expect(mapping.host == host)
    #expect(mapping.source == .map)
  }

  @Test("malformed --map is refused", arguments: ["/data", "=/srv", "/data=", "/data=relative/host"])
  func badMap(text: String) {
    #expect(throws: PathMappingError.self) { try PathMapper.parseMap(text) }
  }

  @Test("non-UTF-8 bytes survive mapping")
  func bytes() {
    let path: [UInt8] = Array("/data/upload/".utf8) + [0xFF, 0xFE] + Array(".jpg".utf8)
    let mapped = Self.mapper.hostPath(path)
    #expect(mapped.path == Array("/srv/immich/library/upload/".utf8) + [0xFF, 0xFE] + Array(".jpg".utf8))
    #expect(mapped.mapping?.source == .mediaRoot)
  }

  @Test("media locations from MediaLocation and sampled prefixes")
  func mediaLocations() {
    #expect(
      PathMapper.mediaLocations(mediaLocation: "/data/", pathPrefixes: ["/data/upload", "/mnt/nas"]) == ["/data"])
    #expect(
      PathMapper.mediaLocations(mediaLocation: nil, pathPrefixes: ["upload/upload", "/mnt/nas"]) == [
        "/usr/src/app/upload"
      ])
    #expect(
      PathMapper.mediaLocations(mediaLocation: nil, pathPrefixes: ["/usr/src/app", "/data/library"]) == [
        "/usr/src/app/upload", "/data",
      ])
    #expect(
      PathMapper.mediaLocations(mediaLocation: "/photos/immich", pathPrefixes: ["/photos/immich"]) == ["/photos/immich"]
    )
  }
}
