/// A growable array of plain values in memory of its own, for the index's large tables.
///
/// Swift's `Array` kept in a class costs a retain and a release of its buffer around most
/// accesses that call anything else (a `memcmp`, another method): measured, a fifth of the
/// database phase's samples at 2M assets and a tenth of the walk's. A column holds no
/// reference to count. It is not copyable: one owner (the index), freed with it; reads from
/// several threads are safe once it no longer grows.
struct Column<Element: BitwiseCopyable>: ~Copyable {
  private var base: UnsafeMutablePointer<Element>
  private(set) var count = 0
  private var capacity: Int

  init() {
    capacity = 0
    base = .allocate(capacity: 1)
  }

  init(repeating value: Element, count: Int) {
    capacity = count
    base = .allocate(capacity: max(count, 1))
    base.initialize(repeating: value, count: count)
    self.count = count
  }

  deinit {
    base.deallocate()
  }

  var isEmpty: Bool { count == 0 }
  var indices: Range<Int> { 0..<count }

  subscript(index: Int) -> Element {
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
  func address(_ index: Int) -> UnsafePointer<Element> { UnsafePointer(base + index) }

  mutating func append(_ value: Element) {
    if count == capacity { grow(to: max(16, capacity * 2)) }
    base[count] = value
    count += 1
  }

  mutating func append(contentsOf values: UnsafeRawBufferPointer) where Element == UInt8 {
    if count + values.count > capacity { grow(to: max(16, capacity * 2, count + values.count)) }
    if !values.isEmpty { UnsafeMutableRawPointer(base + count).copyMemory(from: values.baseAddress!, byteCount: values.count) }
    count += values.count
  }

  /// Empties the column, keeping its memory (the elements are plain values: nothing to free).
  mutating func removeAll() {
    count = 0
  }

  /// Room for `minimum` elements without moving. Pages never written cost address space only.
  mutating func reserveCapacity(_ minimum: Int) {
    if minimum > capacity { grow(to: minimum) }
  }

  private mutating func grow(to newCapacity: Int) {
    let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
    grown.moveInitialize(from: base, count: count)
    base.deallocate()
    base = grown
    capacity = newCapacity
  }

  /// The bytes `range`, valid until the column next grows.
  func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer where Element == UInt8 {
    precondition(range.lowerBound >= 0 && range.upperBound <= count, "Column range out of range")
    return UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
  }
}
