import CLinuxCalls
import Synchronization

/// What a walk found at each path of a `PathTable`, written by many threads: each path is
/// written by one thread only (the walk of the root it belongs to), so no two threads touch
/// one element.
public final class PathStates: @unchecked Sendable {
  public enum State: UInt8, Sendable {
    case unseen = 0
    case file, directory, other, unreadable, missing
  }

  @usableFromInline let states: UnsafeMutableBufferPointer<UInt8>
  /// Sizes in 4 bytes: `unknownSize` when not read, `largeSize` for 4 GiB and more (kept in
  /// `largeSizes`: a few videos).
  @usableFromInline let sizes: UnsafeMutableBufferPointer<UInt32>
  @usableFromInline let largeSizes = Mutex<[PathID: Int64]>([:])
  @usableFromInline static var unknownSize: UInt32 { UInt32.max }
  @usableFromInline static var largeSize: UInt32 { UInt32.max - 1 }
  /// Why a path was unreadable: few paths, kept apart.
  @usableFromInline let errnos = Mutex<[PathID: Int32]>([:])

  public init(count: Int) {
    states = .allocate(capacity: max(count, 1))
    states.initialize(repeating: 0)
    sizes = .allocate(capacity: max(count, 1))
    sizes.initialize(repeating: Self.unknownSize)
  }

  deinit {
    states.deallocate()
    sizes.deallocate()
  }

  /// The state's byte also carries, until the path is recorded, whether its size is wanted:
  /// the walk reads that and writes the state at one address, one cache miss for both.
  @usableFromInline static var sizeWantedBit: UInt8 { 0x80 }

  @inlinable
  public subscript(path: PathID) -> State { State(rawValue: states[path.index] & ~Self.sizeWantedBit) ?? .unseen }

  /// Before the walk: `path`'s size is to be read when it is found (an original with a recorded size).
  public func markSizeWanted(_ path: PathID) { states[path.index] |= Self.sizeWantedBit }

  /// Whether `path`'s size is wanted and it is not recorded yet.
  @inlinable
  public func sizeWanted(_ path: PathID) -> Bool { states[path.index] & Self.sizeWantedBit != 0 }

  /// The size read for `path`, -1 when none was.
  public func size(_ path: PathID) -> Int64 {
    switch sizes[path.index] {
    case Self.unknownSize: return -1
    case Self.largeSize: return largeSizes.withLock { $0[path] ?? -1 }
    case let size: return Int64(size)
    }
  }

  /// Why `path` was unreadable (0: it was not).
  public func errno(_ path: PathID) -> Int32 { errnos.withLock { $0[path] ?? 0 } }

  /// Starts loading `path`'s state and size, which the walk reads and writes once its folder's
  /// entries are settled: at millions of paths each is a cache miss, and the walk knows the
  /// path (from its folder's lookup) well before it needs them.
  @inlinable
  public func prefetch(_ path: PathID) {
    clinux_prefetch(states.baseAddress! + path.index)
    clinux_prefetch(sizes.baseAddress! + path.index)
  }

  @inlinable
  public func record(_ path: PathID, _ state: State, size: Int64 = -1, errno: Int32 = 0) {
    states[path.index] = state.rawValue
    if size < 0 {
      sizes[path.index] = Self.unknownSize
    } else if size < Int64(Self.largeSize) {
      sizes[path.index] = UInt32(size)
    } else {
      sizes[path.index] = Self.largeSize
      largeSizes.withLock { $0[path] = size }
    }
    if errno != 0 { errnos.withLock { $0[path] = errno } }
  }
}

/// A mark per folder (a byte each), set from many threads, each folder by one thread only
/// (distinct bytes need no lock), and read once they are done.
public final class FolderMarks: @unchecked Sendable {
  @usableFromInline let flags: UnsafeMutableBufferPointer<UInt8>

  public init(count: Int) {
    flags = .allocate(capacity: max(count, 1))
    flags.initialize(repeating: 0)
  }

  deinit { flags.deallocate() }

  @inlinable public func mark(_ folder: FolderID) { flags[folder.index] = 1 }
  @inlinable public func contains(_ folder: FolderID) -> Bool { flags[folder.index] != 0 }
}
