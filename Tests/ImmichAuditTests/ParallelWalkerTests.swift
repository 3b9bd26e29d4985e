import CLinuxCalls
import Foundation
import Testing

@testable import FileScan

@Suite("parallel directory walker")
struct ParallelWalkerTests {
  /// A small tree with the awkward cases: nested folders, a symlinked folder, a symlink loop,
  /// a dangling link, a FIFO, a name with a newline and one that is not UTF-8.
  static func makeTree() throws -> TemporaryFolder {
    let folder = try TemporaryFolder()
    let fm = FileManager.default
    try fm.createDirectory(atPath: folder.path + "/sub/deep", withIntermediateDirectories: true)
    try folder.write("a.jpg", "abc")
    try folder.write("sub/b.JPG", "12345")
    try folder.write("sub/deep/c.mp4", "")
    try folder.write("new\nline.jpg", "x")
    try fm.createSymbolicLink(atPath: folder.path + "/link-to-sub", withDestinationPath: "sub")
    try fm.createSymbolicLink(atPath: folder.path + "/sub/loop", withDestinationPath: "..")
    try fm.createSymbolicLink(atPath: folder.path + "/dangling.jpg", withDestinationPath: "/nonexistent/x.jpg")
    #expect(mkfifo(folder.path + "/pipe", 0o644) == 0)
    // A name that is not valid UTF-8: 0xFF 0xFE then ".jpg".
    let badName = Array(folder.path.utf8) + Array("/".utf8) + [0xFF, 0xFE] + Array(".jpg".utf8) + [0]
    let fd = badName.withUnsafeBufferPointer {
      $0.baseAddress!.withMemoryRebound(to: CChar.self, capacity: badName.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
    }
    #expect(fd >= 0)
    close(fd)
    return folder
  }

  @Test("finds every file once, follows symlinked folders, survives loops, keeps exact bytes")
  func walk() throws {
    let tree = try Self.makeTree()
    let result = ParallelWalker.collect(Array(tree.path.utf8))
    #expect(result.problems.isEmpty)
    let files = result.entries.filter { $0.kind == .file }
    var byPath: [[UInt8]: Int64] = [:]
    for file in files { byPath[file.relativePath] = file.size }
    // sub/ is reached twice (itself and link-to-sub): its files are listed under one of the two.
    let subFiles = byPath.keys.filter { String(decoding: $0, as: UTF8.self).hasSuffix("b.JPG") }
    #expect(subFiles.count == 1)
    #expect(byPath[Array("a.jpg".utf8)] == 3)
    #expect(byPath[Array("new\nline.jpg".utf8)] == 1)
    #expect(byPath[[0xFF, 0xFE] + Array(".jpg".utf8)] == 0)
    #expect(files.count == 5)
    #expect(result.entries.contains { $0.relativePath == Array("pipe".utf8) && $0.kind == .other })
    #expect(!result.entries.contains { $0.relativePath == Array("dangling.jpg".utf8) })
  }

  @Test("a folder of one block is listed whole in one read on ext4; a folder of many blocks is read to its end")
  func foldersOfEverySize() throws {
    #expect(ParallelWalker.listsInOneRead(size: 4096, blockSize: 4096))
    #expect(ParallelWalker.listsInOneRead(size: 60, blockSize: 4096))  // inline data
    #expect(!ParallelWalker.listsInOneRead(size: 8192, blockSize: 4096))
    #expect(!ParallelWalker.listsInOneRead(size: 65536, blockSize: 65536))  // could overflow the buffer
    let folder = try TemporaryFolder()
    // 330 names of 3 bytes fill one 4 KiB ext4 block (12 bytes each with "." and ".."); 3,000 of
    // 40 bytes take many blocks (an indexed folder); 150 of 20 bytes take one block and a bit.
    let shapes = [("full", 330, 3), ("many", 3000, 40), ("over", 150, 20)]
    let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz")
    for (name, count, length) in shapes {
      try FileManager.default.createDirectory(atPath: folder.path + "/" + name, withIntermediateDirectories: false)
      for number in 0..<count {
        var file = ""
        var rest = number
        for _ in 0..<length {
          file.append(digits[rest % 36])
          rest /= 36
        }
        #expect(FileManager.default.createFile(atPath: folder.path + "/\(name)/\(file)", contents: nil))
      }
    }
    if clinux_statfs_type(folder.path) == 0xEF53 {
      // On ext4 the first folder is the one-block case this test is for.
      var status = stat()
      #expect(stat(folder.path + "/full", &status) == 0 && status.st_size == status.st_blksize)
    }
    let result = ParallelWalker.collect(Array(folder.path.utf8), sizes: false)
    #expect(result.problems.isEmpty)
    for (name, count, _) in shapes {
      let found = result.entries.filter { $0.kind == .file && $0.relativePath.starts(with: Array("\(name)/".utf8)) }
      #expect(found.count == count, "\(name)")
      #expect(Set(found.map(\.relativePath)).count == count, "\(name)")
    }
  }

  @Test("the walked-once record: each (device, inode) new exactly once, inode 0 and large numbers too")
  func seenFolders() {
    var seen = SeenFolders()
    var generator = SystemRandomNumberGenerator()
    let inodes: [UInt64] =
      [0, 1, 2, UInt64.max, 1 << 63] + (0..<20_000).map { _ in UInt64.random(in: 0...UInt64.max, using: &generator) }
      + (3..<20_000).map { UInt64($0) }
    for device: UInt64 in [2049, 52] {
      #expect(
        inodes.allSatisfy { seen.insert(device: device, inode: $0) }, "device \(device): a new inode reported as seen")
      #expect(
        !inodes.contains { seen.insert(device: device, inode: $0) }, "device \(device): a seen inode reported as new")
    }
    let newDevice = seen.insert(device: 7, inode: 1)
    #expect(newDevice, "another device's inode 1 reported as seen")
  }

  @Test("a missing root is one problem: ENOENT; a file as root: ENOTDIR")
  func badRoots() throws {
    let tree = try Self.makeTree()
    #expect(
      ParallelWalker.collect(Array((tree.path + "/nope").utf8)).problems == [
        WalkProblem(relativePath: [], errno: ENOENT)
      ])
    #expect(
      ParallelWalker.collect(Array((tree.path + "/a.jpg").utf8)).problems == [
        WalkProblem(relativePath: [], errno: ENOTDIR)
      ])
  }

  @Test("shouldDescend prunes folders (e.g. hidden ones)")
  func prune() throws {
    let tree = try Self.makeTree()
    try FileManager.default.createDirectory(atPath: tree.path + "/.hidden", withIntermediateDirectories: true)
    try tree.write(".hidden/x.jpg", "x")
    let result = ParallelWalker.collect(Array(tree.path.utf8), sizes: false) { _, name in
      name.first != UInt8(ascii: ".")
    }
    #expect(!result.entries.contains { String(decoding: $0.relativePath, as: UTF8.self) == ".hidden/x.jpg" })
    #expect(result.entries.contains { String(decoding: $0.relativePath, as: UTF8.self) == ".hidden" })
  }

  @Test("a walk leaves every atime as it was (a plain readdir would not)")
  func noAtime() throws {
    let tree = try Self.makeTree()
    let old = timespec(tv_sec: 978_307_200, tv_nsec: 0)  // 2001-01-01
    func setOld(_ path: String) {
      // UTIME_OMIT ((1 << 30) - 2): leave the mtime alone.
      var times = [old, timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2)]
      _ = utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }
    func atime(_ path: String) -> Int {
      var s = stat()
      lstat(path, &s)
      return s.st_atim.tv_sec
    }
    let paths = [
      tree.path, tree.path + "/sub", tree.path + "/sub/deep", tree.path + "/a.jpg", tree.path + "/sub/b.JPG",
    ]
    paths.forEach(setOld)
    _ = ParallelWalker.collect(Array(tree.path.utf8))
    for path in paths {
      #expect(atime(path) == old.tv_sec, "\(path)")
    }
    // The control: a plain directory listing moves the atime on this filesystem (relatime).
    _ = try FileManager.default.contentsOfDirectory(atPath: tree.path + "/sub/deep")
    #expect(atime(tree.path + "/sub/deep") != old.tv_sec)
  }
}
