import Glibc

/// Linux's O_NOATIME (0o1000000 on x86_64 and arm64). Glibc exposes it only under _GNU_SOURCE,
/// which Swift's Glibc module does not define.
let O_NOATIME: Int32 = 0o1000000

/// What the walker found at one place.
public enum EntryKind: Sendable, Equatable {
  case file
  case directory
  /// A device, socket or FIFO: a path that exists but is no regular file.
  case other
}

/// One entry of a walk: its path relative to the root (bytes: names need not be UTF-8), what it
/// is (symbolic links resolved), and its size for regular files when sizes were asked for.
public struct WalkEntry: Sendable {
  public let relativePath: [UInt8]
  public let kind: EntryKind
  public let size: Int64?
  /// The open directory holding the entry; valid only while the visitor runs.
  let parentDescriptor: Int32
  let nameStart: Int

  /// `stat` of the entry (links followed), for a size the walk did not read. Only inside `visit`.
  public func status() -> FileStatus {
    if let size { return .file(size: size) }
    return Array(relativePath[nameStart...]).withUnsafeBufferPointer { buffer in
      withNulTerminated(buffer) { FileStatus.at(parentDescriptor, $0) }
    }
  }
}

/// What `stat` says of a path, errors included.
public enum FileStatus: Sendable, Equatable {
  case file(size: Int64)
  case directory
  /// A device, socket or FIFO.
  case other
  /// ENOENT or ENOTDIR: nothing there.
  case missing
  /// Exists (or may) but cannot be examined: EACCES, EIO, ELOOP, …
  case failed(errno: Int32)

  /// `stat` of `path` relative to the directory `fd` (AT_FDCWD: the current directory).
  static func at(_ fd: Int32, _ path: UnsafePointer<CChar>) -> FileStatus {
    var s = stat()
    guard fstatat(fd, path, &s, 0) == 0 else {
      return errno == ENOENT || errno == ENOTDIR ? .missing : .failed(errno: errno)
    }
    switch s.st_mode & S_IFMT {
    case S_IFREG: return .file(size: Int64(s.st_size))
    case S_IFDIR: return .directory
    default: return .other
    }
  }

  /// `stat` of an absolute host path (bytes). Stat reads no data, so no atime moves.
  public static func of(_ path: [UInt8]) -> FileStatus {
    path.withUnsafeBufferPointer { buffer in withNulTerminated(buffer) { at(AT_FDCWD, $0) } }
  }
}

/// A folder that could not be read, and why.
public struct WalkProblem: Sendable, Equatable {
  public let relativePath: [UInt8]
  public let errno: Int32

  public init(relativePath: [UInt8], errno: Int32) {
    self.relativePath = relativePath
    self.errno = errno
  }
}

/// Walks a folder tree the way Immich's crawl sees it: symbolic links are followed, and a
/// directory reached twice (same device and inode, e.g. a symlink loop) is walked once. Every
/// directory is opened read-only with `O_NOATIME` (retried without it where the kernel refuses,
/// for files the caller does not own), so a walk leaves no atime behind. Names come from
/// `readdir` with `d_type`; `stat` runs only where the type is unknown, for symbolic links, or
/// when sizes are wanted.
public struct DirectoryWalker {
  public var wantSizes: Bool
  /// Called per directory before its entries are read: false skips it (and all below).
  public var shouldDescend: (_ relativePath: [UInt8], _ name: [UInt8]) -> Bool
  /// Called for every directory whose listing was read in full ([] for the root).
  public var didList: (_ relativePath: [UInt8]) -> Void = { _ in }

  public init(wantSizes: Bool = true, shouldDescend: @escaping (_ relativePath: [UInt8], _ name: [UInt8]) -> Bool = { _, _ in true }) {
    self.wantSizes = wantSizes
    self.shouldDescend = shouldDescend
  }

  public struct Result: Sendable {
    public var entries: [WalkEntry] = []
    public var problems: [WalkProblem] = []
  }

