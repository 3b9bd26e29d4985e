import CLinuxCalls
import Glibc
import Synchronization

/// A failed system call, told as a person reads it: the lower-case `strerror` sentence ("no such
/// file or directory", "is a directory"), never Foundation's domain-and-code text.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
  public let code: Int32

  public init(_ code: Int32) { self.code = code }

  public var description: String { Self.sentence(code) }

  /// `strerror(code)` with its first letter lower-cased, to sit inside a sentence.
  public static func sentence(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    return text.prefix(1).lowercased() + text.dropFirst()
  }
}

/// Page-aligned buffers for large reads, lent to one task at a time and kept for the next (a
/// hash run takes one per file: allocating a megabyte per file would fault its pages in anew
/// each time); freed with the shelf.
public final class ReadBufferShelf: Sendable {
  public let byteCount: Int
  /// Every buffer made, and those not lent out now, by address (an address is Sendable; the
  /// buffer it names is used by one task at a time).
  private let buffers = Mutex<(all: [UInt], free: [UInt])>(([], []))

  public init(byteCount: Int) {
    self.byteCount = byteCount
  }

  deinit {
    for address in buffers.withLock({ $0.all }) { UnsafeMutableRawPointer(bitPattern: address)!.deallocate() }
  }

  public func with<T>(_ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T {
    let address = buffers.withLock { shelf in
      if let address = shelf.free.popLast() { return address }
      let made = UInt(bitPattern: UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 4096))
      shelf.all.append(made)
      return made
    }
    defer { buffers.withLock { $0.free.append(address) } }
    return try body(
      UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: address), count: byteCount))
  }
}

/// The system calls the tool makes on files, each wrapped once here (as NIOFS does): failures
/// come back as the errno (`SystemError`), EINTR is retried where a call can be. The walk's own
/// calls (`getdents64`, `fstatat`) are wrapped once in `DirectoryHandle` and `FileStatus`; the
/// supervisor's pipe and status-byte calls stay plain libc, as they run around signals.
public enum PlainFile {
  /// `openat(2)` read-only with `O_NOATIME` (an audit moves no atime), retried without it on
  /// EPERM (refused on files the caller does not own, unless privileged). The descriptor, or
  /// minus the errno.
  public static func openNoAtime(
    at parent: Int32 = AT_FDCWD, _ path: UnsafePointer<CChar>, flags: Int32 = O_RDONLY | O_CLOEXEC
  ) -> Int32 {
    var fd = openat(parent, path, flags | clinux_o_noatime)
    if fd < 0 && errno == EPERM { fd = openat(parent, path, flags) }
    return fd >= 0 ? fd : -errno
  }

  /// `openNoAtime` of a path given as bytes (any bytes but NUL: file names need not be UTF-8).
  public static func openNoAtime(_ path: [UInt8], flags: Int32 = O_RDONLY | O_CLOEXEC) -> Int32 {
    path.withUnsafeBufferPointer { buffer in withNulTerminated(buffer) { openNoAtime($0, flags: flags) } }
  }

  /// The bytes of a (small) file: a `.env`, a compose file, a manifest, a secret.
  public static func read(_ path: String) throws(SystemError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SystemError(errno) }
    defer { close(fd) }
    if let status = status(of: fd), (status.st_mode & S_IFMT) == S_IFDIR { throw SystemError(EISDIR) }
    var bytes: [UInt8] = []
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 1)
    defer { chunk.deallocate() }
    while true {
      let count = try readSome(fd, into: chunk)
      if count == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<count])
    }
  }

  /// One `read(2)` into `buffer`, retried on EINTR: how many bytes (0 at the end).
  public static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
    while true {
      let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
      if count >= 0 { return count }
      if errno != EINTR { throw SystemError(errno) }
    }
  }

  /// `close(2)`; its failure has nothing left to undo.
  public static func close(_ fd: Int32) {
    _ = Glibc.close(fd)
  }

  /// How a file is about to be read (`posix_fadvise(2)`), a hint only.
  public enum Advice {
    /// Read once, front to back: read ahead further.
    case sequential
    /// Done with it: its pages may leave the cache (a long hash run leaves the cache as it was).
    case dontNeed
  }

  public static func advise(_ fd: Int32, _ advice: Advice) {
    _ = posix_fadvise(fd, 0, 0, advice == .sequential ? POSIX_FADV_SEQUENTIAL : POSIX_FADV_DONTNEED)
  }

  /// `open(2)` of an existing file for writing (a device, a FIFO), close-on-exec.
  public static func openForWriting(_ path: String) throws(SystemError) -> Int32 {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SystemError(errno) }
    return fd
  }

  /// A new, empty file that must not exist yet (`O_EXCL`), open for writing, close-on-exec,
  /// mode 0666 less the umask.
  public static func createNew(_ path: String) throws(SystemError) -> Int32 {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw SystemError(errno) }
    return fd
  }

  /// `unlink(2)`, for files of our own that may already be gone.
  public static func remove(_ path: String) {
    _ = unlink(path)
  }

  /// `rename(2)`: `from` replaces `to` in one step.
  public static func rename(_ from: String, to: String) throws(SystemError) {
    if Glibc.rename(from, to) != 0 { throw SystemError(errno) }
  }

  /// Gives `fd`'s file the owner and mode in `status` (a file it replaces), as far as we may:
  /// an unprivileged run keeps its own owner (EPERM is not an error).
  public static func copyOwnerAndMode(to fd: Int32, from status: stat) {
    _ = fchown(fd, status.st_uid, status.st_gid)
    _ = fchmod(fd, status.st_mode & 0o7777)
  }

  /// `access(2)` for writing: nil when we may write `path`.
  public static func writeAccess(_ path: String) -> SystemError? {
    access(path, W_OK) == 0 ? nil : SystemError(errno)
  }

  /// `stat(2)` (`lstat(2)` when not following links); nil when there is nothing or it fails.
  public static func status(_ path: String, followingLinks: Bool = true) -> stat? {
    var status = stat()
    let result = followingLinks ? stat(path, &status) : lstat(path, &status)
    return result == 0 ? status : nil
  }

  /// `fstat(2)`; nil when it fails.
  public static func status(of fd: Int32) -> stat? {
    var status = stat()
    return fstat(fd, &status) == 0 ? status : nil
  }

  /// `realpath(3)`: every link resolved, nil when the path does not resolve.
  public static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// Whether `fd` is open (`fcntl(F_GETFD)`), and if so its access mode (`O_RDONLY`, …).
  public static func accessMode(_ fd: Int32) -> Int32? {
    let flags = fcntl(fd, F_GETFL)
    return flags >= 0 ? flags & O_ACCMODE : nil
  }

  /// Fills a closed standard descriptor with /dev/null: open(2) returns the lowest free
  /// descriptor, which is `fd` when those below it are open.
  public static func fillWithDevNull(_ fd: Int32, forWriting: Bool) {
    _ = open("/dev/null", forWriting ? O_WRONLY : O_RDONLY)
  }

  /// Writes every byte to `fd`, retrying short writes and EINTR.
  public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
    var offset = 0
    while offset < bytes.count {
      let count = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if count < 0 {
        if errno == EINTR { continue }
        throw SystemError(errno)
      }
      offset += count
    }
  }
}
