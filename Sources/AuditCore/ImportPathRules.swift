/// Which files under an external library's import path Immich's crawl would import
/// (research/immich-schema.md §5): a supported image or video extension (case-insensitive), no
/// path component below the import path starting with `.`, and no exclusion pattern matching the
/// container path. `.xmp` is a sidecar, never an asset.
public struct ImportPathRules {
  /// `getSupportedFileExtensions` of Immich v3.1 (`server/src/utils/mime-types.ts`): images,
  /// RAW formats and videos.
  public static let supportedExtensions: Set<String> = [
    // images
    "avif", "bmp", "gif", "jpeg", "jpg", "png", "webp", "heic", "heif", "hif", "insp", "jp2", "jpe", "jxl", "mpo",
    "svg", "tif", "tiff",
    // RAW
    "3fr", "ari", "arw", "cap", "cin", "cr2", "cr3", "crw", "dcr", "dng", "erf", "fff", "iiq", "k25", "kdc", "mrw",
    "nef", "nrw", "orf", "ori", "pef", "psd", "raf", "raw", "rw2", "rwl", "sr2", "srf", "srw", "x3f",
    // videos
    "3gp", "3gpp", "avi", "flv", "insv", "m2t", "m2ts", "m4v", "mkv", "mov", "mp4", "mpe", "mpeg", "mpg", "mts",
    "mxf", "ts", "vob", "webm", "wmv",
  ]

  public let exclusions: [GlobPattern]

  public init(exclusionPatterns: [String]) {
    exclusions = exclusionPatterns.map(GlobPattern.init)
  }

  /// Whether a file at `relativePath` (bytes, below the import path) is one Immich would import,
  /// judged on its container path `containerPath` for the exclusion patterns.
  public func wouldImport(relativePath: [UInt8], containerPath: String) -> Bool {
    guard Self.hasSupportedExtension(relativePath), !Self.isHidden(relativePath) else { return false }
    return !exclusions.contains { $0.matches(containerPath) }
  }

  /// A component starting with `.` anywhere in the relative path.
  public static func isHidden(_ relativePath: [UInt8]) -> Bool {
    var atComponentStart = true
    for byte in relativePath {
      if atComponentStart && byte == UInt8(ascii: ".") { return true }
      atComponentStart = byte == UInt8(ascii: "/")
    }
    return false
  }

  public static func hasSupportedExtension(_ path: [UInt8]) -> Bool {
    guard let dot = path.lastIndex(of: UInt8(ascii: ".")), !path[dot...].contains(UInt8(ascii: "/")) else {
      return false
    }
    let ext = path[(dot + 1)...].map { ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 }
    guard ext.count <= 5 else { return false }
    return supportedExtensions.contains(String(decoding: ext, as: UTF8.self))
  }
}
