/// The 36-character spelling of a UUID (8-4-4-4-12 hex digits) and its two 64-bit halves, the
/// first digit highest. One codec for the database client (text-mode results) and the index
/// (file names), so that both read and spell ids the same way.
public enum UUIDText {
  /// The halves of a 36-byte UUID in either case; nil for anything else.
  public static func parse(_ text: UnsafeRawBufferPointer) -> (high: UInt64, low: UInt64)? {
    guard text.count == 36, isDash(text, 8), isDash(text, 13), isDash(text, 18), isDash(text, 23) else { return nil }
    var halves: (UInt64, UInt64) = (0, 0)
    var digits = 0
    for (position, byte) in text.enumerated() where position != 8 && position != 13 && position != 18 && position != 23
    {
      guard let value = hexValue(byte) else { return nil }
      if digits < 16 { halves.0 = halves.0 << 4 | UInt64(value) } else { halves.1 = halves.1 << 4 | UInt64(value) }
      digits += 1
    }
    return halves
  }

  /// The halves of the UUID spelled in lowercase in the first 36 bytes, as PostgreSQL writes
  /// them (what follows is not read); nil for anything else, uppercase too, so that a spelling
  /// read here round-trips. Every upload's and thumbnail's name goes through here, so eight
  /// digits at a time rather than one (BENCHMARKS.md, "Measured choices in the code").
  @inlinable
  public static func parseLowercasePrefix(_ text: UnsafeRawBufferPointer) -> (high: UInt64, low: UInt64)? {
    guard text.count >= 36 else { return nil }
    let dash = UInt8(ascii: "-")
    guard text[8] == dash, text[13] == dash, text[18] == dash, text[23] == dash else { return nil }
    func eight(_ offset: Int) -> UInt64 {
      UInt64(littleEndian: text.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    // Two groups of four digits side by side.
    func four(_ first: Int, _ second: Int) -> UInt64 {
      UInt64(UInt32(littleEndian: text.loadUnaligned(fromByteOffset: first, as: UInt32.self)))
        | UInt64(UInt32(littleEndian: text.loadUnaligned(fromByteOffset: second, as: UInt32.self))) << 32
    }
    // Digits 0-15: bytes 0-7, 9-12, 14-17; digits 16-31: bytes 19-22, 24-35.
    guard let a = hexWord(eight(0)), let b = hexWord(four(9, 14)), let c = hexWord(four(19, 24)),
      let d = hexWord(eight(28))
    else { return nil }
    return (UInt64(a) << 32 | UInt64(b), UInt64(c) << 32 | UInt64(d))
  }

  /// Eight ASCII bytes (the first in the lowest byte) that are all lowercase hex digits, as
  /// their 32-bit value (the first digit highest); nil if any is not one. All eight at once:
  /// with every byte below 0x80, adding 0x80 - k to a byte sets its top bit exactly when the
  /// byte is at least k, and no carry crosses into the next byte.
  @inlinable @inline(__always)
  public static func hexWord(_ bytes: UInt64) -> UInt32? {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let tops: UInt64 = 0x8080_8080_8080_8080
    guard bytes & tops == 0 else { return nil }
    let digits = (bytes &+ (0x80 - 0x30) &* ones) & ~(bytes &+ (0x80 - 0x3A) &* ones) & tops  // "0"..."9"
    let letters = (bytes &+ (0x80 - 0x61) &* ones) & ~(bytes &+ (0x80 - 0x67) &* ones) & tops  // "a"..."f"
    guard digits | letters == tops else { return nil }
    // Each byte's value (0-15): its low four bits, plus 9 for a letter ("a" is 0x61).
    let values = (bytes & 0x0F0F_0F0F_0F0F_0F0F) &+ (letters >> 7) &* 9
    // Pack the bytes' nibbles, the first byte's highest: pairs into bytes, bytes into 16 bits, into 32.
    var packed = (values << 4 | values >> 8) & 0x00FF_00FF_00FF_00FF
    packed = (packed << 8 | packed >> 16) & 0x0000_FFFF_0000_FFFF
    return UInt32(truncatingIfNeeded: packed << 16 | packed >> 32)
  }

  /// Appends the lowercase 8-4-4-4-12 spelling of `high` and `low`. Every name kept as an id
  /// is spelled here when a path is made again (a finding's, a loose `stat`'s): the 36 bytes
  /// are made on the stack and appended at once, each digit computed, not looked up in a table.
  public static func append(high: UInt64, low: UInt64, to output: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { spelling in
      var position = 0
      for digit in 0..<32 {
        if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
          spelling[position] = UInt8(ascii: "-")
          position += 1
        }
        let value = UInt8(truncatingIfNeeded: ((digit < 16 ? high : low) >> UInt64(60 - (digit & 15) * 4)) & 0xF)
        // "0"..."9", then "a"..."f" (0x61 is "a", for value 10).
        spelling[position] = value < 10 ? value &+ 0x30 : value &+ 0x57
        position += 1
      }
      output.append(contentsOf: UnsafeBufferPointer(spelling))
    }
  }

  /// The lowercase 8-4-4-4-12 spelling.
  public static func string(high: UInt64, low: UInt64) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(36)
    append(high: high, low: low, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The value of a hex digit of either case (SHA-1s in hex come through here too).
  public static func hexValue(_ digit: UInt8) -> UInt8? {
    switch digit {
    case 48...57: return digit - 48
    case 97...102: return digit - 87
    case 65...70: return digit - 55
    default: return nil
    }
  }

  private static func isDash(_ text: UnsafeRawBufferPointer, _ position: Int) -> Bool {
    text[position] == UInt8(ascii: "-")
  }
}
