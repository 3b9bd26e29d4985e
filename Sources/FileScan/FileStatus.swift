import CLinuxCalls
import Glibc

/// What the walker found at one place.
public enum EntryKind: Sendable, Equatable {
  case file
  case directory
  /// A device, socket or FIFO: a path that exists but is no regular file.
  case other
}

/// One entry of a walk: its path relative to the root (bytes: names need not be UTF-8), what it
/// is (symbolic links resolved), and its size for regular files when it was read.
public struct WalkEntry: Sendable {
  public let relativePath: [UInt8]
  public let kind: EntryKind
  public let size: Int64?
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

/// Opening directories the way every read of this tool does.
enum Directories {
  /// Opens a directory read-only without touching its atime; returns the fd or -errno.
  static func open(_ parent: Int32, _ path: [UInt8]) -> Int32 {
    path.withUnsafeBufferPointer { buffer in
      withNulTerminated(buffer) { open(parent, $0) }
    }
  }

  static func open(_ parent: Int32, _ path: UnsafePointer<CChar>) -> Int32 {
    PlainFile.openNoAtime(at: parent, path, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC)
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

/// What kind of filesystem holds a path.
public enum FilesystemKind {
  /// statfs(2) `f_type` of the filesystem holding `path`, nil if it cannot be read.
  public static func type(of path: [UInt8]) -> Int? {
    let type = path.withUnsafeBufferPointer { buffer in withNulTerminated(buffer) { clinux_statfs_type($0) } }
    return type < 0 ? nil : Int(type)
  }
}
