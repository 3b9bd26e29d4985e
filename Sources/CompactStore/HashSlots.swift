/// An open-addressing hash table of numbers (path numbers, row numbers) that stays at most
/// half full. Each slot holds the number in its low bits and, in the bits the number cannot
/// use, a tag: more bits of the hash. A probe that meets another number's slot tells it apart
/// there, without reading that number's record: at millions of entries each such read is a
/// cache miss, and an insert meets about one other number on its way to an empty slot.
public struct HashSlots: ~Copyable {
  @usableFromInline var slots: Column<UInt32>
  /// The bits a number may use: log2(count) of them. Numbers stay below count / 2, so a slot
  /// in use is never all ones (`empty`).
  @usableFromInline let numberMask: UInt32
  @usableFromInline static var empty: UInt32 { UInt32.max }

  /// `count`: a power of two.
  public init(count: Int) {
    precondition(count >= 2 && count & (count - 1) == 0 && count <= 1 << 32, "HashSlots count must be a power of two")
    slots = Column(repeating: Self.empty, count: count)
    numberMask = UInt32(truncatingIfNeeded: count - 1)
  }

  @inlinable public var count: Int { slots.count }

  /// The smallest table that keeps `numbers` entries at most half full (at least `minimum` slots).
  public static func slotCount(for numbers: Int, minimum: Int = 16) -> Int {
    var slots = minimum
    while slots < numbers * 2 { slots *= 2 }
    return slots
  }

  @inlinable func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 32) & ~numberMask }
  @inlinable func first(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & (slots.count - 1) }

  /// The first number along `hash`'s probe sequence, with `hash`'s tag, for which `matches`
  /// holds.
  @inlinable
  public func find(_ hash: UInt64, where matches: (Int32) -> Bool) -> Int32? {
    let tag = tag(hash)
    let mask = slots.count - 1
    var slot = first(hash)
    while true {
      let value = slots[slot]
      if value == Self.empty { return nil }
      if value & ~numberMask == tag {
        let number = Int32(bitPattern: value & numberMask)
        if matches(number) { return number }
      }
      slot = (slot + 1) & mask
    }
  }

  /// The number in `hash`'s first slot if its tag is `hash`'s: the likely answer, for a prefetch.
  @inlinable
  public func likely(_ hash: UInt64) -> Int32? {
    let value = slots[first(hash)]
    guard value != Self.empty, value & ~numberMask == tag(hash) else { return nil }
    return Int32(bitPattern: value & numberMask)
  }

  /// Where `hash`'s first slot lives, for a prefetch.
  @inlinable
  public func address(_ hash: UInt64) -> UnsafePointer<UInt32> { slots.address(first(hash)) }

  /// Adds `number` (below count / 2; the caller grows the table before that).
  @inlinable
  public mutating func insert(_ number: Int32, hash: UInt64) {
    precondition(number >= 0 && Int(number) < slots.count / 2, "HashSlots number out of range")
    let mask = slots.count - 1
    var slot = first(hash)
    while slots[slot] != Self.empty { slot = (slot + 1) & mask }
    slots[slot] = UInt32(bitPattern: number) | tag(hash)
  }
}
