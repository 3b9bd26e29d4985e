import CLinuxCalls
import Glibc
import Synchronization

/// One folder's listing as the walk hands it to its visitor: the names end to end in one
/// buffer and one fixed-size record per entry, so a folder costs a few allocations, not one
/// per name. Entries are settled in ranges (`visit`): those that need no `stat` first, then
/// batches of stat'ed ones, possibly on other threads; each range is written by one thread.
public final class Listing: @unchecked Sendable {
  public struct Entry: Sendable {
    var nameStart: UInt32
    var nameLength: UInt32
    public internal(set) var kind: EntryKind
    /// Read when the visitor asked for it (`wantsSize`) or a `stat` was needed anyway; -1 if not.
    public internal(set) var size: Int64 = -1
    /// The visitor's own notes from `plan` (e.g. the index of a known path, what the entry is
    /// to it), handed back in `visit`.
    public var token: Int32 = -1
    public var mark: Int8 = -1
    /// Set in `plan` for a regular file whose size is wanted.
    public var wantsSize = false
    /// `d_type` did not tell (DT_UNKNOWN, or a symbolic link, which is followed).
    var needsStat: Bool
    /// Gone between the listing and its `stat` (or a dangling link): not there on this walk.
    public internal(set) var gone = false
  }

  /// The folder, relative to its root ([] for the root itself).
  public let directory: [UInt8]
  /// The visitor's own note about the folder from `plan` (e.g. its number in an index),
  /// handed back in `listed`.
  public var note: Int32 = -1
  /// The names, each followed by a NUL so that `stat` can take it as it is. A listing is
  /// filled by one thread and only then handed on, so its properties skip Swift's run-time
  /// exclusivity checks (a check per name appended).
  @exclusivity(unchecked) private var names: UnsafeMutableRawBufferPointer
  @exclusivity(unchecked) private var namesUsed = 0
  @exclusivity(unchecked) private var storage: UnsafeMutablePointer<Entry>
  @exclusivity(unchecked) private var capacity: Int
  @exclusivity(unchecked) public private(set) var count = 0

  init(directory: [UInt8]) {
    self.directory = directory
    names = .allocate(byteCount: 1024, alignment: 1)
    capacity = 16
    storage = .allocate(capacity: capacity)
  }

  deinit {
    storage.deinitialize(count: count)
    storage.deallocate()
    names.deallocate()
  }

  public subscript(index: Int) -> Entry {
    get { storage[index] }
    set { storage[index] = newValue }
  }

  public var indices: Range<Int> { 0..<count }

  /// The bytes of entry `index`'s name (valid while the listing lives).
  public func name(_ index: Int) -> UnsafeRawBufferPointer {
    let entry = storage[index]
    return UnsafeRawBufferPointer(
      rebasing: UnsafeRawBufferPointer(names)[Int(entry.nameStart)..<Int(entry.nameStart + entry.nameLength)])
  }

  /// Entry `index`'s name as a C string, for the system calls.
  func cName(_ index: Int) -> UnsafePointer<CChar> {
    UnsafeRawPointer(names.baseAddress! + Int(storage[index].nameStart)).assumingMemoryBound(to: CChar.self)
  }

