import CLinuxCalls

/// File names, most of them UUIDs followed by a suffix shared by many (`.jpg`,
/// `_preview.jpeg`). Those are kept as 16 bytes and the suffix's number; any other name as its
/// bytes. A name may also be spelled after a *stem*: an id registered once (`addStem`) that
/// several files are named after, which then costs no bytes of its own (`NameHandle`).
public struct NameStore: ~Copyable {
  @usableFromInline var other = ByteArena()
  @usableFromInline var uuids = Column<CompactID>()
  @usableFromInline var suffixOf = Column<UInt16>()
  /// End to end, not an array of arrays: reading an inner array retained and released it, on
  /// every name a walk looks up and every row read.
  @usableFromInline var suffixes = ByteArena()
  @usableFromInline var lastSuffix = -1
  @usableFromInline var stems = Column<CompactID>()
  /// Past this many distinct suffixes names are stored whole (the search for one is linear);
  /// as many as a stem handle can number, so every suffix fits one.
  @usableFromInline static var maximumSuffixes: Int { NameHandle.suffixLimit }

  public init() {}

  public mutating func reserve(names: Int, stems stemCount: Int) {
    uuids.reserveCapacity(names)
    suffixOf.reserveCapacity(names)
    stems.reserveCapacity(stemCount)
  }

  /// Registers an id that names may be spelled after; its number, from 0.
  @inlinable
  public mutating func addStem(_ id: CompactID) -> Int32 {
    stems.append(id)
    return Int32(stems.count - 1)
  }

  @inlinable public func stem(_ number: Int32) -> CompactID { stems[Int(number)] }
  @inlinable public var stemCount: Int { stems.count }

  /// Stores `name`: as stem `stem`'s id and a suffix when it is spelled so, else as a UUID
  /// name, else as bytes.
  @inlinable
  public mutating func append(_ name: UnsafeRawBufferPointer, stem: Int32? = nil) -> NameHandle {
    let id = CompactID.parseLowercase(name)
    if let stem, let id, Int(stem) < NameHandle.stemLimit, id == stems[Int(stem)],
      let suffix = suffixNumber(UnsafeRawBufferPointer(rebasing: name[36...]))
    {
      return .stem(Int(stem), suffix: Int(suffix))
    }
    if let id, let suffix = suffixNumber(UnsafeRawBufferPointer(rebasing: name[36...])) {
      uuids.append(id)
      suffixOf.append(suffix)
      return .uuid(uuids.count - 1)
    }
    other.append(name)
    return .bytes(other.count - 1)
  }

  @usableFromInline
  mutating func suffixNumber(_ suffix: UnsafeRawBufferPointer) -> UInt16? {
    if lastSuffix >= 0 && suffixes.equals(lastSuffix, suffix) { return UInt16(lastSuffix) }
    for known in 0..<suffixes.count where suffixes.equals(known, suffix) {
      lastSuffix = known
      return UInt16(known)
    }
    guard suffixes.count < Self.maximumSuffixes else { return nil }
    suffixes.append(suffix)
    lastSuffix = suffixes.count - 1
    return UInt16(lastSuffix)
  }

  /// A name stored as an id and a suffix (UUID and stem names): the id and the suffix's
  /// number, without spelling the name out; nil for a name kept as bytes.
  @inlinable
  public func idAndSuffix(_ handle: NameHandle) -> (id: CompactID, suffix: Int)? {
    switch handle.form {
    case .bytes: return nil
    case .uuid: return (uuids[handle.number], Int(suffixOf[handle.number]))
    case .stem: return (stems[handle.stem], handle.suffix)
    }
  }

  /// Suffix number `number`'s bytes.
  public func suffix(_ number: Int) -> [UInt8] { Array(suffixes.bytes(number)) }

  /// Appends the name's bytes.
  public func appendBytes(_ handle: NameHandle, to output: inout [UInt8]) {
    switch handle.form {
    case .bytes: output += other.bytes(handle.number)
    case .uuid: append(id: uuids[handle.number], suffix: Int(suffixOf[handle.number]), to: &output)
    case .stem: append(id: stems[handle.stem], suffix: handle.suffix, to: &output)
    }
  }

  /// Starts loading what `equals` will read of a name (see `PathTable.lookup`).
  @inlinable
  public func prefetch(_ handle: NameHandle) {
    switch handle.form {
    case .bytes: break
    case .uuid:
      clinux_prefetch(uuids.address(handle.number))
      clinux_prefetch(suffixOf.address(handle.number))
    case .stem: clinux_prefetch(stems.address(handle.stem))
    }
  }

  @inlinable
  public func equals(_ handle: NameHandle, _ name: UnsafeRawBufferPointer) -> Bool {
    switch handle.form {
    case .bytes: return other.equals(handle.number, name)
    case .uuid: return matches(name, id: uuids[handle.number], suffix: Int(suffixOf[handle.number]))
    case .stem: return matches(name, id: stems[handle.stem], suffix: handle.suffix)
    }
  }

  func append(id: CompactID, suffix: Int, to output: inout [UInt8]) {
    id.appendLowercase(to: &output)
    output.append(contentsOf: suffixes.bytes(suffix))
  }

  /// Whether `name` is the lowercase `id` followed by suffix number `suffix`.
  @inlinable
  func matches(_ name: UnsafeRawBufferPointer, id: CompactID, suffix: Int) -> Bool {
    let tail = suffixes.bytes(suffix)
    return name.count == 36 + tail.count && CompactID.parseLowercase(name) == id
      && Bytes.equal(tail, UnsafeRawBufferPointer(rebasing: name[36...]))
  }
}
