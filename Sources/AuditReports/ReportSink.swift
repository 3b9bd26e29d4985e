import FileScan
import Glibc

/// Where a report is rendered: text gathered in a buffer and written to a descriptor each time
/// it fills, so a report of 200,000 findings never exists whole in memory. The first write
/// error is kept (and nothing more written); the caller reads it after `finish()`.
public final class ReportSink: TextOutputStream {
  private let fd: Int32
  private var buffer: [UInt8] = []
  private static let chunk = 1 << 18
  public private(set) var error: SystemError?
  /// Why the report was abandoned (`abandon`): what the run tells instead of a write error.
  public private(set) var abandoned: String?

  public init(fd: Int32) {
    self.fd = fd
    buffer.reserveCapacity(Self.chunk + 4096)
  }

  public func write(_ string: String) {
    write { $0.append(contentsOf: string.utf8) }
  }

  /// What `render` appends to the buffer, UTF-8 (a renderer that makes bytes, not strings).
  public func write(_ render: (inout [UInt8]) -> Void) {
    guard error == nil else { return }
    render(&buffer)
    if buffer.count >= Self.chunk { flush() }
  }

  /// Ends the sink (nothing more is written) for a reason that is not the output's: the report
  /// is incomplete and is not to be kept, and `reason` is what the run says.
  public func abandon(_ reason: String) {
    if error == nil { error = SystemError(EIO) }
    if abandoned == nil { abandoned = reason }
  }

  /// Writes what is buffered; returns the first error of the whole sink, if any.
  @discardableResult
  public func finish() -> SystemError? {
    flush()
    return error
  }

  private func flush() {
    guard error == nil, !buffer.isEmpty else { return }
    error = buffer.withUnsafeBytes { bytes -> SystemError? in
      do throws(SystemError) {
        try PlainFile.writeAll(fd, bytes)
        return nil
      } catch {
        return error
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }
}