  /// The entry's path relative to the root (one allocation: a folder's subfolders each get one).
  public func relativePath(_ index: Int) -> [UInt8] {
    let name = name(index)
    guard !directory.isEmpty else { return Array(name) }
    let count = directory.count + 1 + name.count
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      let base = UnsafeMutableRawPointer(buffer.baseAddress!)
      directory.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      buffer[directory.count] = UInt8(ascii: "/")
      if name.count > 0 { (base + directory.count + 1).copyMemory(from: name.baseAddress!, byteCount: name.count) }
      initialized = count
    }
  }

  fileprivate func append(name: UnsafeRawBufferPointer, kind: EntryKind, needsStat: Bool) {
    if namesUsed + name.count + 1 > names.count {
      let grown = UnsafeMutableRawBufferPointer.allocate(
        byteCount: max(names.count * 2, namesUsed + name.count + 1), alignment: 1)
      grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: names[0..<namesUsed]))
      names.deallocate()
      names = grown
    }
    UnsafeMutableRawBufferPointer(rebasing: names[namesUsed..<namesUsed + name.count]).copyMemory(from: name)
    names[namesUsed + name.count] = 0
    if count == capacity {
      let grown = UnsafeMutablePointer<Entry>.allocate(capacity: capacity * 2)
      grown.moveInitialize(from: storage, count: count)
      storage.deallocate()
      storage = grown
      capacity *= 2
    }
    (storage + count).initialize(
      to: Entry(nameStart: UInt32(namesUsed), nameLength: UInt32(name.count), kind: kind, needsStat: needsStat))
    namesUsed += name.count + 1
    count += 1
  }

  /// Puts the entries that need a `stat` last (keeping order within each part); returns where they start.
  fileprivate func partition() -> Int {
    func needsStat(_ entry: Entry) -> Bool { entry.needsStat || (entry.kind == .file && entry.wantsSize) }
    // Most folders need no stat at all (thumbnails): no copies then.
    guard let first = (0..<count).first(where: { needsStat(storage[$0]) }) else { return count }
    // The others move up in place; those needing a stat wait in scratch space (no array per folder).
    return withUnsafeTemporaryAllocation(of: Entry.self, capacity: count - first) { later in
      var ready = first
      var waiting = 0
      for index in first..<count {
        let entry = storage[index]
        if needsStat(entry) {
          (later.baseAddress! + waiting).initialize(to: entry)
          waiting += 1
        } else {
          storage[ready] = entry
          ready += 1
        }
      }
      for offset in 0..<waiting { storage[ready + offset] = (later.baseAddress! + offset).move() }
      return ready
    }
  }
}

/// What a walk reports, from many threads at once: implementations must be thread-safe.
public protocol WalkVisitor: Sendable {
  /// Before any `stat`: look at a folder's names, note tokens, say which sizes are wanted.
  func plan(root: Int, listing: Listing)
  /// The entries of `range` with their kinds settled (one folder may come in several ranges);
  /// skip entries that are `gone`.
  func visit(root: Int, listing: Listing, range: Range<Int>)
  func shouldDescend(root: Int, directory: [UInt8], name: UnsafeRawBufferPointer) -> Bool
  /// A folder whose listing was read in full (its `directory` is [] for the root).
  func listed(root: Int, listing: Listing)
  /// A folder that could not be opened or read, or an entry that could not be stat'ed.
  func problem(root: Int, path: [UInt8], errno: Int32)
}

/// Walks several roots at once on a `WorkPool`, a task per folder and, where `stat` calls are
/// needed, a task per batch of entries, so that many calls are in flight on network and FUSE
/// filesystems while a local walk stays depth-first. A folder is opened relative to its
/// parent's open descriptor (one path component for the kernel to resolve, not the whole path)
/// read-only with `O_NOATIME`, and listed with `getdents64` into one buffer; symbolic links are
/// followed; a folder reached twice by one root's walk (same device and inode) is walked once.
public final class ParallelWalker: Sendable {
  public let roots: [[UInt8]]
  let pool: WorkPool
  let visitor: any WalkVisitor
  /// Entries stat'ed per task: small where each call is a network round trip.
  let statBatch: Int
  /// Folders seen by each root's walk, by (device, inode), in shards so that threads seldom
  /// wait on each other. Per root: roots may share folders (two libraries on one share, one
  /// import path below another's), and each root's walk must list all of its own.
  private let visited: [[VisitedShard]]
  /// Per root: its device if it is on ext4, where one `getdents64` lists a folder of one block
  /// whole (`Self.listsInOneRead`); `UInt64.max` otherwise. Set when the root is opened, before
  /// any folder below it is queued.
  private let ext4Device: [DeviceNote]

  public init(roots: [[UInt8]], pool: WorkPool, visitor: any WalkVisitor, statBatch: Int = 64) {
    self.roots = roots
    self.pool = pool
    self.visitor = visitor
    self.statBatch = statBatch
    visited = roots.map { _ in (0..<16).map { _ in VisitedShard() } }
    ext4Device = roots.map { _ in DeviceNote() }
  }