  /// Walks `root` (a host path). A root that cannot be opened is the only problem reported,
  /// with an empty relative path.
  public func walk(_ root: [UInt8], visit: (WalkEntry) -> Void) -> [WalkProblem] {
    var problems: [WalkProblem] = []
    let fd = Self.openDirectory(AT_FDCWD, root)
    guard fd >= 0 else { return [WalkProblem(relativePath: [], errno: -fd)] }
    var visited = Set<DeviceInode>()
    var rootStat = stat()
    if fstat(fd, &rootStat) == 0 { visited.insert(DeviceInode(rootStat)) }
    walkDirectory(fd, relative: [], visited: &visited, problems: &problems, visit: visit)
    return problems
  }

  public func walk(_ root: String) -> Result {
    var result = Result()
    result.problems = walk(Array(root.utf8)) { result.entries.append($0) }
    return result
  }

  private struct DeviceInode: Hashable {
    let device: UInt
    let inode: UInt
    init(_ s: stat) {
      device = UInt(s.st_dev)
      inode = UInt(s.st_ino)
    }
  }

  /// Reads one directory (closing `fd`), then descends into its subdirectories.
  private func walkDirectory(_ fd: Int32, relative: [UInt8], visited: inout Set<DeviceInode>, problems: inout [WalkProblem], visit: (WalkEntry) -> Void) {
    guard let dir = fdopendir(fd) else {
      problems.append(WalkProblem(relativePath: relative, errno: errno))
      close(fd)
      return
    }
    defer { closedir(dir) }
    var subdirectories: [[UInt8]] = []
    var failed = false
    while true {
      errno = 0
      guard let entry = readdir(dir) else {
        if errno != 0 {
          failed = true
          problems.append(WalkProblem(relativePath: relative, errno: errno))
        }
        break
      }
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        Array(raw.prefix { $0 != 0 })
      }
      if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
      let path = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
      var kind: EntryKind
      var size: Int64?
      let type = Int32(entry.pointee.d_type)
      if type == Int32(DT_DIR) {
        kind = .directory
      } else if type == Int32(DT_REG) && !wantSizes {
        kind = .file
      } else {
        // Unknown type, a symbolic link (followed, as Immich's crawl does), or a size is wanted.
        var s = stat()
        let rc = name.withUnsafeBufferPointer { buffer in
          withNulTerminated(buffer) { fstatat(dirfd(dir), $0, &s, 0) }
        }
        if rc != 0 {
          // A dangling link or a name that vanished: not a file on this walk.
          if errno != ENOENT && errno != ELOOP { problems.append(WalkProblem(relativePath: path, errno: errno)) }
          continue
        }
        switch s.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFREG: kind = .file; size = Int64(s.st_size)
        default: kind = .other
        }
      }
      visit(WalkEntry(relativePath: path, kind: kind, size: size, parentDescriptor: dirfd(dir), nameStart: path.count - name.count))
      if kind == .directory && shouldDescend(relative, name) { subdirectories.append(name) }
    }
    if !failed { didList(relative) }
    for name in subdirectories {
      let path = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
      let child = name.withUnsafeBufferPointer { buffer in
        withNulTerminated(buffer) { Self.openDirectory(dirfd(dir), $0) }
      }
      guard child >= 0 else {
        problems.append(WalkProblem(relativePath: path, errno: -child))
        continue
      }
      var s = stat()
      if fstat(child, &s) == 0 {
        guard visited.insert(DeviceInode(s)).inserted else {
          close(child)
          continue
        }
      }
      walkDirectory(child, relative: path, visited: &visited, problems: &problems, visit: visit)
    }
  }

  /// Opens a directory read-only without touching its atime; returns the fd or -errno.
  static func openDirectory(_ parent: Int32, _ path: [UInt8]) -> Int32 {
    path.withUnsafeBufferPointer { buffer in
      withNulTerminated(buffer) { openDirectory(parent, $0) }
    }
  }

  static func openDirectory(_ parent: Int32, _ path: UnsafePointer<CChar>) -> Int32 {
    let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC
    var fd = openat(parent, path, flags | O_NOATIME)
    // O_NOATIME is refused (EPERM) on files the caller does not own, unless privileged.
    if fd < 0 && errno == EPERM { fd = openat(parent, path, flags) }
    return fd >= 0 ? fd : -errno
  }
}

/// Calls `body` with a NUL-terminated copy of `bytes`.
func withNulTerminated<T>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafePointer<CChar>) -> T) -> T {
  var copy = Array(bytes)
  copy.append(0)
  return copy.withUnsafeBufferPointer { pointer in
    pointer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: copy.count) { body($0) }
  }
}
