import CLinuxCalls
import Glibc
import Synchronization

/// Bytes kept on disk instead of in memory, as `sort(1)` keeps what it cannot hold: a file with
/// no name (O_TMPFILE) in `$TMPDIR` (else /tmp), so nothing is left behind however the process
/// ends, Ctrl-C or kill -9 included. Appended to from any thread; read back with `pread`.
public final class SpillFile: Sendable {
  private let fd: Int32
  private let end = Mutex<Int64>(0)

  /// nil when no such file can be made there (no folder, no space, a filesystem without
  /// O_TMPFILE): the caller keeps its bytes in memory instead.
  public init?(folder: String? = nil) {
    let folder = folder ?? Self.temporaryFolder
    let fd = clinux_open_tmpfile(folder)
    guard fd >= 0 else { return nil }
    self.fd = fd
  }

  deinit { close(fd) }

  /// `$TMPDIR` if set and not empty, else /tmp.
  public static var temporaryFolder: String {
    guard let value = getenv("TMPDIR"), value.pointee != 0 else { return "/tmp" }
    return String(cString: value)
  }

  /// Appends `bytes`; returns the offset they start at.
  public func append(_ bytes: UnsafeRawBufferPointer) throws(SystemError) -> Int64 {
    try end.withLock { end throws(SystemError) -> Int64 in
      let start = end
      let written = try Self.transfer(bytes.count) { done in
        pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(start) + off_t(done))
      }
      guard written == bytes.count else { throw SystemError(ENOSPC) }
      end += Int64(bytes.count)
      return start
    }
  }

  /// Reads `buffer.count` bytes at `offset` (fewer only at the end of the file).
  public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
    try Self.transfer(buffer.count) { done in
      pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
    }
  }

  /// Repeats `call` (given the bytes done so far) until `count` bytes are done or it returns 0;
  /// EINTR retries. The bytes done.
  private static func transfer(_ count: Int, _ call: (Int) -> Int) throws(SystemError) -> Int {
    var done = 0
    while done < count {
      let result = call(done)
      if result < 0 {
        if errno == EINTR { continue }
        throw SystemError(errno)
      }
      if result == 0 { break }
      done += result
    }
    return done
  }
}