  /// Queues the walk of root `index` (in the pool's group `index`).
  public func start(root index: Int) {
    pool.submit(group: index) { [self] in
      roots[index].withUnsafeBufferPointer { path in
        withNulTerminated(path) { list(root: index, directory: [], parent: nil, name: $0) }
      }
    }
  }

  /// Whether root `root`'s walk meets this folder for the first time (and now has), and
  /// whether one read lists it whole. The root itself (`isRoot`) notes whether it is on ext4.
  private func firstVisit(_ fd: Int32, root: Int, isRoot: Bool) -> (first: Bool, oneRead: Bool) {
    guard let s = PlainFile.status(of: fd) else { return (true, false) }
    let device = UInt64(s.st_dev)
    let inode = UInt64(s.st_ino)
    if isRoot && clinux_fstatfs_type(fd) == Self.ext4Magic {
      ext4Device[root].device.store(device, ordering: .relaxed)
    }
    let first = visited[root][Int(inode % 16)].folders.withLock { $0.insert(device: device, inode: inode) }
    let oneRead =
      device == ext4Device[root].device.load(ordering: .relaxed)
      && Self.listsInOneRead(size: Int(s.st_size), blockSize: Int(s.st_blksize))
    return (first, oneRead)
  }

  /// Whether a folder of `size` bytes on ext4 is listed whole by one `getdents64`, so that the
  /// second call, which would only say the folder ended, can be left out (one call per folder
  /// of a walk that makes two). ext4 fills the buffer until the folder ends, the buffer is full
  /// or an error stops it, and an error after some entries is not returned with them. So only
  /// a folder of one block: its block is read before any entry is given, and its entries
  /// (at least 12 bytes each there, 24 in the buffer) fit twice over in this buffer.
  static func listsInOneRead(size: Int, blockSize: Int) -> Bool {
    blockSize > 0 && size <= blockSize && 2 * blockSize <= Int(CLINUX_DIRENT_BUFFER_SIZE)
  }

  private static let ext4Magic = 0xEF53

  /// Lists one folder: `name` relative to the open `parent` (the root's host path when nil).
  private func list(root: Int, directory: [UInt8], parent: DirectoryHandle?, name: UnsafePointer<CChar>) {
    let fd = Directories.open(parent?.fd ?? AT_FDCWD, name)
    guard fd >= 0 else {
      // A folder removed (or replaced by a file) since its parent was listed is not there on
      // this walk, as a vanished file is; a root that cannot be opened is a problem.
      if parent != nil && (-fd == ENOENT || -fd == ENOTDIR) { return }
      visitor.problem(root: root, path: directory, errno: -fd)
      return
    }
    let handle = DirectoryHandle(fd)
    let (first, oneRead) = firstVisit(fd, root: root, isRoot: parent == nil)
    guard first else {
      pool.countCalls(2)
      return
    }
    let listing = Listing(directory: directory)
    let readError = handle.read(into: listing, oneRead: oneRead)
    // Two calls for the governor, however many reads: the open and the first read wait (a
    // FUSE daemon's lookup and listing, a disk's inode and first block); the fstat and the
    // later reads come from what those brought in. Counting them made a window that listed
    // folders look faster than one that stat'ed files, at the same server speed (BENCHMARKS.md).
    pool.countCalls(2)
    visitor.plan(root: root, listing: listing)
    let split = listing.partition()
    if listing.count - split <= statBatch {
      // A few stat calls are cheaper here than a task of their own.
      if split < listing.count { statEntries(split..<listing.count, of: listing, in: handle, root: root) }
      deliver(0..<listing.count, of: listing, in: handle, root: root)
    } else {
      deliver(0..<split, of: listing, in: handle, root: root)
      for start in stride(from: split, to: listing.count, by: statBatch) {
        let batch = start..<min(start + statBatch, listing.count)
        pool.submit(group: root, key: Self.key(of: listing)) { [self] in
          statEntries(batch, of: listing, in: handle, root: root)
          deliver(batch, of: listing, in: handle, root: root)
        }
      }
    }
    if let readError {
      visitor.problem(root: root, path: directory, errno: readError)
    } else {
      visitor.listed(root: root, listing: listing)
    }
  }

