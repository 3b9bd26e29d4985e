import CompactStore
import Glibc

/// Maps the paths Immich stored (container paths) to host paths (DESIGN.md § Paths).
///
/// Relative paths (`upload/…`, Immich ≤ v1.135) resolve against the old working directory
/// `/usr/src/app` first. Then the longest container prefix wins, matched on whole path
/// components; between equal prefixes `--map` beats `--media-root` beats `--compose` beats
/// `--immich-env`. A path no mapping covers is used as it is (`identity`). Paths are bytes:
/// Linux file names need not be UTF-8.
public struct PathMapper: Sendable {
  public enum Source: String, Sendable, Comparable {
    case map = "--map"
    case mediaRoot = "--media-root"
    case compose = "--compose"
    case immichEnv = "--immich-env"
    case identity

    /// Lower wins between equal container prefixes.
    var rank: Int {
      switch self {
      case .map: return 0
      case .mediaRoot: return 1
      case .compose: return 2
      case .immichEnv: return 3
      case .identity: return 4
      }
    }

    public static func < (lhs: Source, rhs: Source) -> Bool { lhs.rank < rhs.rank }
  }

  public struct Mapping: Sendable, Equatable {
    public let container: String
    public let host: String
    public let source: Source

    public init(container: String, host: String, source: Source) {
      self.container = PathMapper.normalized(container)
      self.host = PathMapper.normalized(host)
      self.source = source
    }
  }

  /// The working directory of Immich's server container before v1.136: relative paths start here.
  public static let oldWorkingDirectory = "/usr/src/app"

  /// The mappings in force, longest container prefix first, then by source precedence; a
  /// mapping shadowed by a stronger one with the same prefix is dropped.
  public let mappings: [Mapping]
  private let containerBytes: [[UInt8]]
  private let hostBytes: [[UInt8]]

  public init(_ mappings: [Mapping]) {
    var chosen: [Mapping] = []
    for mapping in mappings.sorted(by: { ($0.container.utf8.count, $1.source) > ($1.container.utf8.count, $0.source) })
    {
      if !chosen.contains(where: { $0.container == mapping.container }) { chosen.append(mapping) }
    }
    self.mappings = chosen
    containerBytes = chosen.map { Array($0.container.utf8) }
    hostBytes = chosen.map { Array($0.host.utf8) }
  }

  /// `CONTAINER=HOST` as given to `--map` (a usage error when malformed). The first `=` splits,
  /// so the host side may contain one. The host path must be absolute; the container side may
  /// also be relative (`upload`), as old databases store it.
  public static func parseMap(_ text: String) throws(PathMappingError) -> Mapping {
    guard let equals = text.firstIndex(of: "=") else {
      throw PathMappingError(text, "expected CONTAINER=HOST, e.g. --map /data=/srv/immich/library")
    }
    let container = String(text[..<equals])
    let host = String(text[text.index(after: equals)...])
    guard !container.isEmpty, !host.isEmpty else {
      throw PathMappingError(text, "both sides are needed, e.g. --map /data=/srv/immich/library")
    }
    guard host.hasPrefix("/") else {
      throw PathMappingError(text, "the host path \(host) must be absolute")
    }
    return Mapping(container: container, host: host, source: .map)
  }

  /// The host path of a database path, and the mapping used (nil: identity).
  public func hostPath(_ databasePath: [UInt8]) -> (path: [UInt8], mapping: Mapping?) {
    var output = Column<UInt8>()
    var absolute = Column<UInt8>()
    let mapping = databasePath.withUnsafeBytes { hostPath($0, into: &output, absolute: &absolute) }
    return (Array(output.bytes(0..<output.count)), mapping.map { mappings[$0] })
  }

  /// The host path of a database path read straight from libpq's buffer, into a reused column
  /// (`absolute`: room for a relative path made absolute first); returns the index of the mapping used
  /// (nil: identity). Every row of the database stream goes through here: columns, not arrays,
  /// as emptying an array for reuse alone cost about a hundred instructions.
  @discardableResult
  func hostPath(_ databasePath: UnsafeRawBufferPointer, into output: inout Column<UInt8>, absolute: inout Column<UInt8>)
    -> Int?
  {
    var whole = databasePath
    if databasePath.first != Self.slash {
      // Relative (Immich before v1.136): against the old working directory. Only these are
      // copied before mapping; an absolute path is mapped as libpq holds it.
      var path = databasePath
      if path.count >= 2 && path[0] == UInt8(ascii: ".") && path[1] == Self.slash {
        path = UnsafeRawBufferPointer(rebasing: path[2...])
      }
      absolute.removeAll()
      Self.oldWorkingDirectoryBytes.withUnsafeBytes { absolute.append(contentsOf: $0) }
      absolute.append(Self.slash)
      absolute.append(contentsOf: path)
      whole = absolute.bytes(0..<absolute.count)
    }
    output.removeAll()
    for index in containerBytes.indices {
      let prefixCount = containerBytes[index].count
      guard containerBytes[index].withUnsafeBytes({ Self.hasComponentPrefix(whole, $0) }) else { continue }
      hostBytes[index].withUnsafeBytes { output.append(contentsOf: $0) }
      output.append(contentsOf: UnsafeRawBufferPointer(rebasing: whole[prefixCount...]))
      return index
    }
    output.append(contentsOf: whole)
    return nil
  }

