import CLinuxCalls
import Glibc

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

/// Whole-file reads and writes on plain descriptors, each failure an errno.
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
    var status = stat()
    if fstat(fd, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR { throw SystemError(EISDIR) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw SystemError(errno)
      }
      if count == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<count])
    }
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