  /// Hands entries to the visitor and queues their subfolders.
  private func deliver(_ range: Range<Int>, of listing: Listing, in handle: DirectoryHandle, root: Int) {
    guard !range.isEmpty else { return }
    visitor.visit(root: root, listing: listing, range: range)
    for index in range where listing[index].kind == .directory && !listing[index].gone {
      let name = listing.name(index)
      guard visitor.shouldDescend(root: root, directory: listing.directory, name: name) else { continue }
      let child = listing.relativePath(index)
      // Opened by the parent listing's own NUL-terminated name: the task keeps the listing.
      pool.submit(group: root, key: Self.key(of: listing)) { [self] in
        withExtendedLifetime(listing) { list(root: root, directory: child, parent: handle, name: listing.cName(index)) }
      }
    }
  }

  /// The pool's key for tasks whose first calls look names up in `listing`'s folder.
  private static func key(of listing: Listing) -> UInt {
    UInt(bitPattern: Unmanaged.passUnretained(listing).toOpaque())
  }

  private func statEntries(_ range: Range<Int>, of listing: Listing, in handle: DirectoryHandle, root: Int) {
    for index in range {
      var entry = listing[index]
      let status = FileStatus.at(handle.fd, listing.cName(index))
      // Each call as it ends, not per batch: a batch on a slow mount outlasts the governor's
      // window, and counts in lumps made a steady server's windows look uneven (BENCHMARKS.md).
      pool.countCalls(1)
      switch status {
      case .file(let size):
        entry.kind = .file
        entry.size = size
      case .directory: entry.kind = .directory
      case .other: entry.kind = .other
      // A dangling link, or a name that vanished since the listing: not there on this walk.
      case .missing: entry.gone = true
      case .failed(let code):
        entry.gone = true
        if code != ELOOP { visitor.problem(root: root, path: listing.relativePath(index), errno: code) }
      }
      entry.needsStat = false
      listing[index] = entry
    }
  }
}

/// An open folder, closed when the last task using it (its stat batches, its subfolders'
/// opens) lets go.
final class DirectoryHandle: Sendable {
  let fd: Int32

  init(_ fd: Int32) { self.fd = fd }

  deinit { PlainFile.close(fd) }

  /// Reads every entry but `.` and `..` into `listing`; the errno if reading stopped early.
  /// `oneRead`: the first read that returns entries lists the folder whole.
  func read(into listing: Listing, oneRead: Bool = false) -> Int32? {
    // This thread's buffer, reused for every folder it lists.
    guard let base = clinux_dirent_buffer() else { return ENOMEM }
    let buffer = UnsafeMutableRawBufferPointer(start: base, count: Int(CLINUX_DIRENT_BUFFER_SIZE))
    while true {
      let length = clinux_getdents64(fd, buffer.baseAddress, buffer.count)
      if length == 0 { return nil }
      if length < 0 {
        if errno == EINTR { continue }
        return errno
      }
      var offset = 0
      while offset < length {
        // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated).
        let record = buffer.baseAddress! + offset
        let recordLength = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
        let type = Int32(record.load(fromByteOffset: 18, as: UInt8.self))
        let nameStart = record + 19
        let nameLength = strlen(nameStart.assumingMemoryBound(to: CChar.self))
        offset += recordLength
        let name = UnsafeRawBufferPointer(start: nameStart, count: nameLength)
        if nameLength <= 2 && name.allSatisfy({ $0 == UInt8(ascii: ".") }) { continue }
        let kind: EntryKind
        var needsStat = false
        switch type {
        case Int32(DT_DIR): kind = .directory
        case Int32(DT_REG): kind = .file
        case Int32(DT_LNK), Int32(DT_UNKNOWN):
          kind = .other
          needsStat = true
        default: kind = .other
        }
        listing.append(name: name, kind: kind, needsStat: needsStat)
      }
      if oneRead { return nil }
    }
  }
}

/// A device number noted once and read by many threads (`UInt64.max`: none).
final class DeviceNote: Sendable {
  let device = Atomic<UInt64>(.max)
}

final class VisitedShard: Sendable {
  let folders = Mutex(SeenFolders())
}

