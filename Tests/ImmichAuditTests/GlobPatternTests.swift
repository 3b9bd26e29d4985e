import Testing

@testable import AuditCore

/// Expected results follow picomatch (Immich's exclusion patterns), case-insensitive.
@Suite("exclusion patterns")
struct GlobPatternTests {
  @Test(
    "picomatch behaviours",
    arguments: [
      // Immich's default exclusion patterns
      ("**/@eaDir/**", "/mnt/nas/photos/@eaDir/IMG_1.jpg/SYNOFILE_THUMB_M.jpg", true),
      ("**/@eaDir/**", "/mnt/nas/photos/2024/IMG_1.jpg", false),
      ("**/@eaDir/**", "/mnt/nas/photos/not@eaDir/x.jpg", false),
      ("**/._*", "/mnt/nas/photos/._IMG_1.jpg", true),
      ("**/._*", "/mnt/nas/photos/IMG_._1.jpg", false),
      ("**/#recycle/**", "/volume1/photos/#recycle/old.jpg", true),
      ("**/#snapshot/**", "/volume1/photos/#snapshot/2024/x.jpg", true),
      // case-insensitive, as Immich's crawl matches
      ("**/@EADIR/**", "/mnt/nas/@eadir/x.jpg", true),
      ("**/*.JPG", "/mnt/nas/a/b.jpg", true),
      // * stays within one folder; ** spans any number, zero included
      ("/mnt/nas/*.jpg", "/mnt/nas/a.jpg", true),
      ("/mnt/nas/*.jpg", "/mnt/nas/sub/a.jpg", false),
      ("/mnt/nas/**/*.jpg", "/mnt/nas/a.jpg", true),
      ("/mnt/nas/**/*.jpg", "/mnt/nas/x/y/z/a.jpg", true),
      ("/mnt/nas/private/**", "/mnt/nas/private/a/b.jpg", true),
      ("/mnt/nas/private/**", "/mnt/nas/privateer/b.jpg", false),
      // no basename matching: a pattern without a slash matches no absolute path
      ("*.tmp", "/mnt/nas/a.tmp", false),
      // ?, classes, braces, escapes
      ("**/IMG_?.jpg", "/x/IMG_1.jpg", true),
      ("**/IMG_?.jpg", "/x/IMG_12.jpg", false),
      ("**/IMG_[0-4].jpg", "/x/IMG_3.jpg", true),
      ("**/IMG_[!0-4].jpg", "/x/IMG_7.jpg", true),
      ("**/IMG_[!0-4].jpg", "/x/IMG_3.jpg", false),
      ("**/*.{mov,mp4}", "/x/clip.MP4", true),
      ("**/*.{mov,mp4}", "/x/clip.mkv", false),
      ("**/{raw,{tmp,cache}}/**", "/x/cache/a.jpg", true),
      ("**/a\\*b.jpg", "/x/a*b.jpg", true),
      ("**/a\\*b.jpg", "/x/axxb.jpg", false),
      // * does not match a leading dot
      ("**/*", "/x/.hidden.jpg", false),
      ("/x/(1).jpg", "/x/(1).jpg", true),
    ])
  func behaviour(pattern: String, path: String, excluded: Bool) {
    #expect(GlobPattern(pattern).matches(path) == excluded, "\(pattern) on \(path)")
  }

  @Test("the literal prefilter never turns away a path the expression matches, and finds the runs it should")
  func literalPrefilter() throws {
    #expect(GlobPattern.requiredLiterals(Array("**/@eadir/**")) == [Array("@eadir".utf8)])
    #expect(GlobPattern.requiredLiterals(Array("**/._*")) == [Array("._".utf8)])
    #expect(GlobPattern.requiredLiterals(Array("/mnt/nas/**/*.jpg")) == [Array("/mnt/nas".utf8), Array(".jpg".utf8)])
    #expect(GlobPattern.requiredLiterals(Array("**/{a,b}/**")) == [])
    let patterns = [
      "**/@eaDir/**", "**/._*", "a/**", "**/a", "/mnt/nas/**/*.jpg", "**/2024/IMG5.*", "?x/**", "/x/*/y", "**",
      "**/#recycle/**",
    ]
    let paths = [
      "a", "a/b", "/a", "x/a", "/mnt/nas/a.jpg", "/mnt/nas/s/t/a.JPG", "/p/@eaDir/x", "/p/@eaDirx", "._x", "/p/._y",
      "/p/2024/img5.jpg", "/p/2024/img5", "ax/b", "/x/q/y", "/x/y", "", "/v/#recycle/x",
    ]
    for pattern in patterns {
      let regex = try Regex("^" + GlobPattern.translate(Array(pattern.lowercased())) + "$")
      for path in paths {
        let expected = (try? regex.wholeMatch(in: path.lowercased())) != nil
        #expect(GlobPattern(pattern).matches(path) == expected, "\(pattern) on \(path)")
      }
    }
  }
}
