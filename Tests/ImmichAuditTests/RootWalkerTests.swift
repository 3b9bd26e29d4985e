import CompactStore
import Foundation
import Testing

@testable import AuditCore

/// A referenced path the walk did not see is missing without a `stat` of its own only when its
/// folder was listed in full by the walk of the root it belongs to; any other unseen path is
/// stat'ed one by one (a hidden folder of an import path, a folder not on disk).
@Suite("the walk's record of listed folders")
struct RootWalkerTests {
  @Test(
    "folders listed by their own root's walk count; one listed only by an enclosing root's walk, or never, does not")
  func listedFolders() throws {
    let folder = try TemporaryFolder()
    let media = folder.path + "/media"
    for directory in ["a", "lib/b", "lib/.hidden"] {
      try FileManager.default.createDirectory(atPath: "\(media)/\(directory)", withIntermediateDirectories: true)
    }
    for file in ["a/x.jpg", "lib/b/y.jpg", "lib/.hidden/z.jpg"] { try folder.write("media/\(file)", "") }
    let index = ReferenceIndex()
    let paths = ["a/x.jpg", "a/gone.jpg", "lib/b/y.jpg", "lib/.hidden/z.jpg", "never/w.jpg"].map { file in
      Array("\(media)/\(file)".utf8).withUnsafeBytes {
        index.intern(databasePath: $0, hostPath: Array("\(media)/\(file)".utf8))
      }
    }
    // The upload root encloses the import path; the walk of the upload root enters lib/.hidden,
    // the import path's does not (Immich never imports below a hidden folder).
    let roots = [
      AuditRoot(kind: .upload, container: "/data", host: Array(media.utf8), libraryId: nil),
      AuditRoot(kind: .importPath, container: "/lib", host: Array("\(media)/lib".utf8), libraryId: "library"),
    ]
    // Longest first, as `FilesystemAudit` asks: number 0 is the import path (root 1).
    let assigned = index.paths.firstFolder(containing: [roots[1].host, roots[0].host])
    func root(_ number: Int16) -> Int16 { number < 0 ? -1 : 1 - number }
    let facts = AuditFacts(
      index: index, libraries: [], roots: roots, rootOf: RootAssignment(ofFolder: assigned.map(root), index: index),
      checkSizes: true)
    var options = FilesystemAudit.Options()
    options.jobs = 2
    let walks = RootWalker(facts: facts, options: options, progress: AuditProgress()).walk().walks
    #expect(walks.map(\.status) == [.ok, .ok])
    let folderListed = paths.map { facts.listed.contains(index.paths.folder(of: $0)) }
    #expect(folderListed == [true, true, true, false, false])
  }

  @Test("paths the walk leaves: missing when their folder is absent or a file, else stat'ed one by one (symlinks too)")
  func looseStats() throws {
    let folder = try TemporaryFolder()
    let media = folder.path + "/media"
    try FileManager.default.createDirectory(atPath: "\(media)/real", withIntermediateDirectories: true)
    try folder.write("media/real/x.jpg", "four")
    try folder.write("media/file.jpg", "")
    try FileManager.default.createSymbolicLink(atPath: "\(media)/link", withDestinationPath: "real")
    let index = ReferenceIndex()
    let files = ["real/x.jpg", "real/gone.jpg", "link/x.jpg", "absent/y.jpg", "absent/deeper/z.jpg", "file.jpg/w.jpg"]
    let paths = files.map { file in
      let host = Array("\(media)/\(file)".utf8)
      return host.withUnsafeBytes { index.intern(databasePath: $0, hostPath: host) }
    }
    // No roots: every path is the loose stats' to settle.
    let facts = AuditFacts(
      index: index, libraries: [], roots: [],
      rootOf: RootAssignment(ofFolder: Array(repeating: -1, count: index.paths.folderCount), index: index),
      checkSizes: true)
    LooseStats(facts: facts, options: FilesystemAudit.Options()).stat(paths)
    #expect(paths.map { facts.states[$0] } == [.file, .missing, .file, .missing, .missing, .missing])
    #expect(facts.states.size(paths[0]) == 4 && facts.states.size(paths[2]) == 4)
  }
}
