/// Distinct folders (byte strings ending in "/", or empty), each stored once as its parent
/// folder's number and its last component: a million folders below one deep root cost their
/// last components, not their whole paths. Found by a hash of the whole string.
public struct FolderTable: ~Copyable {
  /// One folder: its parent, its whole length (its last component is what the parent's
  /// length leaves), where that component starts in `components`, and the low 32 bits of
  /// its hash (to place it again when the table grows). In one 16-byte record, so that
  /// comparing a folder misses the caches once for it, not once per array.
  @usableFromInline struct Record: BitwiseCopyable {
    @usableFromInline var parent: Int32
    @usableFromInline var length: Int32
    @usableFromInline var componentStart: UInt32
    @usableFromInline var tag: UInt32
  }

  @usableFromInline var records = Column<Record>()
  @usableFromInline var components = Column<UInt8>()
  /// Folder numbers by their 32-bit tags: the low bits choose the slot, the ones above tell
  /// folders apart in it (`HashSlots`), so most probes end there without reading a record.
  @usableFromInline var table = HashSlots(count: 1 << 10)
  @usableFromInline var last: Int32 = -1
  /// The last folder interned, whole: consecutive rows mostly share one.
  @usableFromInline var lastBytes = Column<UInt8>()

  public init() {}

  @inlinable public var count: Int { records.count }

  /// The folder one component up (nil for a first component).
  @inlinable
  public func parent(_ folder: FolderID) -> FolderID? {
    let parent = records[folder.index].parent
    return parent >= 0 ? FolderID(parent) : nil
  }

  /// Folder `index`'s last component: its bytes and where they end in the whole folder.
  @inlinable
  func component(_ index: Int) -> (bytes: UnsafeRawBufferPointer, end: Int) {
    let record = records[index]
    let start = record.parent >= 0 ? Int(records[Int(record.parent)].length) : 0
    let length = Int(record.length) - start
    return (components.bytes(Int(record.componentStart)..<Int(record.componentStart) + length), Int(record.length))
  }

  /// The whole folder.
  public subscript(folder: FolderID) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: Int(records[folder.index].length))
    var index = folder.index
    while index >= 0 {
      let (component, end) = component(index)
      bytes.replaceSubrange((end - component.count)..<end, with: component)
      index = Int(records[index].parent)
    }
    return bytes
  }

  @inlinable
  func equals(_ number: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    guard Int(records[Int(number)].length) == bytes.count else { return false }
    var index = Int(number)
    while index >= 0 {
      let (component, end) = component(index)
      guard Bytes.equal(component, UnsafeRawBufferPointer(rebasing: bytes[(end - component.count)..<end])) else {
        return false
      }
      index = Int(records[index].parent)
    }
    return true
  }

  /// The folder's number, if it is stored.
  @inlinable
  public func find(_ bytes: UnsafeRawBufferPointer) -> FolderID? {
    find(bytes, tag: Self.tag(bytes)).map(FolderID.init)
  }

  @inlinable
  func find(_ bytes: UnsafeRawBufferPointer, tag: UInt32) -> Int32? {
    table.find(Self.slotHash(tag)) { equals($0, bytes) }
  }

  /// The table's hash of a folder: its 32 bits in both halves (`HashSlots` takes the slot
  /// from the low half and its tag from the high half's upper bits: different bits of them).
  @inlinable static func slotHash(_ tag: UInt32) -> UInt64 { UInt64(tag) << 32 | UInt64(tag) }

  @usableFromInline
  mutating func place(_ folder: Int32) {
    table.insert(folder, hash: Self.slotHash(records[Int(folder)].tag))
  }

  /// The table's 32-bit hash of a folder's bytes (what `tag(of:)` returns once it is stored).
  @inlinable
  public static func tag(_ bytes: UnsafeRawBufferPointer) -> UInt32 { UInt32(truncatingIfNeeded: Bytes.hash(bytes)) }

  /// The stored folder's `tag(_:)`, without reading its bytes.
  @inlinable
  public func tag(of folder: FolderID) -> UInt32 { records[folder.index].tag }

  /// The folder's number, added (with every folder above it) if new; `tag`: its `tag(_:)`,
  /// which the caller needs anyway (a path's slot is chosen by it).
  @inlinable
  public mutating func intern(_ bytes: UnsafeRawBufferPointer, knownTag tag: UInt32) -> FolderID {
    // Consecutive rows mostly share a folder: that one is found without a probe.
    if last >= 0 && Bytes.equal(lastBytes.bytes(0..<lastBytes.count), bytes) { return FolderID(last) }
    let index = intern(bytes, tag: tag)
    last = index
    lastBytes.removeAll()
    lastBytes.append(contentsOf: bytes)
    return FolderID(index)
  }

  @usableFromInline
  mutating func intern(_ bytes: UnsafeRawBufferPointer, tag: UInt32) -> Int32 {
    if let known = find(bytes, tag: tag) { return known }
    // The parent: everything up to the "/" before the last one (none for a first component).
    var cut = bytes.count - 1
    while cut > 0 && bytes[cut - 1] != UInt8(ascii: "/") { cut -= 1 }
    var parent: Int32 = -1
    if cut > 0 {
      let head = UnsafeRawBufferPointer(rebasing: bytes[0..<cut])
      parent = intern(head, tag: Self.tag(head))
    }
    let index = Int32(records.count)
    records.append(
      Record(parent: parent, length: Int32(bytes.count), componentStart: UInt32(components.count), tag: tag))
    components.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[max(cut, 0)...]))
    if records.count * 2 > table.count {
      table = HashSlots(count: table.count * 2)
      for folder in 0..<Int32(records.count) { place(folder) }
    } else {
      place(index)
    }
    return index
  }
}
