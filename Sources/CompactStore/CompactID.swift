import UUIDText

/// An id in 16 bytes: a UUID spelled in lowercase, as PostgreSQL writes them. Anything else (a
/// text column holding another spelling) is kept whole in an `Overflow` list, which the id then
/// points into, so every id spells back exactly as it was read.
public struct CompactID: Hashable, Sendable, BitwiseCopyable {
  public var high: UInt64
  public var low: UInt64

  /// No id (a NULL column).
  public static let none = CompactID(high: 0, low: 0)
  /// `high` of an id kept in the overflow list (`low`: its position there). A UUID with this
  /// first half is kept there too.
  public static let overflowMarker: UInt64 = 0xFFFF_FFFF_FFFF_FFFF

  /// Ids that are not lowercase UUIDs, as text.
  public struct Overflow: Sendable {
    public var values: [String] = []
    public init() {}
  }

  @inlinable
  public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// The lowercase UUID at the start of `text` (see `UUIDText.parseLowercasePrefix`); nil for
  /// anything else, and for the overflow marker.
  @inlinable
  public static func parseLowercase(_ text: UnsafeRawBufferPointer) -> CompactID? {
    guard let (high, low) = UUIDText.parseLowercasePrefix(text), high != overflowMarker else { return nil }
    return CompactID(high: high, low: low)
  }

  /// From a column's bytes (nil or empty: none).
  public init(_ raw: UnsafeRawBufferPointer?, overflow: inout Overflow) {
    guard let raw, !raw.isEmpty else {
      self = .none
      return
    }
    if raw.count == 36, let id = Self.parseLowercase(raw) {
      self = id
      return
    }
    self.init(overflowing: String(decoding: raw, as: UTF8.self), into: &overflow)
  }

  /// From a column's text (nil or empty: none).
  public init(_ text: String?, overflow: inout Overflow) {
    guard let text, !text.isEmpty else {
      self = .none
      return
    }
    if let id = Self(lowercase: text) {
      self = id
      return
    }
    self.init(overflowing: text, into: &overflow)
  }

  /// `text` if it is exactly a lowercase UUID; nil for anything else.
  public init?(lowercase text: String) {
    var text = text
    guard let id = text.withUTF8({ $0.count == 36 ? Self.parseLowercase(UnsafeRawBufferPointer($0)) : nil }) else {
      return nil
    }
    self = id
  }

  private init(overflowing text: String, into overflow: inout Overflow) {
    overflow.values.append(text)
    high = Self.overflowMarker
    low = UInt64(overflow.values.count - 1)
  }

  /// Appends the lowercase 8-4-4-4-12 spelling (of an id that is not in the overflow list).
  public func appendLowercase(to output: inout [UInt8]) {
    UUIDText.append(high: high, low: low, to: &output)
  }

  /// The id as it was read; nil for none.
  public func string(_ overflow: Overflow) -> String? {
    if self == .none { return nil }
    if high == Self.overflowMarker { return overflow.values[Int(low)] }
    return UUIDText.string(high: high, low: low)
  }

  /// A 64-bit hash for `HashSlots`. Each half is mixed on its own first: ids whose halves are
  /// related (as in the benchmark's synthetic ones) must not cancel out.
  @inlinable
  public var slotHash: UInt64 {
    var mixed = high &* 0x9E37_79B9_7F4A_7C15
    mixed ^= mixed >> 32
    mixed = (mixed ^ low) &* 0xBF58_476D_1CE4_E5B9
    return mixed ^ (mixed >> 29)
  }
}