/// Folders seen, by device and inode: per device (a walk meets a few) a table of inode
/// numbers. Swift's `Set` of the pairs hashed each with SipHash under a per-process seed,
/// about 200 instructions a folder; a multiply spreads inode numbers well enough here.
struct SeenFolders {
  private var devices: [UInt64] = []
  private var tables: [InodeTable] = []

  /// Whether the folder is new (and now seen).
  mutating func insert(device: UInt64, inode: UInt64) -> Bool {
    if let index = devices.firstIndex(of: device) { return tables[index].insert(inode) }
    devices.append(device)
    tables.append(InodeTable())
    return tables[tables.count - 1].insert(inode)
  }
}

/// Inode numbers in an open-addressed table (linear probing, at most three quarters full).
/// 0 marks a free slot, so inode 0 (which FUSE may report) is kept apart.
struct InodeTable {
  private var slots = [UInt64](repeating: 0, count: 64)
  private var count = 0
  private var hasZero = false

  /// Whether `inode` is new (and now in the table).
  mutating func insert(_ inode: UInt64) -> Bool {
    if inode == 0 {
      defer { hasZero = true }
      return !hasZero
    }
    if (count + 1) * 4 > slots.count * 3 { grow() }
    let mask = slots.count - 1
    var slot = Self.start(inode, mask)
    while slots[slot] != 0 {
      if slots[slot] == inode { return false }
      slot = (slot + 1) & mask
    }
    slots[slot] = inode
    count += 1
    return true
  }

  private static func start(_ inode: UInt64, _ mask: Int) -> Int {
    let mixed = inode &* 0x9E37_79B9_7F4A_7C15
    return Int(truncatingIfNeeded: mixed ^ (mixed >> 32)) & mask
  }

  private mutating func grow() {
    let old = slots
    slots = [UInt64](repeating: 0, count: old.count * 2)
    let mask = slots.count - 1
    for inode in old where inode != 0 {
      var slot = Self.start(inode, mask)
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = inode
    }
  }
}

extension ParallelWalker {
  /// Everything below one folder, for small jobs: entries with relative paths (sizes of regular
  /// files when `sizes`), and the problems met. A root that cannot be opened is the only problem,
  /// with an empty relative path.
  public static func collect(
    _ root: [UInt8], threads: Int = 2, sizes: Bool = true, timeout: Double? = nil,
    shouldDescend: @escaping @Sendable (_ directory: [UInt8], _ name: [UInt8]) -> Bool = { _, _ in true }
  ) -> (entries: [WalkEntry], problems: [WalkProblem], timedOut: Bool) {
    let pool = WorkPool(groups: 1, threads: threads, timeout: timeout)
    let visitor = CollectingVisitor(sizes: sizes, shouldDescend: shouldDescend)
    ParallelWalker(roots: [root], pool: pool, visitor: visitor).start(root: 0)
    let timedOut = pool.wait()[0]
    return visitor.state.withLock { ($0.entries, $0.problems, timedOut) }
  }
}

private final class CollectingVisitor: WalkVisitor {
  let sizes: Bool
  let descend: @Sendable ([UInt8], [UInt8]) -> Bool
  let state = Mutex<(entries: [WalkEntry], problems: [WalkProblem])>(([], []))

  init(sizes: Bool, shouldDescend: @escaping @Sendable ([UInt8], [UInt8]) -> Bool) {
    self.sizes = sizes
    descend = shouldDescend
  }

  func plan(root: Int, listing: Listing) {
    for index in listing.indices { listing[index].wantsSize = sizes }
  }

  func visit(root: Int, listing: Listing, range: Range<Int>) {
    let walked = range.filter { !listing[$0].gone }.map { index in
      WalkEntry(
        relativePath: listing.relativePath(index), kind: listing[index].kind,
        size: listing[index].size < 0 ? nil : listing[index].size)
    }
    state.withLock { $0.entries += walked }
  }

  func shouldDescend(root: Int, directory: [UInt8], name: UnsafeRawBufferPointer) -> Bool {
    descend(directory, Array(name))
  }

  func listed(root: Int, listing: Listing) {}

  func problem(root: Int, path: [UInt8], errno: Int32) {
    state.withLock { $0.problems.append(WalkProblem(relativePath: path, errno: errno)) }
  }
}
