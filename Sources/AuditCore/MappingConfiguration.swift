import Foundation

/// Assembles the path mappings of a run from every source (DESIGN.md § Paths).
public struct MappingConfiguration: Sendable {
  public var maps: [PathMapper.Mapping] = []
  public var mediaRoot: String?
  public var compose: ComposeVolumes?
  public var immichEnv: DotEnv?

  public init(
    maps: [PathMapper.Mapping] = [], mediaRoot: String? = nil, compose: ComposeVolumes? = nil, immichEnv: DotEnv? = nil
  ) {
    self.maps = maps
    self.mediaRoot = mediaRoot
    self.compose = compose
    self.immichEnv = immichEnv
  }

  /// The mapper for a database whose media folders live under `mediaLocations` (container
  /// prefixes, from `PathMapper.mediaLocations`). `--media-root` and `.env`'s `UPLOAD_LOCATION`
  /// name the host folder of the media location, whichever prefix the database uses.
  public func mapper(mediaLocations: [String], currentDirectory: String = FileManager.default.currentDirectoryPath)
    -> PathMapper
  {
    let locations = mediaLocations.isEmpty ? ["/data"] : mediaLocations
    var mappings = maps
    if let mediaRoot {
      let host =
        mediaRoot.hasPrefix("/")
        ? mediaRoot : URL(fileURLWithPath: currentDirectory).appendingPathComponent(mediaRoot).standardizedFileURL.path
      mappings += locations.map { PathMapper.Mapping(container: $0, host: host, source: .mediaRoot) }
    }
    if let compose { mappings += compose.mappings }
    if let immichEnv, let upload = immichEnv["UPLOAD_LOCATION"], !upload.isEmpty {
      let host =
        upload.hasPrefix("/")
        ? upload
        : (immichEnv.directory ?? URL(fileURLWithPath: currentDirectory)).appendingPathComponent(upload)
          .standardizedFileURL.path
      mappings += locations.map { PathMapper.Mapping(container: $0, host: host, source: .immichEnv) }
    }
    return PathMapper(mappings)
  }
}
