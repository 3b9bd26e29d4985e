/// A growable array of plain values in memory of its own, for the large tables of millions of
/// paths.
///
/// Swift's `Array` kept in a class costs a retain and a release of its buffer around most
/// accesses that call anything else (a `memcmp`, another method), a large share of both
/// phases at millions of paths (BENCHMARKS.md, "Measured choices in the code"). A column
/// holds no reference to count. It is not copyable: one owner, freed with it; reads from
/// several threads are safe once it no longer grows.
public struct Column<Element: BitwiseCopyable>: ~Copyable {
  @usableFromInline var base: UnsafeMutablePointer<Element>
  /// How many elements are in use (`count`).
  @usableFromInline var used = 0
  @usableFromInline var capacity: Int

  public init() {
    capacity = 0
    base = .allocate(capacity: 1)
  }

  public init(repeating value: Element, count: Int) {
    capacity = count
    base = .allocate(capacity: max(count, 1))
    base.initialize(repeating: value, count: count)
    used = count
  }

  deinit {
    base.deallocate()
  }

  @inlinable public var count: Int { used }
  @inlinable public var isEmpty: Bool { used == 0 }
  @inlinable public var indices: Range<Int> { 0..<count }

  @inlinable
  public subscript(index: Int) -> Element {
    get {
      precondition(index >= 0 && index < count, "Column index out of range")
      return base[index]
    }
    set {
      precondition(index >= 0 && index < count, "Column index out of range")
      base[index] = newValue
    }
  }

  /// Where element `index` lives, for a prefetch (no bounds check: any address will do there).
  @inlinable
  public func address(_ index: Int) -> UnsafePointer<Element> { UnsafePointer(base + index) }

  @inlinable
  public mutating func append(_ value: Element) {
    if count == capacity { grow(to: max(16, capacity * 2)) }
    base[count] = value
    used += 1
  }

  @inlinable
  public mutating func append(contentsOf values: UnsafeRawBufferPointer) where Element == UInt8 {
    if count + values.count > capacity { grow(to: max(16, capacity * 2, count + values.count)) }
    if !values.isEmpty {
      UnsafeMutableRawPointer(base + count).copyMemory(from: values.baseAddress!, byteCount: values.count)
    }
    used += values.count
  }

  /// Empties the column, keeping its memory (the elements are plain values: nothing to free).
  @inlinable
  public mutating func removeAll() {
    used = 0
  }

  /// Room for `minimum` elements without moving. Pages never written cost address space only.
  public mutating func reserveCapacity(_ minimum: Int) {
    if minimum > capacity { grow(to: minimum) }
  }

  @usableFromInline
  mutating func grow(to newCapacity: Int) {
    let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
    grown.moveInitialize(from: base, count: count)
    base.deallocate()
    base = grown
    capacity = newCapacity
  }

  /// The bytes `range`, valid until the column next grows.
  @inlinable
  public func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer where Element == UInt8 {
    precondition(range.lowerBound >= 0 && range.upperBound <= count, "Column range out of range")
    return UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
  }
}
