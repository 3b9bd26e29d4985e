import Testing

@testable import AuditCore

@Suite("import path rules")
struct ImportPathRulesTests {
  static var rules: ImportPathRules {
    ImportPathRules(exclusionPatterns: ["**/@eaDir/**", "**/._*", "**/#recycle/**"])
  }

  @Test(
    "what Immich's crawl would import",
    arguments: [
      ("2024/IMG_1.jpg", true),
      ("2024/IMG_1.JPG", true),  // extensions are case-insensitive
      ("clip.MOV", true),
      ("raw/DSC_1.NEF", true),
      ("notes.txt", false),
      ("IMG_1.jpg.xmp", false),  // a sidecar, never an asset
      ("noextension", false),
      (".hidden.jpg", false),
      ("2024/.thumbs/IMG_1.jpg", false),  // under a hidden folder
      ("@eaDir/IMG_1.jpg/SYNOFILE_THUMB_M.jpg", false),  // excluded by pattern
      ("2024/._IMG_1.jpg", false),
      ("#recycle/IMG_1.jpg", false),
      ("a.b/IMG.tiff", true),
      ("archive.tar.gz", false),
    ])
  func wouldImport(relative: String, expected: Bool) {
    #expect(
      Self.rules.wouldImport(relativePath: Array(relative.utf8), containerPath: "/mnt/nas/photos/" + relative)
        == expected, "\(relative)")
  }

  @Test("non-UTF-8 names are judged on their bytes")
  func bytes() {
    #expect(
      Self.rules.wouldImport(
        relativePath: [0xFF, 0xFE] + Array(".jpg".utf8), containerPath: "/mnt/nas/\u{FFFD}\u{FFFD}.jpg"))
  }
}