  private static let slash = UInt8(ascii: "/")
  private static let oldWorkingDirectoryBytes = Array(oldWorkingDirectory.utf8)

  /// `prefix` is `path` or a whole-component start of it (or "/").
  static func hasComponentPrefix(_ path: UnsafeRawBufferPointer, _ prefix: UnsafeRawBufferPointer) -> Bool {
    guard path.count >= prefix.count,
      prefix.isEmpty || memcmp(path.baseAddress!, prefix.baseAddress!, prefix.count) == 0
    else { return false }
    return path.count == prefix.count || path[prefix.count] == slash || (prefix.count == 1 && prefix[0] == slash)
  }

  public func hostPath(_ databasePath: String) -> String {
    String(decoding: hostPath(Array(databasePath.utf8)).path, as: UTF8.self)
  }

  /// A relative database path made absolute the way Immich resolved it.
  static func absolute(_ path: [UInt8]) -> [UInt8] {
    if path.first == UInt8(ascii: "/") { return path }
    var result = Array(oldWorkingDirectory.utf8)
    result.append(UInt8(ascii: "/"))
    result.append(
      contentsOf: path.starts(with: [UInt8(ascii: "."), UInt8(ascii: "/")]) ? Array(path.dropFirst(2)) : path)
    return result
  }

  /// The same rule for a path held as bytes of an array.
  static func hasComponentPrefix(_ path: ArraySlice<UInt8>, _ prefix: [UInt8]) -> Bool {
    path.withUnsafeBytes { path in prefix.withUnsafeBytes { hasComponentPrefix(path, $0) } }
  }

  /// Trailing slashes are not significant; a relative container prefix (`upload`) is made
  /// absolute like the paths it will be compared with.
  public static func normalized(_ path: String) -> String {
    var bytes = Array(path.utf8)
    while bytes.count > 1 && bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
    if bytes.first != UInt8(ascii: "/") && !bytes.isEmpty { bytes = absolute(bytes) }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The media location as the database writes it (relative `upload`, `/usr/src/app/upload`,
  /// `/data`, or a custom folder): `MediaLocation` if set, else read off the original paths'
  /// prefixes (a media folder name after it), else `/data`, Immich's default since v1.137.
  public static func mediaLocationStyle(mediaLocation: String?, pathPrefixes: [String]) -> String {
    if let mediaLocation, !mediaLocation.isEmpty { return trimmed(mediaLocation) }
    let folders: Set<Substring> = ["upload", "library", "thumbs", "encoded-video", "profile"]
    for prefix in pathPrefixes {
      if prefix == "/usr/src" || prefix.hasPrefix("/usr/src/app") { return "/usr/src/app/upload" }
      var components = prefix.split(separator: "/", omittingEmptySubsequences: false)
      if components.count >= 2, let last = components.last, folders.contains(last) {
        components.removeLast()
        let parent = components.joined(separator: "/")
        if !parent.isEmpty { return parent }
      }
    }
    return "/data"
  }

  /// Without trailing slashes (`/` stays).
  static func trimmed(_ path: String) -> String {
    var path = Substring(path)
    while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
    return String(path)
  }

  /// The container prefixes under which the database keeps its media folders: the
  /// `MediaLocation` if set, else what the sampled original-path prefixes show (relative
  /// `upload/…` and `/usr/src/app/upload/…` mean `/usr/src/app/upload`, `/data/…` means `/data`).
  public static func mediaLocations(mediaLocation: String?, pathPrefixes: [String]) -> [String] {
    var result: [String] = []
    if let mediaLocation, !mediaLocation.isEmpty { result.append(normalized(mediaLocation)) }
    for prefix in pathPrefixes {
      let absolute = String(decoding: Self.absolute(Array(prefix.utf8)), as: UTF8.self)
      var location: String?
      if absolute == "/usr/src/app/upload" || absolute.hasPrefix("/usr/src/app/upload/") || absolute == "/usr/src/app" {
        location = "/usr/src/app/upload"
      } else if absolute == "/data" || absolute.hasPrefix("/data/") {
        location = "/data"
      }
      if let location, !result.contains(location) { result.append(location) }
    }
    return result
  }
}

public struct PathMappingError: Error, CustomStringConvertible, Sendable {
  /// What is wrong with the value, without naming the option (ArgumentParser names it).
  public let reason: String
  public let description: String
  init(_ text: String, _ reason: String) {
    self.reason = reason
    description = "--map \(text): \(reason)"
  }
}
