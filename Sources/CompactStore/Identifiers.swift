/// A path's number in a `PathTable`: from 0, in the order the paths were first interned.
public struct PathID: Hashable, Comparable, Sendable, BitwiseCopyable {
  public var number: Int32
  @inlinable public init(_ number: Int32) { self.number = number }
  @inlinable public init(_ index: Int) { self.number = Int32(index) }
  /// The number as an array index.
  @inlinable public var index: Int { Int(number) }
  @inlinable public static func < (a: PathID, b: PathID) -> Bool { a.number < b.number }
}

/// A folder's number in a `FolderTable` (and its `PathTable`): from 0, a parent always before
/// its children.
public struct FolderID: Hashable, Comparable, Sendable, BitwiseCopyable {
  public var number: Int32
  @inlinable public init(_ number: Int32) { self.number = number }
  @inlinable public init(_ index: Int) { self.number = Int32(index) }
  @inlinable public var index: Int { Int(number) }
  @inlinable public static func < (a: FolderID, b: FolderID) -> Bool { a.number < b.number }
}

/// How a `NameStore` keeps one name, in 32 bits:
///
///     bits 31-30  form: 00 bytes, 10 a UUID and a suffix, 11 a stem and a suffix
///     bytes:      bits 29-0   the name's number in the byte arena
///     uuid:       bits 29-0   the name's number among the UUID names (id and suffix per name)
///     stem:       bits 29-22  the suffix's number, bits 21-0 the stem's number
public struct NameHandle: Hashable, Sendable, BitwiseCopyable {
  public enum Form: UInt32 {
    case bytes = 0b00
    case uuid = 0b10
    case stem = 0b11
  }

  @usableFromInline let rawValue: UInt32

  @usableFromInline static var formShift: UInt32 { 30 }
  @usableFromInline static var numberMask: UInt32 { 1 << 30 - 1 }
  @usableFromInline static var stemBits: UInt32 { 22 }
  @usableFromInline static var suffixBits: UInt32 { 8 }
  /// Stems and suffixes a `.stem` handle can hold; others are kept as UUID names.
  public static var stemLimit: Int { 1 << Int(stemBits) }
  public static var suffixLimit: Int { 1 << Int(suffixBits) }

  @inlinable init(rawValue: UInt32) { self.rawValue = rawValue }

  @inlinable static func bytes(_ number: Int) -> NameHandle { NameHandle(rawValue: UInt32(number)) }
  @inlinable static func uuid(_ number: Int) -> NameHandle {
    NameHandle(rawValue: Form.uuid.rawValue << formShift | UInt32(number))
  }
  @inlinable static func stem(_ stem: Int, suffix: Int) -> NameHandle {
    NameHandle(rawValue: Form.stem.rawValue << formShift | UInt32(suffix) << stemBits | UInt32(stem))
  }

  @inlinable public var form: Form { Form(rawValue: rawValue >> Self.formShift) ?? .bytes }
  /// `.bytes` and `.uuid`: the name's number in its store.
  @inlinable var number: Int { Int(rawValue & Self.numberMask) }
  /// `.stem`: the stem's number and the suffix's.
  @inlinable var stem: Int { Int(rawValue & (1 << Self.stemBits - 1)) }
  @inlinable var suffix: Int { Int(rawValue >> Self.stemBits & (1 << Self.suffixBits - 1)) }
}
