import CZlib
import FileScan
import Glibc

/// Whether a gzip-compressed SQL dump (Immich's `backups/*.sql.gz`, written by pg_dumpall) is
/// whole: its gzip stream decompresses to the end without error (every member's CRC checked)
/// and the SQL ends with pg_dump's or pg_dumpall's closing comment. Read once as a stream, in
/// constant memory: two buffers and the last few kilobytes of SQL. Knows nothing of Immich.
public enum GzipSQLDump {
  public enum Verdict: Sendable, Equatable {
    /// The stream ends cleanly and the SQL with a closing comment.
    case complete
    /// The file ends inside the gzip stream (cut short: a full disk, a copy taken mid-write).
    case truncated
    /// zlib rejects the data (a bad header, corrupt blocks, a CRC or length mismatch).
    case broken(String)
    /// The stream is whole but the SQL stops before the closing comment: pg_dump did not finish.
    case unfinished
    /// The file cannot be read (errno).
    case unreadable(Int32)
  }

  public struct Outcome: Sendable, Equatable {
    public var verdict: Verdict
    /// Bytes read from the file and bytes of SQL they held.
    public var compressedBytes: Int64 = 0
    public var sqlBytes: Int64 = 0
  }

  /// The closing comments pg_dump and pg_dumpall write last.
  static let closingComments = ["-- PostgreSQL database dump complete", "-- PostgreSQL database cluster dump complete"]
  static let bufferSize = 1 << 18
  /// How much of the SQL's end is kept to find the closing comment in: past the frame lines,
  /// blank lines and newer pg_dump's `\unrestrict` line.
  static let tailSize = 1 << 13

  /// Reads the dump at `path`; `heartbeat` is called after each read, so a watchdog sees a
  /// long file progress rather than hang.
  public static func check(_ path: [UInt8], heartbeat: () -> Void = {}) -> Outcome {
    let fd = PlainFile.openNoAtime(path)
    guard fd >= 0 else { return Outcome(verdict: .unreadable(-fd)) }
    defer {
      // Done with it: a long run leaves the page cache as it found it.
      PlainFile.advise(fd, .dontNeed)
      PlainFile.close(fd)
    }
    PlainFile.advise(fd, .sequential)
    let input = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
    defer {
      input.deallocate()
      output.deallocate()
    }
    var stream = z_stream()
    // 15 + 16: a gzip wrapper (its CRC-32 and length checked), the largest window.
    guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      return Outcome(verdict: .broken("zlib could not start"))
    }
    defer { inflateEnd(&stream) }
    var outcome = Outcome(verdict: .truncated)
    var tail: [UInt8] = []
    tail.reserveCapacity(tailSize * 2)
    // Between members of a multi-member file (or at the end): nothing open in the stream.
    var betweenMembers = false
    var sawMember = false
    /// One call of inflate on `available` bytes at `start` of the input (0 at the end of the
    /// file: what zlib still holds): its result, the bytes it consumed and produced.
    func inflateStep(_ start: Int, _ available: Int) -> (result: Int32, consumed: Int, produced: Int) {
      stream.next_in = input.baseAddress!.advanced(by: start).assumingMemoryBound(to: Bytef.self)
      stream.avail_in = uInt(available)
      stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
      stream.avail_out = uInt(bufferSize)
      let result = inflate(&stream, Z_NO_FLUSH)
      let produced = bufferSize - Int(stream.avail_out)
      if produced > 0 {
        outcome.sqlBytes += Int64(produced)
        keepTail(&tail, UnsafeRawBufferPointer(rebasing: output[0..<produced]))
      }
      if result == Z_STREAM_END {
        betweenMembers = true
        sawMember = true
      }
      return (result, available - Int(stream.avail_in), produced)
    }
    func brokenMessage(_ result: Int32) -> String { stream.msg.map { String(cString: $0) } ?? "zlib error \(result)" }
    while true {
      let count: Int
      do {
        count = try PlainFile.readSome(fd, into: input)
      } catch {
        outcome.verdict = .unreadable(error.code)
        return outcome
      }
      heartbeat()
      if count == 0 {
        // The end of the file: let zlib hand over what it still holds (a full output buffer
        // may have stopped it), until the stream ends or cannot go on.
        while !betweenMembers {
          let step = inflateStep(0, 0)
          if step.result == Z_STREAM_END { break }
          if step.result != Z_OK && step.result != Z_BUF_ERROR {
            outcome.verdict = .broken(brokenMessage(step.result))
            return outcome
          }
          if step.produced == 0 { break }
        }
        break
      }
      outcome.compressedBytes += Int64(count)
      var offset = 0
      while offset < count {
        if betweenMembers {
          // Another member follows only where gzip's magic does; anything else after a whole
          // stream is padding (gzip -t ignores it too).
          guard input[offset] == 0x1F else {
            offset = count
            continue
          }
          inflateReset(&stream)
          betweenMembers = false
        }
        let step = inflateStep(offset, count - offset)
        offset += step.consumed
        switch step.result {
        case Z_STREAM_END, Z_OK: continue
        case Z_BUF_ERROR:
          // No progress without more input: read on.
          if step.produced == 0 && step.consumed == 0 { offset = count }
        default:
          outcome.verdict = .broken(brokenMessage(step.result))
          return outcome
        }
      }
    }
    guard betweenMembers && sawMember else {
      outcome.verdict = outcome.compressedBytes == 0 ? .broken("empty file") : .truncated
      return outcome
    }
    outcome.verdict = endsWithClosingComment(tail) ? .complete : .unfinished
    return outcome
  }

  /// Keeps the last `tailSize` bytes of the SQL seen so far.
  static func keepTail(_ tail: inout [UInt8], _ chunk: UnsafeRawBufferPointer) {
    if chunk.count >= tailSize {
      tail.removeAll(keepingCapacity: true)
      tail.append(contentsOf: chunk[(chunk.count - tailSize)...])
      return
    }
    tail.append(contentsOf: chunk)
    if tail.count > tailSize { tail.removeFirst(tail.count - tailSize) }
  }

  /// Whether the SQL's last line of substance is a closing comment: trailing whitespace, the
  /// `--` frame lines around the comment and newer pg_dump's `\unrestrict` line do not count.
  static func endsWithClosingComment(_ tail: [UInt8]) -> Bool {
    let text = String(decoding: tail, as: UTF8.self)
    for line in text.split(separator: "\n", omittingEmptySubsequences: true).reversed() {
      let trimmed = line.trimmingWhitespace
      if trimmed.isEmpty || trimmed == "--" || trimmed.hasPrefix("\\unrestrict") { continue }
      return closingComments.contains(trimmed)
    }
    return false
  }
}

extension Substring {
  fileprivate var trimmingWhitespace: String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
    guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
      return ""
    }
    return String(self[start...end])
  }
}
