import CLinuxCalls
import Glibc

/// Byte strings as the store compares and hashes them: through raw buffers, because the
/// generic `Collection` algorithms cost several instructions a byte on the paths and names
/// compared per row and per file walked.
public enum Bytes {
  /// Whether two byte ranges hold the same bytes (memcmp).
  @inlinable
  public static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
  }

  /// Bytewise three-way order (memcmp, then length: a prefix sorts first).
  @inlinable
  public static func compare(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Int32 {
    let common = min(x.count, y.count)
    let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
    if order != 0 { return order }
    return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
  }

  /// Whether `bytes` ends with the four bytes of `suffix`: one 4-byte load, for the walk's
  /// per-file test of an extension (the generic comparison's cost: BENCHMARKS.md).
  @inlinable
  public static func hasSuffix(_ bytes: UnsafeRawBufferPointer, _ suffix: FourBytes) -> Bool {
    bytes.count > 4 && bytes.loadUnaligned(fromByteOffset: bytes.count - 4, as: UInt32.self) == suffix.word
  }

  /// Four bytes, as `hasSuffix` compares them.
  public struct FourBytes: Sendable {
    @usableFromInline let word: UInt32
    public init(_ text: StaticString) {
      precondition(text.utf8CodeUnitCount == 4, "FourBytes takes four bytes")
      word = UnsafeRawPointer(text.utf8Start).loadUnaligned(as: UInt32.self)
    }
  }

  /// Whether `needle` occurs in `haystack` (memmem, many bytes at a time).
  @inlinable
  public static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
    guard !needle.isEmpty else { return true }
    guard let base = haystack.baseAddress, haystack.count >= needle.count else { return false }
    return clinux_contains(base, haystack.count, needle.baseAddress!, needle.count) != 0
  }

  /// Where the file name starts in a path: after the last "/" (0: the whole path). memrchr
  /// looks at many bytes at a time; the generic `lastIndex` and a plain loop cost far more
  /// per row (BENCHMARKS.md).
  @inlinable
  public static func nameStart(_ path: UnsafeRawBufferPointer) -> Int {
    guard let base = path.baseAddress else { return 0 }
    return clinux_name_start(base, path.count)
  }

  /// A 64-bit hash of bytes, eight at a time (multiply and fold); collisions are resolved by
  /// comparing the bytes. Called for every row and every file walked, so it avoids the
  /// byte-at-a-time loop of FNV.
  @inlinable
  public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
    var position = 0
    while position + 8 <= bytes.count {
      let word = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
      hash = (hash ^ word) &* multiplier
      hash ^= hash >> 29
      position += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while position < bytes.count {
      tail |= UInt64(bytes[position]) << shift
      shift += 8
      position += 1
    }
    hash = (hash ^ tail) &* multiplier
    hash ^= hash >> 32
    return hash &* 0xBF58_476D_1CE4_E5B9 ^ (hash >> 31)
  }

  /// `head`, then `tail` and `terminator` unless `tail` is empty, in scratch space on the stack
  /// (no array): a folder's path is built and looked up once per folder walked.
  @inlinable
  public static func withJoined<T>(
    _ head: [UInt8], _ tail: [UInt8], terminator: UInt8, _ body: (UnsafeRawBufferPointer) -> T
  ) -> T {
    let count = head.count + tail.count + (tail.isEmpty ? 0 : 1)
    return withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { buffer in
      head.withUnsafeBytes { buffer.copyMemory(from: $0) }
      if !tail.isEmpty {
        tail.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[head.count...]).copyMemory(from: $0) }
        buffer[count - 1] = terminator
      }
      return body(UnsafeRawBufferPointer(buffer))
    }
  }

  /// `hash` of any bytes (a copy only when they are not contiguous).
  public static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    if let hash = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) { return hash }
    return Array(bytes).withUnsafeBytes { hash($0) }
  }
}
