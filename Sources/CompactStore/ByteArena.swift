/// Byte strings appended end to end, addressed by their number.
public struct ByteArena: ~Copyable {
  @usableFromInline var storage = Column<UInt8>()
  @usableFromInline var ends = Column<Int>()

  public init() {}

  @inlinable public var count: Int { ends.count }

  @inlinable
  public mutating func append(_ item: UnsafeRawBufferPointer) {
    storage.append(contentsOf: item)
    ends.append(storage.count)
  }

  public mutating func reserve(count: Int, bytes byteCount: Int) {
    storage.reserveCapacity(byteCount)
    ends.reserveCapacity(count)
  }

  /// String `index`, valid until the next `append`.
  @inlinable
  public func bytes(_ index: Int) -> UnsafeRawBufferPointer {
    storage.bytes((index == 0 ? 0 : ends[index - 1])..<ends[index])
  }

  public subscript(index: Int) -> ArraySlice<UInt8> { ArraySlice(bytes(index)) }

  @inlinable
  public func equals(_ index: Int, _ other: UnsafeRawBufferPointer) -> Bool {
    Bytes.equal(bytes(index), other)
  }
}
